<#
.SYNOPSIS
    Stops the local emulator and every process it started.

.DESCRIPTION
    A thin wrapper over `npm run emulator:stop`, which stops the cross-platform emulator started by
    Start-Emulator.ps1 (or `npm run emulator`) from another window: instances, load balancer and storage.
    With -UseComputeEmulator it shuts down the Azure SDK's Compute Emulator instead
    (csrun /devfabric:shutdown).

.PARAMETER UseComputeEmulator
    Shuts down the Azure Compute Emulator (csrun.exe) instead of the cross-platform emulator.

.EXAMPLE
    .\scripts\Stop-Emulator.ps1

.EXAMPLE
    .\scripts\Stop-Emulator.ps1 -UseComputeEmulator

.OUTPUTS
    The script exits with the exit code of the command that does the work.
#>
[CmdletBinding()]
param(
    [switch] $UseComputeEmulator
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

if ($UseComputeEmulator) {
    $csrun = Get-Command 'csrun.exe' -ErrorAction SilentlyContinue
    $csrunPath = if ($csrun) { $csrun.Path } elseif ($env:ProgramFiles) { Join-Path $env:ProgramFiles 'Microsoft SDKs\Azure\Emulator\csrun.exe' } else { $null }
    if (-not $csrunPath -or -not (Test-Path -LiteralPath $csrunPath)) {
        throw ('-UseComputeEmulator needs csrun.exe from the Azure SDK (Windows only), and it was not found ' +
            'on PATH or under "Program Files\Microsoft SDKs\Azure\Emulator". Without the switch this script stops the cross-platform emulator.')
    }
    & $csrunPath '/devfabric:shutdown'
    exit $LASTEXITCODE
}

if (-not (Get-Command npm -ErrorAction SilentlyContinue)) {
    throw 'npm was not found on PATH. Install Node.js 20 or later (https://nodejs.org/) and try again.'
}

$repositoryRoot = Split-Path -Parent $PSScriptRoot
Push-Location -LiteralPath $repositoryRoot
try {
    & npm run emulator:stop
    $exitCode = $LASTEXITCODE
}
finally {
    Pop-Location
}
exit $exitCode
