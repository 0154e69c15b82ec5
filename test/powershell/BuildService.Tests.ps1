BeforeAll {
    . (Join-Path $PSScriptRoot (Join-Path 'helpers' 'ScriptRunner.ps1'))

    # A copy of the repository that Build-Service.ps1 can run in, with its own service model files
    # and scripts and the rest (sources, node_modules) linked to this checkout.
    function New-RepositoryCopy {
        $copy = New-TemporaryFolder
        foreach ($file in @('package.json', 'tsconfig.json') + @(Get-ChildItem -LiteralPath $RepositoryRoot -File | Where-Object { $_.Extension -in '.csdef', '.cscfg' } | ForEach-Object Name)) {
            Copy-Item -LiteralPath (Join-Path $RepositoryRoot $file) -Destination (Join-Path $copy $file)
        }
        Copy-Item -LiteralPath $ScriptsFolder -Destination (Join-Path $copy 'scripts') -Recurse
        $linkType = if ($env:OS -eq 'Windows_NT') { 'Junction' } else { 'SymbolicLink' }
        foreach ($folder in 'node_modules', 'WorkerRole1') {
            New-Item -ItemType $linkType -Path (Join-Path $copy $folder) -Target (Join-Path $RepositoryRoot $folder) | Out-Null
        }
        return $copy
    }
}

Describe 'Build-Service.ps1' {
    It 'builds the role and validates the service model, exit code 0' {
        $entryPoint = Join-Path $RepositoryRoot (Join-Path 'WorkerRole1' (Join-Path 'dist' (Join-Path 'server' 'main.js')))
        $before = [DateTime]::UtcNow

        $result = Invoke-RepositoryScript 'Build-Service.ps1'

        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match 'service model OK: .*build output not checked'
        $result.Output | Should -Match 'built WorkerRole1/dist'
        $result.Output | Should -Match 'service model OK: .*; entry point built'
        (Get-Item -LiteralPath $entryPoint).LastWriteTimeUtc | Should -BeGreaterThan $before
    }

    It 'fails on a broken csdef with file:line: and a non-zero exit code, before building' {
        $copy = New-RepositoryCopy
        try {
            $csdef = Join-Path $copy 'ServiceDefinition.csdef'
            $text = Get-Content -LiteralPath $csdef -Raw
            $text | Should -Match 'intervalInSeconds="5"'
            Set-Content -LiteralPath $csdef -Value ($text -replace 'intervalInSeconds="5"', 'intervalInSeconds="2"') -NoNewline
            $line = (Select-String -LiteralPath $csdef -Pattern 'intervalInSeconds="2"').LineNumber

            $copyScript = Join-Path (Join-Path $copy 'scripts') 'Build-Service.ps1'
            $output = & $PwshPath -NoLogo -NoProfile -NonInteractive -File $copyScript 2>&1 | ForEach-Object { "$_" }
            $exitCode = $LASTEXITCODE
            $text = $output -join "`n"

            $exitCode | Should -Not -Be 0
            $text | Should -Match ([regex]::Escape("ServiceDefinition.csdef:${line}: probe HealthProbe intervalInSeconds `"2`" is below Azure's minimum of 5 seconds"))
            $text | Should -Not -Match 'built WorkerRole1/dist'
            $text | Should -Not -Match $PowerShellErrorDecoration
        }
        finally {
            Remove-Item -LiteralPath $copy -Recurse -Force
        }
    }
}
