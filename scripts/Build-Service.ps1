<#
.SYNOPSIS
    Builds chatapp: compiles the worker role into WorkerRole1\dist.

.DESCRIPTION
    A thin wrapper over `npm run build`, which does the work (scripts/build.ts) the same way on every
    operating system. Run it from any folder; it builds the repository it belongs to.

.EXAMPLE
    .\scripts\Build-Service.ps1

.OUTPUTS
    The build's own output. The script exits with npm's exit code, so callers and CI see failures.
#>
[CmdletBinding()]
param()

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

if (-not (Get-Command npm -ErrorAction SilentlyContinue)) {
    throw 'npm was not found on PATH. Install Node.js 20 or later (https://nodejs.org/) and try again.'
}

$repositoryRoot = Split-Path -Parent $PSScriptRoot
Push-Location -LiteralPath $repositoryRoot
try {
    & npm run build
    $exitCode = $LASTEXITCODE
}
finally {
    Pop-Location
}
exit $exitCode
