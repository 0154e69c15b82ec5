// Every resource of the App Service topology, in the resource group main.bicep creates. The site's
// system-assigned identity is the only credential: it gets data-plane roles on storage, Redis and
// Application Insights, and no setting, output or property holds a key.

param name string
param location string
param tags object
param sku string
param instanceCount int
param redisSku string
param roleSettings object

@secure()
param keptAppSettings object

// Redis joins the instances (sessions, membership, the Socket.IO adapter); one instance needs none.
var useRedis = instanceCount > 1

// Built-in role definitions (the same ids in every tenant).
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

// Names from `name` alone, with no uniqueString, so publish --dry-run can print them offline.
var planName = '${name}-plan'
var storageName = '${take(replace(toLower(name), '-', ''), 20)}hist'
var redisName = '${name}-redis'
var logsName = '${name}-logs'
var insightsName = '${name}-insights'

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: storageName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    // Many organisations' policies require this; the role reaches tables through Entra ID.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
  }
}

resource storageTableAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, site.id, storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
    principalId: site.identity.principalId
    // Skips the directory lookup that fails while a new identity is still replicating.
    principalType: 'ServicePrincipal'
  }
}

resource redis 'Microsoft.Cache/redisEnterprise@2025-04-01' = if (useRedis) {
  name: redisName
  location: location
  tags: tags
  sku: {
    name: redisSku
  }
  properties: {
    minimumTlsVersion: '1.2'
    // Two instances exist for availability; a cache without a replica would undo that.
    highAvailability: 'Enabled'
  }
}

resource redisDatabase 'Microsoft.Cache/redisEnterprise/databases@2025-04-01' = if (useRedis) {
  parent: redis
  name: 'default'
  properties: {
    clientProtocol: 'Encrypted'
    port: 10000
    // A single endpoint behind Redis's proxy: the role's plain createClient, not a cluster client,
    // works with it (OSSCluster would need a cluster-aware client).
    clusteringPolicy: 'EnterpriseCluster'
    // Sessions and the adapter's stream are state, not cache: refuse writes rather than drop them.
    evictionPolicy: 'NoEviction'
    accessKeysAuthentication: 'Disabled'
  }
}

resource redisSiteAccess 'Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments@2025-04-01' = if (useRedis) {
  parent: redisDatabase
  // Letters and digits only; from the site's id so a redeployment names the same assignment.
  name: replace(guid(site.id, 'redis-default-access'), '-', '')
  properties: {
    accessPolicyName: 'default'
    user: {
      objectId: site.identity.principalId
    }
  }
}

resource logs 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: logsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
    features: {
      disableLocalAuth: true
    }
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: insightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    IngestionMode: 'LogAnalytics'
    // Telemetry is accepted only with an Entra token, so the connection string is no secret.
    DisableLocalAuth: true
  }
}

resource insightsPublish 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, site.id, monitoringMetricsPublisher)
  scope: insights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: site.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: sku
    capacity: instanceCount
  }
  properties: {
    reserved: true
  }
}

var ownAppSettings = union(
  {
    STORAGE_TABLE_ENDPOINT: storage.properties.primaryEndpoints.table
    APPLICATIONINSIGHTS_CONNECTION_STRING: insights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
    // The zip carries node_modules built for linux-x64: Kudu must not build over it.
    SCM_DO_BUILD_DURING_DEPLOYMENT: 'false'
  },
  useRedis
    ? {
        REDIS_URL: 'rediss://${redis!.properties.hostName}:10000'
        REDIS_AUTH: 'entra'
      }
    : {}
)

// Later objects win: the portal's extra settings may not override what the template manages.
var appSettings = union(roleSettings, keptAppSettings, ownAppSettings)

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'web' })
  kind: 'app,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    reserved: true
    httpsOnly: true
    // ARR affinity: Socket.IO's long-polling must reach the same instance on every request.
    clientAffinityEnabled: true
    siteConfig: {
      linuxFxVersion: 'NODE|24-lts'
      appCommandLine: 'node dist/server/main.js'
      webSocketsEnabled: true
      // Otherwise the site is unloaded after 20 idle minutes and every socket with it.
      alwaysOn: true
      healthCheckPath: '/healthz'
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // In the site's own PUT, so a deployment never starts the app without its settings.
      appSettings: map(items(appSettings), setting => { name: setting.key, value: setting.value })
    }
  }
}

// Deployments go through Kudu with an Entra token; publishing passwords are a way in nobody needs.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

output webAppName string = site.name
output webAppUrl string = 'https://${site.properties.defaultHostName}/'
output storageAccountName string = storage.name
output storageTableEndpoint string = storage.properties.primaryEndpoints.table
output redisHostName string = useRedis ? redis!.properties.hostName : ''
output applicationInsightsName string = insights.name
