<#
.SYNOPSIS
    Builds chatapp and validates its service model: what must pass before the emulator or a publish.

.DESCRIPTION
    A thin wrapper over the repository's npm scripts, which do the work the same way on every
    operating system; it starts their entry points with node directly (`node --import tsx
    scripts/build.ts` for `npm run build`), without an npm process in between:
      1. `npm run validate -- --no-build-check` checks ServiceDefinition.csdef and every
         ServiceConfiguration.*.cscfg first, so a broken service model fails in seconds, before the build;
      2. `npm run build` compiles the worker role into WorkerRole1\dist (scripts/build.ts);
      3. `npm run validate` checks the service model again, now with the build the csdef starts.
    Each problem is printed as `file:line: what is wrong`. Run it from any folder; it builds the
    repository it belongs to.

.EXAMPLE
    .\scripts\Build-Service.ps1

    Validates, builds and validates again; exits 0 when all three passed.

.EXAMPLE
    pwsh -File ./scripts/Build-Service.ps1; if ($LASTEXITCODE -ne 0) { 'fix the lines above' }

    From another shell or CI: the exit code is the failing step's, 0 when everything passed.

.OUTPUTS
    The output of the three steps. The script exits with the exit code of the first step that failed, or 0.
#>
#Requires -Version 5.1
[CmdletBinding()]
param()

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

if (-not (Get-Command node -ErrorAction SilentlyContinue)) {
    [Console]::Error.WriteLine('node was not found on PATH. Install Node.js 20 or later (https://nodejs.org/) and try again.')
    exit 1
}

$repositoryRoot = Split-Path -Parent $PSScriptRoot
$exitCode = 0
Push-Location -LiteralPath $repositoryRoot
try {
    # Native commands run at script level, so their output goes straight to the console.
    & node --import tsx scripts/validate.ts --no-build-check
    $exitCode = $LASTEXITCODE
    if ($exitCode -eq 0) {
        & node --import tsx scripts/build.ts
        $exitCode = $LASTEXITCODE
    }
    if ($exitCode -eq 0) {
        & node --import tsx scripts/validate.ts
        $exitCode = $LASTEXITCODE
    }
}
finally {
    Pop-Location
}
exit $exitCode
