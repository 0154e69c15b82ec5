<#
.SYNOPSIS
    Runs chatapp locally the way Azure runs it: several role instances behind a load balancer.

.DESCRIPTION
    A thin wrapper over `npm run emulator` (it starts the same entry, scripts/emulator/compiled.mjs,
    with node directly, without an npm process in between), which builds, validates the service
    model and starts the cross-platform emulator with ServiceConfiguration.Local.cscfg: Azurite for
    storage, one process per role instance, probes and a source-IP load balancer. Parameters are
    passed through to it. Before it builds, the emulator refuses to start when one is already running from this
    folder (it names its process id and URL, and Stop-Emulator.ps1 stops it) or when another program
    holds a port it needs (it names the port, what it is for and the parameter that moves it).
    Ctrl-C stops everything it started.

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

.PARAMETER StoragePort
    Azurite's table port; by default 10002, the port UseDevelopmentStorage=true means. Another port
    when 10002 is taken, e.g. by an Azurite or Storage Emulator that is already running.

.PARAMETER StorageDirectory
    Azurite's data folder; by default .emulator/azurite in the repository.

.PARAMETER PidFile
    Where the emulator writes its process id for Stop-Emulator.ps1; by default .emulator/emulator.pid.
    Give each emulator its own file to run two side by side, and the same one to Stop-Emulator.ps1.

.PARAMETER Launch
    Opens the chat in the default browser once every instance is healthy, as Start-AzureEmulator
    -Launch did. Where no browser can be opened (a server, CI), it says so, prints the URL and goes on.

.PARAMETER NoBuild
    Starts the WorkerRole1\dist built earlier (by Build-Service.ps1 or npm run build) without
    building it again; the emulator still refuses to start when that build is missing.

.PARAMETER UseComputeEmulator
    Runs the Azure SDK's Compute Emulator (csrun.exe) instead of the cross-platform emulator.

.EXAMPLE
    .\scripts\Start-Emulator.ps1

.EXAMPLE
    .\scripts\Start-Emulator.ps1 -Launch

    Starts the emulator and opens the chat in the default browser once it is ready.

.EXAMPLE
    .\scripts\Start-Emulator.ps1 -Instances 3 -Port 8080 -Fresh

    Three instances behind the balancer on http://localhost:8080/, with an empty history.

.EXAMPLE
    .\scripts\Start-Emulator.ps1 -Port 8081 -StoragePort 20002 -StorageDirectory $env:TEMP\chat2 -PidFile .emulator\second.pid

    A second emulator beside the first; stop it with .\scripts\Stop-Emulator.ps1 -PidFile .emulator\second.pid.

.EXAMPLE
    .\scripts\Start-Emulator.ps1 -UseComputeEmulator

.OUTPUTS
    The emulator's log. The script exits with the emulator's exit code.
#>
#Requires -Version 5.1
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

    [Parameter(ParameterSetName = 'Emulator')]
    [ValidateRange(1, 65535)]
    [int] $StoragePort,

    [Parameter(ParameterSetName = 'Emulator')]
    [ValidateNotNullOrEmpty()]
    [string] $StorageDirectory,

    [Parameter(ParameterSetName = 'Emulator')]
    [ValidateNotNullOrEmpty()]
    [string] $PidFile,

    [Parameter(ParameterSetName = 'Emulator')]
    [switch] $Launch,

    [Parameter(ParameterSetName = 'Emulator')]
    [switch] $NoBuild,

    [Parameter(ParameterSetName = 'ComputeEmulator')]
    [switch] $UseComputeEmulator
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$repositoryRoot = Split-Path -Parent $PSScriptRoot

if (-not (Get-Command node -ErrorAction SilentlyContinue)) {
    [Console]::Error.WriteLine('node was not found on PATH. Install Node.js 20 or later (https://nodejs.org/) and try again.')
    exit 1
}

# A path under Program Files from its parts (Join-Path takes one child at a time in Windows PowerShell 5.1).
function Join-PathParts([string[]] $Parts) {
    $path = $Parts[0]
    foreach ($part in $Parts[1..($Parts.Count - 1)]) { $path = Join-Path $path $part }
    return $path
}

# The Azure SDK tool `Name`, from PATH or the SDK's default install folders (each a list of path
# parts under Program Files); $null when absent.
function Find-AzureSdkTool([string] $Name, [object[]] $Patterns) {
    $command = Get-Command $Name -ErrorAction SilentlyContinue
    if ($command) { return $command.Path }
    if (-not $env:ProgramFiles) { return $null }
    foreach ($pattern in $Patterns) {
        $found = Get-ChildItem -Path (Join-PathParts (@($env:ProgramFiles) + $pattern)) -ErrorAction SilentlyContinue |
            Sort-Object FullName -Descending | Select-Object -First 1
        if ($found) { return $found.FullName }
    }
    return $null
}

if ($UseComputeEmulator) {
    $csrun = Find-AzureSdkTool 'csrun.exe' @(, @('Microsoft SDKs', 'Azure', 'Emulator', 'csrun.exe'))
    $cspack = Find-AzureSdkTool 'cspack.exe' @(, @('Microsoft SDKs', 'Azure', '.NET SDK', '*', 'bin', 'cspack.exe'))
    if (-not $csrun -or -not $cspack) {
        [Console]::Error.WriteLine('-UseComputeEmulator needs csrun.exe and cspack.exe from the Azure SDK (Windows only), ' +
            'and they were not found on PATH or under "Program Files\Microsoft SDKs\Azure". ' +
            'Install the Azure SDK, or run this script without -UseComputeEmulator to use the ' +
            'cross-platform emulator (npm run emulator).')
        exit 1
    }
}

function Resolve-CallerPath([string] $Path) {
    return $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
}

# Node runs from the repository; native commands are called at script level (not inside a function)
# so their output goes straight to the console and only their exit code is kept.
Push-Location -LiteralPath $repositoryRoot
try {
    if ($UseComputeEmulator) {
        # The staged role is the approot exactly as on Azure, node\node.exe included.
        & node --import tsx scripts/package/main.ts
        if ($LASTEXITCODE -eq 0) {
            New-Item -ItemType Directory -Force -Path '.emulator' | Out-Null
            $roleProperties = Join-Path '.emulator' 'roleproperties.txt'
            $stagedRole = Join-Path (Join-Path 'dist' 'package') 'WorkerRole1'
            $layout = Join-Path '.emulator' 'chatapp.csx'
            # cspack asks which .NET Framework the role targets even though a Node role uses none.
            Set-Content -LiteralPath $roleProperties -Value 'TargetFrameworkVersion=v4.8' -Encoding Ascii
            & $cspack 'ServiceDefinition.csdef' "/role:WorkerRole1;$stagedRole" `
                "/rolePropertiesFile:WorkerRole1;$roleProperties" '/copyOnly' "/out:$layout"
        }
        if ($LASTEXITCODE -eq 0) { & $csrun $layout 'ServiceConfiguration.Local.cscfg' }
    }
    else {
        $emulatorArguments = @()
        if (-not $NoBuild) { $emulatorArguments += '--build' }
        if ($PSBoundParameters.ContainsKey('Instances')) { $emulatorArguments += @('--instances', "$Instances") }
        if ($PSBoundParameters.ContainsKey('Port')) { $emulatorArguments += @('--port', "$Port") }
        if ($Fresh) { $emulatorArguments += '--fresh' }
        if ($PSBoundParameters.ContainsKey('StoragePort')) { $emulatorArguments += @('--storage-port', "$StoragePort") }
        # Paths are resolved against the caller's folder: the emulator runs from the repository root.
        if ($StorageDirectory) { $emulatorArguments += @('--storage-dir', (Resolve-CallerPath $StorageDirectory)) }
        if ($PidFile) { $emulatorArguments += @('--pid-file', (Resolve-CallerPath $PidFile)) }
        if ($Launch) { $emulatorArguments += '--launch' }
        & node scripts/emulator/compiled.mjs @emulatorArguments
    }
    $exitCode = $LASTEXITCODE
}
finally {
    Pop-Location
}
exit $exitCode
