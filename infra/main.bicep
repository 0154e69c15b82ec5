// The App Service topology of chatapp, declared once: `azd up` provisions it from here and
// `npm run publish -- --target appservice` deploys the compiled main.json. Nothing in it carries a
// key: the site's managed identity is granted data access instead.
targetScope = 'subscription'

@minLength(2)
// The longest derived name, '<name>-redis', must stay within Azure Managed Redis's 60 characters.
@maxLength(54)
@description('The web app name (<name>.azurewebsites.net) and the stem of every other resource name.')
param name string

@minLength(1)
@description('Azure region of the resource group and every resource in it.')
param location string

@description('Resource group to create or update.')
param resourceGroupName string = 'rg-${name}'

@description('App Service plan SKU (Linux). P0v3: no WebSocket cap, Always On, up to 30 instances.')
param sku string = 'P0v3'

@minValue(1)
@maxValue(30)
@description('Instances of the plan. More than one also provisions Azure Managed Redis, which joins them.')
param instanceCount int = 2

@description('Azure Managed Redis SKU, used only when instanceCount > 1.')
param redisSku string = 'Balanced_B0'

@description('The role\'s non-secret settings from the Cloud cscfg; the template\'s own settings win over them.')
param roleSettings object = {}

@secure()
@description('App settings already on the site that publish does not manage, kept across an update.')
param keptAppSettings object = {}

var tags = {
  application: 'chatapp'
  'azd-env-name': name
}

resource group 'Microsoft.Resources/resourceGroups@2024-11-01' = {
  name: resourceGroupName
  location: location
  tags: tags
}

module resources 'resources.bicep' = {
  name: 'resources'
  scope: group
  params: {
    name: name
    location: location
    tags: tags
    sku: sku
    instanceCount: instanceCount
    redisSku: redisSku
    roleSettings: roleSettings
    keptAppSettings: keptAppSettings
  }
}

output AZURE_RESOURCE_GROUP string = group.name
output WEB_APP_NAME string = resources.outputs.webAppName
output WEB_APP_URL string = resources.outputs.webAppUrl
output STORAGE_ACCOUNT_NAME string = resources.outputs.storageAccountName
output STORAGE_TABLE_ENDPOINT string = resources.outputs.storageTableEndpoint
output REDIS_HOST_NAME string = resources.outputs.redisHostName
output APPLICATIONINSIGHTS_NAME string = resources.outputs.applicationInsightsName
