# Shared by the Pester suites (dot-sourced in BeforeAll): run a script of scripts/ the way a user
# does, as its own pwsh process, and read what it printed and its exit code.

$script:RepositoryRoot = Split-Path -Parent (Split-Path -Parent (Split-Path -Parent $PSScriptRoot))
$script:ScriptsFolder = Join-Path $script:RepositoryRoot 'scripts'
# The pwsh running these tests, so that the scripts run under the tested version. Installed as a
# .NET tool, pwsh runs inside `dotnet`, and the command on PATH is the way back to it.
$script:PwshPath = [Environment]::ProcessPath
if ([System.IO.Path]::GetFileNameWithoutExtension($script:PwshPath) -ne 'pwsh') {
    $script:PwshPath = (Get-Command -Name 'pwsh' -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
}

function Invoke-RepositoryScript {
    param(
        [Parameter(Mandatory)] [string] $Name,
        [object[]] $Arguments = @(),
        # Typed at the script's prompts (-Confirm); without it the script runs non-interactively.
        [string[]] $Answer
    )
    $path = Join-Path $script:ScriptsFolder $Name
    if ($Answer) {
        $lines = $Answer | & $script:PwshPath -NoLogo -NoProfile -File $path @Arguments 2>&1 | ForEach-Object { "$_" }
    }
    else {
        $lines = & $script:PwshPath -NoLogo -NoProfile -NonInteractive -File $path @Arguments 2>&1 | ForEach-Object { "$_" }
    }
    [pscustomobject]@{
        ExitCode = $LASTEXITCODE
        Output   = ($lines -join [Environment]::NewLine)
    }
}

function Get-FreeTcpPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { return $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

# What PowerShell prints for an unhandled error: the message a user should get instead has none of it.
$script:PowerShellErrorDecoration = 'ScriptStackTrace|at <ScriptBlock>|FullyQualifiedErrorId|CategoryInfo|\+ ~~~|Exception:'

function New-TemporaryFolder {
    $path = Join-Path ([System.IO.Path]::GetTempPath()) ("chatapp-pester-" + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory -Path $path | Out-Null
    return $path
}
