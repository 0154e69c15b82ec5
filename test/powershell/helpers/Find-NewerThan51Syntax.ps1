# The syntax Windows PowerShell 5.1 cannot run, found in a script by walking the tree PowerShell's
# own parser builds (so strings and comments that merely mention an operator do not count).

function Find-NewerThan51Syntax {
    param([Parameter(Mandatory)] [System.Management.Automation.Language.Ast] $Ast)

    $found = [System.Collections.Generic.List[object]]::new()
    $report = {
        param($Node, [string] $What)
        $found.Add([pscustomobject]@{ Line = $Node.Extent.StartLineNumber; What = $What; Text = $Node.Extent.Text })
    }
    $nodes = $Ast.FindAll({ $true }, $true)
    foreach ($node in $nodes) {
        switch ($node.GetType().Name) {
            'PipelineChainAst' {
                $operator = '||'
                if ($node.Operator -eq 'AndAnd') { $operator = '&&' }
                & $report $node "pipeline chain operator $operator"
            }
            'TernaryExpressionAst' { & $report $node 'ternary operator ?:' }
            'BinaryExpressionAst' {
                if ($node.Operator -eq 'QuestionQuestion') { & $report $node 'null-coalescing operator ??' }
            }
            'AssignmentStatementAst' {
                if ($node.Operator -eq 'QuestionQuestionEquals') { & $report $node 'null-coalescing assignment ??=' }
            }
            { $_ -in 'MemberExpressionAst', 'InvokeMemberExpressionAst', 'IndexExpressionAst' } {
                if ($node.NullConditional) { & $report $node 'null-conditional access ?. or ?[]' }
            }
            'CommandAst' { foreach ($problem in (Find-NewerThan51Command $node)) { & $report $node $problem } }
        }
    }
    return $found
}

# Commands whose 5.1 versions lack a parameter the script uses.
function Find-NewerThan51Command([System.Management.Automation.Language.CommandAst] $Command) {
    $name = $Command.GetCommandName()
    $parameters = @($Command.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] })
    # PowerShell accepts any unambiguous prefix of a parameter name.
    $uses = { param([string] $Full, [int] $ShortestPrefix) @($parameters | Where-Object { $_.ParameterName.Length -ge $ShortestPrefix -and $Full.StartsWith($_.ParameterName, 'OrdinalIgnoreCase') }).Count -gt 0 }

    if ($name -in 'ForEach-Object', 'foreach', '%' -and (& $uses 'Parallel' 2)) { 'ForEach-Object -Parallel' }
    if ($name -eq 'Join-Path') {
        if (& $uses 'AdditionalChildPath' 1) { 'Join-Path -AdditionalChildPath' }
        elseif ((Get-JoinPathPartCount $Command) -gt 2) { 'Join-Path with more than one child path' }
    }
}

# How many paths a Join-Path call joins: its positional arguments plus -Path and -ChildPath.
function Get-JoinPathPartCount([System.Management.Automation.Language.CommandAst] $Command) {
    $parts = 0
    $elements = @($Command.CommandElements | Select-Object -Skip 1)
    for ($index = 0; $index -lt $elements.Count; $index++) {
        $element = $elements[$index]
        if ($element -isnot [System.Management.Automation.Language.CommandParameterAst]) { $parts++; continue }
        $takesValue = $false
        foreach ($valued in 'Path', 'ChildPath', 'Credential') {
            if ($valued.StartsWith($element.ParameterName, 'OrdinalIgnoreCase')) { $takesValue = $true }
        }
        if (-not $takesValue) { continue }
        $isPath = 'Credential' -notlike "$($element.ParameterName)*"
        # -Path:value carries its value; -Path value takes the next element.
        if ($null -eq $element.Argument) { $index++ }
        if ($isPath) { $parts++ }
    }
    return $parts
}
