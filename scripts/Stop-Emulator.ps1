<#
.SYNOPSIS
    Stops the local emulator and every process it started.

.DESCRIPTION
    A thin wrapper over `npm run emulator:stop` (it starts the same entry, scripts/emulator/stop.ts,
    with node directly, without an npm process in between), which stops the cross-platform
    emulator started by Start-Emulator.ps1 (or `npm run emulator`) from another window: instances,
    load balancer and storage. It finds the emulator through the process id file the emulator wrote (.emulator/emulator.pid,
    or the one given with -PidFile) and waits until the emulator has drained and exited.
    With -UseComputeEmulator it shuts down the Azure SDK's Compute Emulator instead
    (csrun /devfabric:shutdown).

.PARAMETER PidFile
    The process id file of the emulator to stop, when Start-Emulator.ps1 was given one.

.PARAMETER UseComputeEmulator
    Shuts down the Azure Compute Emulator (csrun.exe) instead of the cross-platform emulator.

.EXAMPLE
    .\scripts\Stop-Emulator.ps1

    Stops the emulator that Start-Emulator.ps1 started in another window.

.EXAMPLE
    .\scripts\Stop-Emulator.ps1 -PidFile .emulator\second.pid

    Stops the emulator started with Start-Emulator.ps1 -PidFile .emulator\second.pid.

.EXAMPLE
    .\scripts\Stop-Emulator.ps1 -UseComputeEmulator

.OUTPUTS
    The script exits with the exit code of the command that does the work.
#>
#Requires -Version 5.1
[CmdletBinding(DefaultParameterSetName = 'Emulator')]
param(
    [Parameter(ParameterSetName = 'Emulator')]
    [ValidateNotNullOrEmpty()]
    [string] $PidFile,

    [Parameter(ParameterSetName = 'ComputeEmulator')]
    [switch] $UseComputeEmulator
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

if ($UseComputeEmulator) {
    $csrun = Get-Command 'csrun.exe' -ErrorAction SilentlyContinue
    $csrunPath = $null
    if ($csrun) { $csrunPath = $csrun.Path }
    elseif ($env:ProgramFiles) { $csrunPath = Join-Path $env:ProgramFiles (Join-Path 'Microsoft SDKs' (Join-Path 'Azure' (Join-Path 'Emulator' 'csrun.exe'))) }
    if (-not $csrunPath -or -not (Test-Path -LiteralPath $csrunPath)) {
        [Console]::Error.WriteLine('-UseComputeEmulator needs csrun.exe from the Azure SDK (Windows only), and it was not found ' +
            'on PATH or under "Program Files\Microsoft SDKs\Azure\Emulator". Without the switch this script stops the cross-platform emulator.')
        exit 1
    }
    & $csrunPath '/devfabric:shutdown'
    exit $LASTEXITCODE
}

if (-not (Get-Command node -ErrorAction SilentlyContinue)) {
    [Console]::Error.WriteLine('node was not found on PATH. Install Node.js 20 or later (https://nodejs.org/) and try again.')
    exit 1
}

$stopArguments = @()
# Resolved here: the stop runs from the repository root, not from the caller's folder.
if ($PidFile) { $stopArguments += @('--pid-file', $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($PidFile)) }

$repositoryRoot = Split-Path -Parent $PSScriptRoot
Push-Location -LiteralPath $repositoryRoot
try {
    & node --import tsx scripts/emulator/stop.ts @stopArguments
    $exitCode = $LASTEXITCODE
}
finally {
    Pop-Location
}
exit $exitCode
