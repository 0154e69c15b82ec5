<#
.SYNOPSIS
    Runs the Pester suites of test/powershell with the pinned Pester, and writes each test's outcome
    as JSON for test/powershell/helpers/pester-suite.ts (npm test).

.PARAMETER ResultFile
    Where the outcomes go: a JSON array of { name, result, message, seconds }.

.PARAMETER Path
    Suites to run; by default every *.Tests.ps1 beside this script. One argument may name several,
    separated as in PATH (':' here, ';' on Windows), as pwsh -File passes no arrays.

.EXAMPLE
    pwsh -File test/powershell/Invoke-PesterSuites.ps1

    Runs every suite and prints Pester's own report (test/powershell/install-tools.sh installs Pester first).
#>
param(
    [string] $ResultFile,
    [string[]] $Path = @($PSScriptRoot)
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$pesterVersion = '6.2.0'
$repositoryRoot = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
$manifest = Join-Path $repositoryRoot (Join-Path '.cache' (Join-Path 'powershell-modules' (Join-Path 'Pester' (Join-Path $pesterVersion 'Pester.psd1'))))
if (-not (Test-Path -LiteralPath $manifest)) {
    [Console]::Error.WriteLine("Pester $pesterVersion is not installed at $manifest; run test/powershell/install-tools.sh (it needs the .NET SDK).")
    exit 3
}
Import-Module -Name $manifest -Force
$Path = @($Path | ForEach-Object { $_ -split [regex]::Escape([System.IO.Path]::PathSeparator) } | Where-Object { $_ -ne '' })

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
# Read from a file or a pipe (npm test), colour codes would only be noise.
if ([Console]::IsOutputRedirected) { $configuration.Output.RenderMode = 'Plaintext' }
$run = Invoke-Pester -Configuration $configuration

if ($ResultFile) {
    $outcomes = @(foreach ($test in $run.Tests) {
            $message = ''
            if (@($test.ErrorRecord).Count -gt 0) { $message = (@($test.ErrorRecord) | ForEach-Object { "$_" }) -join [Environment]::NewLine }
            elseif ($test.Result -eq 'Failed') { $message = 'not run: the setup of its file failed (see the "(setup)" entry)' }
            # Describe > Context > It, with the names as expanded for data-driven tests.
            $names = @($test.ExpandedName)
            $block = $test.Block
            while ($null -ne $block -and -not $block.IsRoot) {
                $names = @($block.ExpandedName) + $names
                $block = $block.Parent
            }
            [pscustomobject]@{
                name    = $names -join ' > '
                result  = $test.Result
                message = $message
                seconds = [math]::Round($test.Duration.TotalSeconds, 2)
            }
        })
    # A suite that fails outside its tests (BeforeAll) has no test outcome of its own.
    foreach ($container in $run.Containers | Where-Object { @($_.ErrorRecord).Count -gt 0 }) {
        $outcomes += [pscustomobject]@{
            name    = "$($container.Item) (setup)"
            result  = 'Failed'
            message = (@($container.ErrorRecord) | ForEach-Object { "$_" }) -join [Environment]::NewLine
            seconds = [math]::Round($container.Duration.TotalSeconds, 2)
        }
    }
    ConvertTo-Json -InputObject $outcomes -Depth 3 | Set-Content -LiteralPath $ResultFile -Encoding utf8
}
exit $run.FailedCount
