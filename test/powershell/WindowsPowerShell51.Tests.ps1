BeforeDiscovery {
    $scriptsFolder = Join-Path (Split-Path -Parent (Split-Path -Parent $PSScriptRoot)) 'scripts'
    $scripts = Get-ChildItem -LiteralPath $scriptsFolder -Filter '*.ps1' | ForEach-Object { @{ Name = $_.Name; Path = $_.FullName } }
}

BeforeAll {
    . (Join-Path $PSScriptRoot (Join-Path 'helpers' 'Find-NewerThan51Syntax.ps1'))

    function Read-Script([string] $Path) {
        $tokens = $null
        $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref] $tokens, [ref] $errors)
        [pscustomobject]@{ Ast = $ast; Errors = @($errors) }
    }
}

Describe 'the Windows PowerShell 5.1 syntax check' {
    It 'reports every construct 5.1 lacks in a sample that uses them, by line, and nothing else' {
        $sample = Read-Script (Join-Path $PSScriptRoot (Join-Path 'fixtures' 'uses-newer-syntax.ps1'))
        $sample.Errors | Should -BeNullOrEmpty

        $found = Find-NewerThan51Syntax $sample.Ast | ForEach-Object { "$($_.Line): $($_.What)" }

        $found | Should -Be @(
            '4: pipeline chain operator &&',
            '5: pipeline chain operator ||',
            '6: null-coalescing operator ??',
            '7: null-coalescing assignment ??=',
            '8: null-conditional access ?. or ?[]',
            '9: ternary operator ?:',
            '10: ForEach-Object -Parallel',
            '11: Join-Path with more than one child path',
            '12: Join-Path -AdditionalChildPath'
        )
    }
}

Describe '<Name> runs on Windows PowerShell 5.1' -ForEach $scripts {
    BeforeAll {
        $parsed = Read-Script $Path
    }

    It 'parses without errors' {
        $parsed.Errors | ForEach-Object { "$($_.Extent.StartLineNumber): $($_.Message)" } | Should -BeNullOrEmpty
    }

    It 'declares #Requires -Version 5.1' {
        $parsed.Ast.ScriptRequirements.RequiredPSVersion | Should -Be ([version] '5.1')
    }

    It 'uses no syntax that 5.1 lacks' {
        Find-NewerThan51Syntax $parsed.Ast | ForEach-Object { "line $($_.Line): $($_.What): $($_.Text)" } | Should -BeNullOrEmpty
    }
}
