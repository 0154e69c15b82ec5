<#
.SYNOPSIS
    Packages chatapp with cspack and publishes it to Azure Cloud Services (extended support).

.DESCRIPTION
    The PowerShell path, in the spirit of the old tutorial's Publish-AzureServiceProject (that cmdlet
    and Cloud Services (classic) are retired). It
      1. runs `npm run package`, which builds, validates, stages WorkerRole1 and runs cspack.exe
         (Azure SDK for .NET, Windows only) to write dist\chatapp.cspkg;
      2. fills the setting values into a copy of ServiceConfiguration.Cloud.cscfg;
      3. uploads the .cspkg and that cscfg to a private blob container and makes read-only SAS URLs
         that expire after -SasHours;
      4. creates the virtual network and subnet the cscfg names and a public IP with -Name as its DNS
         label, when they are missing;
      5. creates the cloud service with New-AzCloudService, or, when it exists, points it at the new
         package and configuration with Update-AzCloudService (an in-place update);
      6. prints the public URL.
    Resource names and request contents match `npm run publish` (scripts/publish), so either path can
    update a service the other created. The same parameters, from the same environment variables.

    Needs the Az modules Az.Accounts, Az.CloudService, Az.Network and Az.Storage
    (Install-Module Az -Scope CurrentUser), and a sign-in (Connect-AzAccount).

    Not run in this repository's CI (Linux, no Azure): written against the documented cmdlets; the
    npm path is the one covered by tests. See docs\deploy.md.

.PARAMETER Setting
    Setting values for the cscfg, e.g. @{ LOG_LEVEL = 'warn' }. Secret settings (connection strings,
    URLs, keys) are better passed as environment variables CHATAPP_SETTING_<NAME>, which this script
    reads too, so they stay out of the command history.

.EXAMPLE
    $env:CHATAPP_SETTING_STORAGE_CONNECTION_STRING = '<connection string>'
    $env:CHATAPP_SETTING_REDIS_URL = 'rediss://:<key>@<name>.<region>.redis.azure.net:10000'
    .\scripts\Publish-Service.ps1 -Subscription <id> -ResourceGroup chat-rg -Name chatapp-demo -Location westeurope -StorageAccount chatappdeploy

.EXAMPLE
    .\scripts\Publish-Service.ps1 -Name chatapp-demo ... -WhatIf
    Prints the plan and every request body (npm run publish -- --dry-run) and changes nothing.
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [string] $Subscription = $env:AZURE_SUBSCRIPTION_ID,
    [string] $ResourceGroup = $env:CHATAPP_RESOURCE_GROUP,
    [string] $Name = $env:CHATAPP_NAME,
    [string] $Location = $env:CHATAPP_LOCATION,
    [string] $StorageAccount = $env:CHATAPP_STORAGE_ACCOUNT,
    [hashtable] $Setting = @{},
    [string] $StorageConnectionString,
    [string] $RedisUrl,
    [string] $AllowedOrigins,
    [string] $Container = 'chatapp-packages',
    [ValidateRange(1, 24)] [int] $SasHours = 2,
    [ValidateSet('Basic', 'Standard')] [string] $PublicIpSku = 'Basic',
    # Use an existing dist\chatapp.cspkg instead of packaging again.
    [switch] $SkipPackage
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Stop-WithFix([string] $Problem, [string] $Fix) {
    throw "$Problem`n  fix: $Fix"
}

$repositoryRoot = Split-Path -Parent $PSScriptRoot
$missing = @()
foreach ($pair in @(
        @('Subscription', $Subscription, 'AZURE_SUBSCRIPTION_ID'),
        @('ResourceGroup', $ResourceGroup, 'CHATAPP_RESOURCE_GROUP'),
        @('Name', $Name, 'CHATAPP_NAME'),
        @('Location', $Location, 'CHATAPP_LOCATION'),
        @('StorageAccount', $StorageAccount, 'CHATAPP_STORAGE_ACCOUNT'))) {
    if (-not $pair[1]) { $missing += "-$($pair[0]) (or `$env:$($pair[2]))" }
}
if ($missing) { Stop-WithFix "missing $($missing -join ', ')" 'pass the parameters or set the environment variables' }
if ($Name -cnotmatch '^[a-z][a-z0-9-]{1,61}[a-z0-9]$') {
    Stop-WithFix "-Name '$Name' cannot be a DNS label" 'use 3 to 63 lowercase letters, digits and hyphens, starting with a letter'
}

# Settings: environment CHATAPP_SETTING_*, then the shorthands, then -Setting (the same order as npm run publish).
$settings = @{}
Get-ChildItem env: | Where-Object { $_.Name -like 'CHATAPP_SETTING_*' } | ForEach-Object { $settings[$_.Name.Substring(16)] = $_.Value }
if ($PSBoundParameters.ContainsKey('StorageConnectionString')) { $settings['STORAGE_CONNECTION_STRING'] = $StorageConnectionString }
if ($PSBoundParameters.ContainsKey('RedisUrl')) { $settings['REDIS_URL'] = $RedisUrl }
if ($PSBoundParameters.ContainsKey('AllowedOrigins')) { $settings['ALLOWED_ORIGINS'] = $AllowedOrigins }
foreach ($key in $Setting.Keys) { $settings[$key] = [string] $Setting[$key] }

$common = @('--subscription', $Subscription, '--resource-group', $ResourceGroup, '--name', $Name, '--location', $Location,
    '--storage-account', $StorageAccount, '--container', $Container, '--sas-hours', $SasHours, '--public-ip-sku', $PublicIpSku)

if ($WhatIfPreference) {
    # The plan is computed in one place: npm run publish --dry-run, with the secrets passed through the
    # environment (never the command line) and redacted in what it prints.
    foreach ($key in $settings.Keys) { Set-Item -Path "env:CHATAPP_SETTING_$key" -Value $settings[$key] }
    Push-Location -LiteralPath $repositoryRoot
    try { & npm run publish --silent -- @common --dry-run; exit $LASTEXITCODE } finally { Pop-Location }
}

foreach ($module in 'Az.Accounts', 'Az.CloudService', 'Az.Network', 'Az.Storage') {
    if (-not (Get-Module -ListAvailable -Name $module)) {
        Stop-WithFix "the PowerShell module $module is not installed" 'Install-Module Az -Scope CurrentUser (or npm run publish, which needs no module)'
    }
}
if (-not (Get-AzContext)) { Stop-WithFix 'not signed in to Azure' 'run Connect-AzAccount, then this script again' }
$null = Set-AzContext -Subscription $Subscription

# 1. Package.
$cspkg = Join-Path $repositoryRoot 'dist\chatapp.cspkg'
if (-not $SkipPackage) {
    Push-Location -LiteralPath $repositoryRoot
    try { & npm run package; if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE } } finally { Pop-Location }
}
if (-not (Test-Path -LiteralPath $cspkg)) {
    Stop-WithFix "package missing: $cspkg" 'run on Windows with the Azure SDK for .NET installed (cspack.exe), or set CSPACK_PATH to cspack.exe'
}

# 2. The service model, read the way the npm path reads it.
[xml] $definition = Get-Content -LiteralPath (Join-Path $repositoryRoot 'ServiceDefinition.csdef') -Raw
[xml] $configuration = Get-Content -LiteralPath (Join-Path $repositoryRoot 'ServiceConfiguration.Cloud.cscfg') -Raw
$role = $definition.ServiceDefinition.WorkerRole
$roleName = $role.name
$vmSize = $role.vmsize
$roleConfiguration = $configuration.ServiceConfiguration.Role | Where-Object { $_.name -eq $roleName }
$instanceCount = [int] $roleConfiguration.Instances.count
$vnetName = $configuration.ServiceConfiguration.NetworkConfiguration.VirtualNetworkSite.name
$subnetName = ($configuration.ServiceConfiguration.NetworkConfiguration.AddressAssignments.InstanceAddress |
    Where-Object { $_.roleName -eq $roleName }).Subnets.Subnet.name

$declared = @($roleConfiguration.ConfigurationSettings.Setting | ForEach-Object { $_.name })
$unknown = @($settings.Keys | Where-Object { $declared -notcontains $_ })
if ($unknown) { Stop-WithFix "no setting named $($unknown -join ', ') in the cscfg" 'check the spelling; new settings go into the csdef and every cscfg first (npm run validate)' }
foreach ($element in $roleConfiguration.ConfigurationSettings.Setting) {
    if ($settings.ContainsKey($element.name)) { $element.value = $settings[$element.name] }
}
$empty = @($roleConfiguration.ConfigurationSettings.Setting | Where-Object {
        $_.name -match '(CONNECTION_STRING|_URL$|_URI$|KEY$|SECRET|PASSWORD|TOKEN|SAS)' -and -not $_.value -and -not $settings.ContainsKey($_.name)
    } | ForEach-Object { $_.name })
if ($empty) { Stop-WithFix "settings left empty: $($empty -join ', ')" 'set $env:CHATAPP_SETTING_<NAME> or pass -Setting @{ NAME = ''value'' }' }

# 3. Upload to a private container; read-only SAS URLs (user delegation: no account key involved).
$stamp = (Get-Date).ToUniversalTime().ToString("yyyyMMdd'T'HHmmss'Z'")
$filledConfiguration = Join-Path ([System.IO.Path]::GetTempPath()) "chatapp-$stamp.cscfg"
try {
    $configuration.Save($filledConfiguration)
    $context = New-AzStorageContext -StorageAccountName $StorageAccount -UseConnectedAccount
    if (-not (Get-AzStorageContainer -Name $Container -Context $context -ErrorAction SilentlyContinue)) {
        $null = New-AzStorageContainer -Name $Container -Context $context -Permission Off
    }
    $packageBlob = "$Name/$stamp/chatapp.cspkg"
    $configurationBlob = "$Name/$stamp/ServiceConfiguration.Cloud.cscfg"
    if ($PSCmdlet.ShouldProcess("$StorageAccount/$Container", 'upload package and configuration')) {
        $null = Set-AzStorageBlobContent -File $cspkg -Container $Container -Blob $packageBlob -Context $context -Force
        $null = Set-AzStorageBlobContent -File $filledConfiguration -Container $Container -Blob $configurationBlob -Context $context -Force
    }
}
finally {
    # The filled-in copy holds the secrets: it does not outlive the upload.
    Remove-Item -LiteralPath $filledConfiguration -Force -ErrorAction SilentlyContinue
}
$expiry = (Get-Date).AddHours($SasHours)
$packageUrl = New-AzStorageBlobSASToken -Container $Container -Blob $packageBlob -Permission r -ExpiryTime $expiry -Context $context -FullUri
$configurationUrl = New-AzStorageBlobSASToken -Container $Container -Blob $configurationBlob -Permission r -ExpiryTime $expiry -Context $context -FullUri

# 4. Network, when missing; names as in npm run publish.
$tags = @{ application = 'chatapp'; 'deployed-by' = 'Publish-Service.ps1' }
if (-not (Get-AzVirtualNetwork -Name $vnetName -ResourceGroupName $ResourceGroup -ErrorAction SilentlyContinue)) {
    $subnet = New-AzVirtualNetworkSubnetConfig -Name $subnetName -AddressPrefix '10.0.0.0/24'
    $null = New-AzVirtualNetwork -Name $vnetName -ResourceGroupName $ResourceGroup -Location $Location -AddressPrefix '10.0.0.0/16' -Subnet $subnet -Tag $tags
    Write-Host "virtual network ${vnetName}: created"
}
$publicIpName = "$Name-ip"
$publicIp = Get-AzPublicIpAddress -Name $publicIpName -ResourceGroupName $ResourceGroup -ErrorAction SilentlyContinue
if (-not $publicIp) {
    $allocation = if ($PublicIpSku -eq 'Standard') { 'Static' } else { 'Dynamic' }
    $publicIp = New-AzPublicIpAddress -Name $publicIpName -ResourceGroupName $ResourceGroup -Location $Location -AllocationMethod $allocation `
        -IpAddressVersion IPv4 -DomainNameLabel $Name -Sku $PublicIpSku -Tag $tags
    Write-Host "public IP ${publicIpName}: created"
}

# 5. Create, or update in place.
$existing = Get-AzCloudService -Name $Name -ResourceGroupName $ResourceGroup -ErrorAction SilentlyContinue
if ($existing) {
    if ($PSCmdlet.ShouldProcess($Name, 'update the cloud service in place')) {
        $existing.PackageUrl = $packageUrl
        $existing.ConfigurationUrl = $configurationUrl
        $existing.Configuration = $null
        $null = $existing | Update-AzCloudService
    }
}
else {
    $frontend = New-AzCloudServiceLoadBalancerFrontendIPConfigurationObject -Name "$Name-frontend" -PublicIPAddressId $publicIp.Id
    $loadBalancer = New-AzCloudServiceLoadBalancerConfigurationObject -Name "$Name-lb" -FrontendIPConfiguration $frontend
    $roleProfile = New-AzCloudServiceRoleProfilePropertiesObject -Name $roleName -SkuName $vmSize -SkuTier ($vmSize -split '_')[0] -SkuCapacity $instanceCount
    if ($PSCmdlet.ShouldProcess($Name, 'create the cloud service')) {
        $null = New-AzCloudService -Name $Name -ResourceGroupName $ResourceGroup -Location $Location -PackageUrl $packageUrl `
            -ConfigurationUrl $configurationUrl -UpgradeMode Auto -RoleProfile @{ role = @($roleProfile) } `
            -NetworkProfile @{ loadBalancerConfiguration = $loadBalancer } -Tag $tags
    }
}

# 6. Where the chat is.
$fqdn = (Get-AzPublicIpAddress -Name $publicIpName -ResourceGroupName $ResourceGroup).DnsSettings.Fqdn
Write-Host "chat: http://$fqdn/"
exit 0
