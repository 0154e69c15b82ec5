<#
.SYNOPSIS
    Runs chatapp locally the way Azure runs it: several role instances behind a load balancer.

.DESCRIPTION
    A thin wrapper over `npm run emulator`, which builds, validates the service model and starts
    the cross-platform emulator with ServiceConfiguration.Local.cscfg: Azurite for storage, one
    process per role instance, probes and a source-IP load balancer. Parameters are passed through
    to it. Ctrl-C stops everything it started.

    With -UseComputeEmulator it runs the classic Azure Compute Emulator instead (csrun.exe from the
    Azure SDK; Windows only and no longer maintained): `npm run package` builds, validates and
    stages the role with its bundled Node runtime under dist\package\WorkerRole1, cspack /copyOnly
    lays that out under .emulator\, and csrun runs it with ServiceConfiguration.Local.cscfg.

.PARAMETER Instances
    How many role instances to run; by default the count in ServiceConfiguration.Local.cscfg.

.PARAMETER Port
    The load balancer's port; by default the csdef endpoint's port when it can be bound, else 8080
    or the next free one.

.PARAMETER Fresh
    Starts with empty local storage instead of keeping the chat history of earlier runs.

.PARAMETER UseComputeEmulator
    Runs the Azure SDK's Compute Emulator (csrun.exe) instead of the cross-platform emulator.

.EXAMPLE
    .\scripts\Start-Emulator.ps1

.EXAMPLE
    .\scripts\Start-Emulator.ps1 -Instances 3 -Port 8080 -Fresh

.EXAMPLE
    .\scripts\Start-Emulator.ps1 -UseComputeEmulator

.OUTPUTS
    The emulator's log. The script exits with the emulator's exit code.
#>
[CmdletBinding(DefaultParameterSetName = 'Emulator')]
param(
    [Parameter(ParameterSetName = 'Emulator')]
    [ValidateRange(1, 64)]
    [int] $Instances,

    [Parameter(ParameterSetName = 'Emulator')]
    [ValidateRange(1, 65535)]
    [int] $Port,

    [Parameter(ParameterSetName = 'Emulator')]
    [switch] $Fresh,

    [Parameter(ParameterSetName = 'ComputeEmulator')]
    [switch] $UseComputeEmulator
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$repositoryRoot = Split-Path -Parent $PSScriptRoot

if (-not (Get-Command npm -ErrorAction SilentlyContinue)) {
    throw 'npm was not found on PATH. Install Node.js 20 or later (https://nodejs.org/) and try again.'
}

# The Azure SDK tool `Name`, from PATH or the SDK's default install folders; $null when absent.
function Find-AzureSdkTool([string] $Name, [string[]] $Patterns) {
    $command = Get-Command $Name -ErrorAction SilentlyContinue
    if ($command) { return $command.Path }
    if (-not $env:ProgramFiles) { return $null }
    foreach ($pattern in $Patterns) {
        $found = Get-ChildItem -Path (Join-Path $env:ProgramFiles $pattern) -ErrorAction SilentlyContinue |
            Sort-Object FullName -Descending | Select-Object -First 1
        if ($found) { return $found.FullName }
    }
    return $null
}

if ($UseComputeEmulator) {
    $csrun = Find-AzureSdkTool 'csrun.exe' @('Microsoft SDKs\Azure\Emulator\csrun.exe')
    $cspack = Find-AzureSdkTool 'cspack.exe' @('Microsoft SDKs\Azure\.NET SDK\*\bin\cspack.exe')
    if (-not $csrun -or -not $cspack) {
        throw ('-UseComputeEmulator needs csrun.exe and cspack.exe from the Azure SDK (Windows only), ' +
            'and they were not found on PATH or under "Program Files\Microsoft SDKs\Azure". ' +
            'Install the Azure SDK, or run this script without -UseComputeEmulator to use the ' +
            'cross-platform emulator (npm run emulator).')
    }
}

# npm runs from the repository; native commands are called at script level (not inside a function)
# so their output goes straight to the console and only their exit code is kept.
Push-Location -LiteralPath $repositoryRoot
try {
    if ($UseComputeEmulator) {
        # The staged role is the approot exactly as on Azure, node\node.exe included.
        & npm run package
        if ($LASTEXITCODE -eq 0) {
            New-Item -ItemType Directory -Force -Path '.emulator' | Out-Null
            # cspack asks which .NET Framework the role targets even though a Node role uses none.
            Set-Content -LiteralPath '.emulator\roleproperties.txt' -Value 'TargetFrameworkVersion=v4.8' -Encoding Ascii
            & $cspack 'ServiceDefinition.csdef' '/role:WorkerRole1;dist\package\WorkerRole1' `
                '/rolePropertiesFile:WorkerRole1;.emulator\roleproperties.txt' '/copyOnly' '/out:.emulator\chatapp.csx'
        }
        if ($LASTEXITCODE -eq 0) { & $csrun '.emulator\chatapp.csx' 'ServiceConfiguration.Local.cscfg' }
    }
    else {
        $emulatorArguments = @()
        if ($PSBoundParameters.ContainsKey('Instances')) { $emulatorArguments += @('--instances', "$Instances") }
        if ($PSBoundParameters.ContainsKey('Port')) { $emulatorArguments += @('--port', "$Port") }
        if ($Fresh) { $emulatorArguments += '--fresh' }
        # '--' is quoted because npm's PowerShell shim (npm.ps1) swallows a bare one, and the
        # emulator's flags with it (npm/cli#3136).
        if ($emulatorArguments.Count -gt 0) { & npm run emulator '--' @emulatorArguments } else { & npm run emulator }
    }
    $exitCode = $LASTEXITCODE
}
finally {
    Pop-Location
}
exit $exitCode
