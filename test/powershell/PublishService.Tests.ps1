BeforeAll {
    . (Join-Path $PSScriptRoot (Join-Path 'helpers' 'ScriptRunner.ps1'))

    $folder = New-TemporaryFolder
    $node = (Get-Command -Name 'node' -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
    $standIns = Join-Path $PSScriptRoot (Join-Path 'helpers' 'azure-stand-ins')
    # A Node process beside the tests; -Talk: its input and output are the test's (else its errors are).
    function Start-Node([string[]] $Arguments, [switch] $Talk) {
        $start = [System.Diagnostics.ProcessStartInfo]::new($node)
        foreach ($argument in $Arguments) { $start.ArgumentList.Add($argument) }
        $start.WorkingDirectory = $RepositoryRoot
        $start.RedirectStandardInput = $Talk.IsPresent
        $start.RedirectStandardOutput = $Talk.IsPresent
        $start.RedirectStandardError = -not $Talk.IsPresent
        $start.UseShellExecute = $false
        [System.Diagnostics.Process]::Start($start)
    }

    # The publish that Publish-Service.ps1 starts, compiled once with the stand-ins for Azure (see
    # helpers/azure-stand-ins/compile-publish.mjs), while the fake Resource Manager and Azurite start
    # in a Node process of their own (helpers/fake-azure.ts).
    $compiledPublish = Join-Path $folder (Join-Path 'publish' 'main.js')
    $compile = Start-Node @((Join-Path $standIns 'compile-publish.mjs'), $compiledPublish)
    $compileOutput = $compile.StandardError.ReadToEndAsync()
    $fakeAzure = Start-Node @('--import', 'tsx', (Join-Path $PSScriptRoot (Join-Path 'helpers' 'fake-azure.ts'))) -Talk
    $firstLine = $fakeAzure.StandardOutput.ReadLineAsync()
    if (-not $firstLine.Wait([TimeSpan]::FromMinutes(2))) { throw 'fake-azure.ts printed no endpoints within 2 minutes' }
    $endpoints = $firstLine.Result | ConvertFrom-Json
    if (-not $compile.WaitForExit(120000)) { $compile.Kill(); throw 'compile-publish.mjs did not finish within 2 minutes' }
    if ($compile.ExitCode -ne 0) { throw "compile-publish.mjs failed (exit code $($compile.ExitCode)):`n$($compileOutput.Result)" }

    # A file URL that survives NODE_OPTIONS, which splits at spaces.
    function ConvertTo-FileUrl([string] $Path) { 'file:///' + (($Path -replace '\\', '/').TrimStart('/') -replace ' ', '%20') }

    # One pipeline item per request or blob (Invoke-RestMethod passes a JSON array on as one object).
    function Get-FakeAzure([string] $What) { foreach ($item in (Invoke-RestMethod -Uri "$($endpoints.control)/$What")) { $item } }

    # What the npm publish started by the script sees: the stand-ins for Azure's endpoints, and
    # Azure PowerShell (a stand-in Az.Accounts) as the only sign-in, as after Connect-AzAccount.
    $environment = @{
        CHATAPP_TEST_ARM_URL          = $endpoints.arm
        CHATAPP_TEST_BLOB_URL         = $endpoints.blob
        CHATAPP_TEST_PUBLISH_COMPILED = $compiledPublish
        NODE_OPTIONS                  = "--import $(ConvertTo-FileUrl (Join-Path $standIns 'register.mjs'))"
        PSModulePath                  = (Join-Path $PSScriptRoot 'fixtures') + [System.IO.Path]::PathSeparator + $env:PSModulePath
        AZURE_TOKEN_CREDENTIALS       = 'AzurePowerShellCredential'
    }
    foreach ($name in 'AZURE_SUBSCRIPTION_ID', 'CHATAPP_RESOURCE_GROUP', 'CHATAPP_NAME', 'CHATAPP_LOCATION', 'CHATAPP_STORAGE_ACCOUNT') { $environment[$name] = $null }
    Get-ChildItem env: | Where-Object { $_.Name -like 'CHATAPP_SETTING_*' } | ForEach-Object { $environment[$_.Name] = $null }
    $savedEnvironment = @{}
    foreach ($name in $environment.Keys) {
        $savedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, $environment[$name])
    }

    # cspack does not run here (Linux): any bytes stand in for the .cspkg.
    $package = Join-Path $folder 'chatapp.cspkg'
    Set-Content -LiteralPath $package -Value 'PK fake cspkg' -NoNewline
    $storageSecret = 'DefaultEndpointsProtocol=https;AccountName=chatdata;AccountKey=c2VjcmV0LWtleS1ub3QtdG8tYmUtcHJpbnRlZA==;EndpointSuffix=core.windows.net'
    $redisSecret = 'rediss://:redis-access-key-not-to-be-printed@chat.westeurope.redis.azure.net:10000'
    $publishArguments = @('-Subscription', '11111111-2222-3333-4444-555555555555', '-ResourceGroup', 'chat-rg', '-Name', 'chatapp-ps',
        '-Location', 'westeurope', '-StorageAccount', 'devstoreaccount1', '-PackagePath', $package,
        '-StorageConnectionString', $storageSecret, '-RedisUrl', $redisSecret)
    $cloudService = '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/chat-rg/providers/Microsoft.Compute/cloudServices/chatapp-ps'
}

AfterAll {
    foreach ($name in $savedEnvironment.Keys) { [Environment]::SetEnvironmentVariable($name, $savedEnvironment[$name]) }
    $fakeAzure.StandardInput.Close()
    if (-not $fakeAzure.WaitForExit(20000)) { $fakeAzure.Kill() }
    Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Publish-Service.ps1 -WhatIf' {
    It 'prints the plan and sends nothing to Azure; a parameter left out comes from its environment variable' {
        $withoutSubscription = $publishArguments | Select-Object -Skip 2
        $env:AZURE_SUBSCRIPTION_ID = '99999999-2222-3333-4444-555555555555'
        try {
            $result = Invoke-RepositoryScript 'Publish-Service.ps1' ($withoutSubscription + '-WhatIf')
        }
        finally {
            $env:AZURE_SUBSCRIPTION_ID = $null
        }

        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match 'What if: Performing the operation "Publish chatapp" on target "cloud service chatapp-ps"'
        $result.Output | Should -Match 'publish plan for cloud service chatapp-ps in resource group chat-rg \(westeurope\)'
        $result.Output | Should -Match ([regex]::Escape("create, or update in place: PUT $($cloudService -replace '11111111-', '99999999-')"))
        $result.Output | Should -Not -Match ([regex]::Escape('redis-access-key-not-to-be-printed'))
        $result.Output | Should -Not -Match ([regex]::Escape('c2VjcmV0LWtleS1ub3QtdG8tYmUtcHJpbnRlZA'))
        Get-FakeAzure 'requests' | Should -BeNullOrEmpty
        Get-FakeAzure 'blobs' | Should -BeNullOrEmpty
    }
}

Describe 'Publish-Service.ps1 -WhatIf with only -Subscription, -Name and -Location' {
    It 'shows the resource group and storage account it would create, and sends nothing' {
        $result = Invoke-RepositoryScript 'Publish-Service.ps1' @('-Subscription', '11111111-2222-3333-4444-555555555555', '-Name', 'chatapp-ps',
            '-Location', 'westeurope', '-PackagePath', $package, '-RedisUrl', $redisSecret, '-WhatIf')

        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match 'publish plan for cloud service chatapp-ps in resource group rg-chatapp-ps \(westeurope\)'
        $result.Output | Should -Match 'a\. resource group rg-chatapp-ps, if missing: PUT /subscriptions/11111111-2222-3333-4444-555555555555/resourcegroups/rg-chatapp-ps'
        $result.Output | Should -Match 'b\. storage account chatappps[0-9a-f]{8}, used as it is when it exists'
        $result.Output | Should -Match '"allowSharedKeyAccess": true'
        $result.Output | Should -Match 'roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe'
        $result.Output | Should -Match 'STORAGE_CONNECTION_STRING = <redacted>'
        $result.Output | Should -Not -Match ([regex]::Escape('redis-access-key-not-to-be-printed'))
        Get-FakeAzure 'requests' | Should -BeNullOrEmpty
        Get-FakeAzure 'blobs' | Should -BeNullOrEmpty
    }
}

Describe 'Publish-Service.ps1 -Target AppService -WhatIf' {
    It 'prints the one deployment and every resource, without a resource group or storage account, and sends nothing' {
        $appServiceArguments = @('-Target', 'AppService', '-Subscription', '11111111-2222-3333-4444-555555555555',
            '-Name', 'chatapp-ps', '-Location', 'westeurope', '-Sku', 'P1v3', '-Instances', '3', '-WhatIf')

        $result = Invoke-RepositoryScript 'Publish-Service.ps1' $appServiceArguments

        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match 'What if: Performing the operation "Publish chatapp" on target "App Service chatapp-ps"'
        $result.Output | Should -Match ([regex]::Escape('PUT /subscriptions/11111111-2222-3333-4444-555555555555/providers/Microsoft.Resources/deployments/chatapp-chatapp-ps'))
        $result.Output | Should -Match 'resourceGroupName: "rg-chatapp-ps"'
        $result.Output | Should -Match 'sku: "P1v3"'
        $result.Output | Should -Match 'instanceCount: 3'
        $result.Output | Should -Match 'keptAppSettings: <secure>'
        $result.Output | Should -Match 'Microsoft.Web/serverfarms\s+chatapp-ps-plan'
        $result.Output | Should -Match 'Microsoft.Cache/redisEnterprise\s+chatapp-ps-redis'
        Get-FakeAzure 'requests' | Should -BeNullOrEmpty
    }

    It 'passes on npm''s refusal of a storage connection string: the template provisions storage without keys' {
        $appServiceArguments = @('-Target', 'AppService', '-Subscription', '11111111-2222-3333-4444-555555555555',
            '-Name', 'chatapp-ps', '-Location', 'westeurope', '-StorageConnectionString', $storageSecret, '-WhatIf')

        $result = Invoke-RepositoryScript 'Publish-Service.ps1' $appServiceArguments

        $result.ExitCode | Should -Be 1
        $result.Output | Should -Match 'STORAGE_CONNECTION_STRING given, but on App Service the template provisions it without keys'
        $result.Output | Should -Not -Match ([regex]::Escape('c2VjcmV0LWtleS1ub3QtdG8tYmUtcHJpbnRlZA'))
        Get-FakeAzure 'requests' | Should -BeNullOrEmpty
    }
}

Describe 'Publish-Service.ps1 -Target AppService -AzureWhatIf' {
    It 'asks Resource Manager''s what-if, signed in through Azure PowerShell, and deploys nothing' {
        $appServiceArguments = @('-Target', 'AppService', '-Subscription', '11111111-2222-3333-4444-555555555555',
            '-Name', 'chatapp-ps', '-Location', 'westeurope', '-AzureWhatIf')

        $result = Invoke-RepositoryScript 'Publish-Service.ps1' $appServiceArguments

        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match 'what-if for deployment chatapp-chatapp-ps'
        $result.Output | Should -Match '\+ create   /subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-chatapp-ps/providers/Microsoft.Web/sites/chatapp-ps'
        $result.Output | Should -Not -Match 'Are you sure'
        $requests = @(Get-FakeAzure 'requests')
        @($requests | Where-Object method -eq 'PUT') | Should -BeNullOrEmpty
        @($requests | Where-Object { $_.method -eq 'POST' -and $_.path -like '*/whatIf' }) | Should -HaveCount 1
        @($requests.authorization | Select-Object -Unique) | Should -Be @('Bearer azure-powershell-token-for-management.azure.com')
    }

    It 'is refused for a cloud service, with the fix' {
        $result = Invoke-RepositoryScript 'Publish-Service.ps1' ($publishArguments + '-AzureWhatIf')

        $result.ExitCode | Should -Be 1
        $result.Output | Should -Match '-AzureWhatIf applies to -Target AppService only'
        $result.Output | Should -Not -Match $PowerShellErrorDecoration
        Get-FakeAzure 'requests' | Should -BeNullOrEmpty
    }
}

Describe 'Publish-Service.ps1 -Confirm' {
    It 'asks first, and publishes nothing when the answer is No' {
        $result = Invoke-RepositoryScript 'Publish-Service.ps1' ($publishArguments + '-Confirm') -Answer 'N'

        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match 'Are you sure you want to perform this action\?'
        $result.Output | Should -Match 'Performing the operation "Publish chatapp" on target "cloud service\s+chatapp-ps"'
        $result.Output | Should -Not -Match 'publish plan|uploading'
        Get-FakeAzure 'requests' | Should -BeNullOrEmpty
        Get-FakeAzure 'blobs' | Should -BeNullOrEmpty
    }
}

Describe 'Publish-Service.ps1 against the fake Resource Manager' {
    It 'creates the resource group, the storage account and the cloud service, signed in through Azure PowerShell' {
        $result = Invoke-RepositoryScript 'Publish-Service.ps1' ($publishArguments + '-Confirm:$false')

        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match 'cloud service chatapp-ps created \(Succeeded\)'
        $result.Output | Should -Match 'chat: http://chatapp-ps\.westeurope\.cloudapp\.azure\.com/'
        $result.Output | Should -Not -Match ([regex]::Escape('redis-access-key-not-to-be-printed'))
        $requests = @(Get-FakeAzure 'requests')
        @($requests | Where-Object method -eq 'PUT' | ForEach-Object { ($_.path -split '/')[-2] }) |
            Should -Be @('resourcegroups', 'storageAccounts', 'virtualNetworks', 'publicIPAddresses', 'cloudServices')
        $result.Output | Should -Match 'storage account devstoreaccount1: created'
        $requests | Where-Object path -eq $cloudService | Should -Not -BeNullOrEmpty
        # The token AzurePowerShellCredential got from Get-AzAccessToken, for Resource Manager.
        @($requests.authorization | Select-Object -Unique) | Should -Be @('Bearer azure-powershell-token-for-management.azure.com')
        $blobs = @(Get-FakeAzure 'blobs')
        $blobs | Where-Object { $_ -like 'chatapp-packages/chatapp-ps/*/chatapp.cspkg' } | Should -HaveCount 1
        $blobs | Where-Object { $_ -like 'chatapp-packages/chatapp-ps/*/ServiceConfiguration.Cloud.cscfg' } | Should -HaveCount 1
    }

    It 'updates the same service in place when run again' {
        $result = Invoke-RepositoryScript 'Publish-Service.ps1' ($publishArguments + '-Confirm:$false')

        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match 'virtual network chatapp-vnet: exists'
        $result.Output | Should -Match 'storage account devstoreaccount1: exists \(used as it is\)'
        $result.Output | Should -Match 'cloud service chatapp-ps updated'
        $puts = @(Get-FakeAzure 'requests' | Where-Object method -eq 'PUT')
        $puts.path | Should -Be @($cloudService)
    }
}

Describe 'Publish-Service.ps1 with a parameter missing' {
    It 'names the parameter and its environment variable, without a PowerShell stack' {
        $withoutSubscription = $publishArguments | Select-Object -Skip 2

        $result = Invoke-RepositoryScript 'Publish-Service.ps1' ($withoutSubscription + '-WhatIf')

        $result.ExitCode | Should -Be 1
        $result.Output | Should -Match ([regex]::Escape('missing -Subscription (or $env:AZURE_SUBSCRIPTION_ID)'))
        $result.Output | Should -Not -Match $PowerShellErrorDecoration
        Get-FakeAzure 'requests' | Should -BeNullOrEmpty
    }
}
