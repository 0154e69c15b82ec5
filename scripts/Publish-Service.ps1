<#
.SYNOPSIS
    Publishes chatapp to Azure: a thin wrapper over `npm run publish`, with PowerShell's -WhatIf and -Confirm.

.DESCRIPTION
    The PowerShell face of `npm run publish` (scripts/publish), in the spirit of the old tutorial's
    Publish-AzureServiceProject (that cmdlet and Cloud Services (classic) are retired). All the work
    is done by the entry points that npm runs, so both paths publish the same way; the script starts
    them with node directly (`node --import tsx scripts/publish/main.ts`, as `npm run publish` does
    through tsx), without an npm process in between:
      1. unless -SkipPackage or -PackagePath, `npm run package` builds, validates, stages WorkerRole1
         and runs cspack.exe (Azure SDK for .NET, Windows only) to write dist\chatapp.cspkg;
      2. `npm run publish` creates the resource group and the storage account when they are missing
         (and gives the signed-in identity Storage Blob Data Contributor on the account), fills the
         setting values into a copy of ServiceConfiguration.Cloud.cscfg (STORAGE_CONNECTION_STRING,
         when not given, from the account's key), uploads it and the .cspkg to a private blob
         container with read-only SAS URLs that expire after -SasHours, creates the virtual network,
         subnet and public IP when they are missing, creates the cloud service or updates it in
         place, and prints the public URL. On a new subscription, -Subscription, -Name and
         -Location are all it needs.
    With -Target AppService, `npm run publish -- --target appservice` instead deploys infra/main.json
    (the whole App Service topology: resource group, plan, web app, storage, Azure Managed Redis,
    monitoring, role assignments; no keys) as one Resource Manager deployment, waits for it, and
    deploys the Linux zip that `npm run package -- --target appservice` builds. Only -Subscription,
    -Name and -Location are needed there.

    Signing in: npm run publish uses DefaultAzureCredential from @azure/identity, whose chain includes
    AzurePowerShellCredential. After Connect-AzAccount (module Az.Accounts 2.2.0 or later) no
    `az login` is needed. The chain tries, in order: environment variables (AZURE_CLIENT_ID...),
    workload identity, managed identity, VS Code, Azure CLI, Azure PowerShell, Azure Developer CLI.
    To use the Azure PowerShell sign-in only, set $env:AZURE_TOKEN_CREDENTIALS = 'AzurePowerShellCredential'.

    Secret setting values (-StorageConnectionString, -RedisUrl, -Setting) reach the publish through
    environment variables CHATAPP_SETTING_<NAME>, never on a command line, and are redacted in
    what it prints. Every parameter left out is read from the same environment variables as
    `npm run publish` reads.

.PARAMETER Subscription
    The Azure subscription id (a GUID). Default: $env:AZURE_SUBSCRIPTION_ID.

.PARAMETER ResourceGroup
    The resource group, created when missing. Default: $env:CHATAPP_RESOURCE_GROUP, else rg-<Name>.

.PARAMETER Name
    The cloud service's name, also its DNS label: http://<name>.<location>.cloudapp.azure.com/.
    3 to 63 lowercase letters, digits and hyphens, starting with a letter. App Service: the web app's
    name (https://<name>.azurewebsites.net/) and the stem of every other resource name.
    Default: $env:CHATAPP_NAME.

.PARAMETER Location
    The Azure region, e.g. westeurope. Default: $env:CHATAPP_LOCATION.

.PARAMETER StorageAccount
    Cloud service only: the storage account that receives the package and, unless
    STORAGE_CONNECTION_STRING is given, holds the chat history (publish then reads its key into the
    uploaded cscfg, so the account keeps shared-key access: a cloud service has no managed
    identity). Created when missing; an existing one is used as it is. Default:
    $env:CHATAPP_STORAGE_ACCOUNT, else the name's letters and digits and 8 hex digits of a hash of
    subscription and name (storage account names are global across Azure).

.PARAMETER Target
    Where to publish: CloudService (Cloud Services (extended support), the default) or AppService.

.PARAMETER Setting
    Setting values for the cscfg, e.g. @{ LOG_LEVEL = 'warn' }. Values also come from environment
    variables CHATAPP_SETTING_<NAME>; -Setting wins over them.

.PARAMETER StorageConnectionString
    Same as -Setting @{ STORAGE_CONNECTION_STRING = '...' }. Cloud service only: App Service refuses
    it, because its template provisions the storage account without keys.

.PARAMETER RedisUrl
    Same as -Setting @{ REDIS_URL = '...' }. Cloud service only, as above (Azure Managed Redis with
    Microsoft Entra ID on App Service).

.PARAMETER AllowedOrigins
    Same as -Setting @{ ALLOWED_ORIGINS = '...' }.

.PARAMETER PackagePath
    A .cspkg to publish instead of packaging again (default: npm run package writes dist\chatapp.cspkg).

.PARAMETER SkipPackage
    Publishes the dist\chatapp.cspkg an earlier npm run package wrote, without packaging again.

.PARAMETER Container
    The private blob container for packages and configurations. Default: chatapp-packages.

.PARAMETER SasHours
    How long Azure may read the uploaded files, 1 to 24 hours. Default: 2.

.PARAMETER PublicIpSku
    Cloud service only: Basic or Standard (see docs/deploy.md). Default: Basic.

.PARAMETER Sku
    App Service only: the plan's pricing tier, e.g. P0v3 (the default) or S1 (see docs/deploy.md).

.PARAMETER Instances
    App Service only: how many instances the plan runs. Default: the Instances count of
    ServiceConfiguration.Cloud.cscfg. Above one, the template adds Azure Managed Redis.

.PARAMETER AzureWhatIf
    App Service only: asks Azure Resource Manager's what-if operation what the deployment would
    create, modify or leave alone (npm run publish -- --what-if), and deploys nothing. Needs a sign-in,
    unlike -WhatIf, which prints the plan without Azure.

.PARAMETER Launch
    Opens the published site in the default browser once it answers /healthz, as
    Publish-AzureServiceProject -Launch did. Where no browser can be opened, it prints the URL.

.EXAMPLE
    Connect-AzAccount
    $env:CHATAPP_SETTING_REDIS_URL = 'rediss://:<key>@<name>.<region>.redis.azure.net:10000'
    .\scripts\Publish-Service.ps1 -Subscription <id> -Name chatapp-demo -Location westeurope

    On a new subscription: creates the resource group rg-chatapp-demo and a storage account for the
    package and the history, packages, uploads, creates the cloud service (or updates it in place)
    and prints its URL.

.EXAMPLE
    .\scripts\Publish-Service.ps1 -Subscription <id> -ResourceGroup chat-rg -Name chatapp-demo -Location westeurope -StorageAccount chatappdeploy -WhatIf

    Prints the plan and every request body (npm run publish -- --dry-run) and changes nothing.

.EXAMPLE
    .\scripts\Publish-Service.ps1 -Target AppService -Subscription <id> -Name chatapp-demo -Location westeurope

    Packages the role for Linux, deploys infra/main.json (resource group rg-chatapp-demo, plan, web
    app, storage, Redis, monitoring; or updates them in place), deploys the zip and prints the URL:
    the path for new deployments after Cloud Services retires.

.EXAMPLE
    .\scripts\Publish-Service.ps1 -Target AppService -Subscription <id> -Name chatapp-demo -Location westeurope -WhatIf
    .\scripts\Publish-Service.ps1 -Target AppService -Subscription <id> -Name chatapp-demo -Location westeurope -AzureWhatIf

    The first prints the deployment, its parameters and every resource it declares, without Azure;
    the second asks Resource Manager what would change. Neither deploys anything.

.EXAMPLE
    .\scripts\Publish-Service.ps1 -PackagePath .\dist\chatapp.cspkg -Setting @{ LOG_LEVEL = 'warn' } -Confirm:$false

    Publishes an existing package without asking, the other values from the environment variables.

.OUTPUTS
    The output of the publish (and of the packaging before it). The script exits with their exit
    code: 0 when the service is published.
#>
#Requires -Version 5.1
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [ValidatePattern('^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')]
    [string] $Subscription,

    [ValidatePattern('^[-\w\.\(\)]{1,90}$')]
    [string] $ResourceGroup,

    [ValidatePattern('^[a-z][a-z0-9-]{1,61}[a-z0-9]$')]
    [string] $Name,

    [ValidatePattern('^[a-z0-9]+$')]
    [string] $Location,

    [ValidatePattern('^[a-z0-9]{3,24}$')]
    [string] $StorageAccount,

    [ValidateSet('CloudService', 'AppService')]
    [string] $Target = 'CloudService',

    [hashtable] $Setting = @{},

    [string] $StorageConnectionString,

    [string] $RedisUrl,

    [string] $AllowedOrigins,

    [ValidateNotNullOrEmpty()]
    [string] $PackagePath,

    [switch] $SkipPackage,

    [ValidatePattern('^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$')]
    [string] $Container,

    [ValidateRange(1, 24)]
    [int] $SasHours,

    [ValidateSet('Basic', 'Standard')]
    [string] $PublicIpSku,

    [ValidatePattern('^[A-Za-z0-9]{1,16}$')]
    [string] $Sku,

    [ValidateRange(1, 30)]
    [int] $Instances,

    [switch] $AzureWhatIf,

    [switch] $Launch
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# A problem the caller can fix: one readable message on stderr and exit code 1, no PowerShell stack.
function Stop-WithFix([string] $Problem, [string] $Fix) {
    [Console]::Error.WriteLine("Publish-Service.ps1: $Problem`n  fix: $Fix")
    exit 1
}

if (-not (Get-Command node -ErrorAction SilentlyContinue)) {
    Stop-WithFix 'node was not found on PATH' 'install Node.js 20 or later (https://nodejs.org/) and try again'
}

# Each parameter, its publish flag and the environment variable publish reads when the flag is absent.
# Only Subscription, Name and Location are needed: publish (a cloud service) or the template (App
# Service) creates the resource group, and publish the storage account, under defaults when missing.
$parameters = @(
    @{ Parameter = 'Subscription'; Flag = '--subscription'; Variable = 'AZURE_SUBSCRIPTION_ID'; Required = $true },
    @{ Parameter = 'ResourceGroup'; Flag = '--resource-group'; Variable = 'CHATAPP_RESOURCE_GROUP'; Required = $false },
    @{ Parameter = 'Name'; Flag = '--name'; Variable = 'CHATAPP_NAME'; Required = $true },
    @{ Parameter = 'Location'; Flag = '--location'; Variable = 'CHATAPP_LOCATION'; Required = $true },
    @{ Parameter = 'StorageAccount'; Flag = '--storage-account'; Variable = 'CHATAPP_STORAGE_ACCOUNT'; Required = $false }
)
# App Service takes a zip deployment: no storage account to stage the package in.
if ($Target -eq 'AppService') { $parameters = @($parameters | Where-Object { $_.Parameter -ne 'StorageAccount' }) }
$publishArguments = @()
$missing = @()
foreach ($entry in $parameters) {
    $value = $PSBoundParameters[$entry.Parameter]
    if ($value) { $publishArguments += @($entry.Flag, $value) }
    elseif ($entry.Required -and -not [Environment]::GetEnvironmentVariable($entry.Variable)) { $missing += "-$($entry.Parameter) (or `$env:$($entry.Variable))" }
}
if ($missing.Count -gt 0) {
    Stop-WithFix "missing $($missing -join ', ')" 'pass the parameters or set the environment variables; Get-Help ./scripts/Publish-Service.ps1 -Full lists them'
}
if ($AzureWhatIf -and $Target -ne 'AppService') {
    Stop-WithFix '-AzureWhatIf applies to -Target AppService only' 'for a cloud service, -WhatIf prints the plan; or add -Target AppService'
}
if ($AzureWhatIf -and $WhatIfPreference) {
    Stop-WithFix '-WhatIf and -AzureWhatIf both given' '-WhatIf prints the plan without Azure; -AzureWhatIf asks Resource Manager what would change: pick one'
}
if ($PackagePath -and $SkipPackage) {
    Stop-WithFix '-PackagePath and -SkipPackage both given' '-PackagePath already skips packaging: leave -SkipPackage out'
}

# CloudService is publish's default target, so only AppService needs its flag.
if ($Target -ne 'CloudService') { $publishArguments += @('--target', $Target.ToLowerInvariant()) }
if ($Container) { $publishArguments += @('--container', $Container) }
if ($PSBoundParameters.ContainsKey('SasHours')) { $publishArguments += @('--sas-hours', "$SasHours") }
if ($PublicIpSku) { $publishArguments += @('--public-ip-sku', $PublicIpSku) }
if ($Sku) { $publishArguments += @('--sku', $Sku) }
if ($PSBoundParameters.ContainsKey('Instances')) { $publishArguments += @('--instances', "$Instances") }
if ($Launch) { $publishArguments += '--launch' }
if ($PackagePath) {
    $package = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($PackagePath)
    if (-not (Test-Path -LiteralPath $package -PathType Leaf)) {
        Stop-WithFix "-PackagePath $PackagePath does not exist" 'pass the .cspkg (cloud service) or .zip (App Service) that npm run package wrote'
    }
    $publishArguments += @('--package', $package)
}

# Settings travel as CHATAPP_SETTING_<NAME> in publish's environment (not its command line, which any
# user of the machine can read); publish reads them in the same order: environment, shorthands, -Setting.
$settings = @{}
if ($PSBoundParameters.ContainsKey('StorageConnectionString')) { $settings['STORAGE_CONNECTION_STRING'] = $StorageConnectionString }
if ($PSBoundParameters.ContainsKey('RedisUrl')) { $settings['REDIS_URL'] = $RedisUrl }
if ($PSBoundParameters.ContainsKey('AllowedOrigins')) { $settings['ALLOWED_ORIGINS'] = $AllowedOrigins }
foreach ($key in $Setting.Keys) {
    if ("$key" -notmatch '^[A-Za-z_][A-Za-z0-9_]*$') {
        Stop-WithFix "-Setting key '$key' cannot be a setting name" 'use the name as the csdef declares it, e.g. @{ LOG_LEVEL = ''warn'' }'
    }
    $settings["$key"] = [string] $Setting[$key]
}

$repositoryRoot = Split-Path -Parent $PSScriptRoot
$describedTarget = if ($Target -eq 'AppService') { 'App Service' } else { 'cloud service' }
$serviceName = $PSBoundParameters['Name']
if (-not $serviceName) { $serviceName = $env:CHATAPP_NAME }

if ($AzureWhatIf) {
    # Resource Manager's prediction changes nothing, so there is nothing to confirm.
    $publishArguments += '--what-if'
}
elseif (-not $PSCmdlet.ShouldProcess("$describedTarget $serviceName", 'Publish chatapp')) {
    # Declined at the -Confirm prompt: nothing to do.
    if (-not $WhatIfPreference) { exit 0 }
    # -WhatIf: the plan is computed in one place, publish --dry-run.
    $publishArguments += '--dry-run'
}

$previousValues = @{}
foreach ($key in $settings.Keys) {
    # An empty value deletes an environment variable, so it goes as a flag (it holds no secret):
    # publish deploys it empty on purpose.
    if ($settings[$key] -eq '') { $publishArguments += @('--setting', "$key="); continue }
    $variable = "CHATAPP_SETTING_$key"
    $previousValues[$variable] = [Environment]::GetEnvironmentVariable($variable)
    [Environment]::SetEnvironmentVariable($variable, $settings[$key])
}
Push-Location -LiteralPath $repositoryRoot
try {
    $exitCode = 0
    # Cloud Services deploy a .cspkg (cspack, Windows); App Service a zip of the role built for Linux.
    $packageFirst = -not $WhatIfPreference -and -not $AzureWhatIf -and -not $PackagePath -and -not $SkipPackage
    if ($packageFirst) {
        if ($Target -eq 'AppService') { & node --import tsx scripts/package/main.ts --target appservice }
        else { & node --import tsx scripts/package/main.ts }
        $exitCode = $LASTEXITCODE
    }
    if ($exitCode -eq 0) {
        & node --import tsx scripts/publish/main.ts @publishArguments
        $exitCode = $LASTEXITCODE
    }
}
finally {
    Pop-Location
    # Run in the caller's session (not with pwsh -File), the secrets would otherwise stay in its environment.
    foreach ($variable in $previousValues.Keys) { [Environment]::SetEnvironmentVariable($variable, $previousValues[$variable]) }
}
exit $exitCode
