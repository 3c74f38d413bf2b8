metadata description = 'IndicatorFunctions on Azure Functions Flex Consumption: one user-assigned identity for storage, deployment and telemetry; no keys anywhere.'

targetScope = 'resourceGroup'

@description('Azure region of every resource; it must offer the Flex Consumption plan.')
param location string = resourceGroup().location

@description('Short name that resource names start with: lowercase letters and digits.')
@minLength(2)
@maxLength(11)
param name string = 'indicators'

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory of each instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Origins allowed to read the API from a browser (dashboards), such as https://dashboards.example.org. None by default.')
param corsOrigins string[] = []

@description('Six-field NCRONTAB schedule (UTC) of the nightly collect-and-aggregate run (app setting AggregationSchedule).')
param aggregationSchedule string = '0 0 2 * * *'

@description('One collect-and-aggregate run whenever an instance starts (app setting RunOnStartup): for development only.')
param runOnStartup bool = false

@description('Largest ingestion body, and largest payload a source may give, in bytes (app setting MaxIngestBytes).')
@minValue(1)
@maxValue(104857600)
param maxIngestBytes int = 10485760

@description('Attempts to write one series while another instance writes it too (app setting IngestAttempts).')
@minValue(1)
@maxValue(20)
param ingestAttempts int = 8

@description('Cache-Control max-age of read responses, in seconds (app setting ReadCacheSeconds).')
@minValue(0)
@maxValue(86400)
param readCacheSeconds int = 60

@description('Split each full run into one work item per indicator on the aggregation-work queue, done by every instance (app setting AggregationFanOut).')
param aggregationFanOut bool = false

@description('Prefix of every table and container the app creates (app setting StoragePrefix): 1-16 lowercase letters and digits, or empty.')
@maxLength(16)
param storagePrefix string = ''

@description('Days Log Analytics keeps logs and telemetry.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Tags on every resource.')
param tags { *: string } = {}

@description('Makes the names unique per resource group and name, and stable across deployments.')
var token = uniqueString(resourceGroup().id, name)

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-${name}-${token}'
  location: location
  tags: tags
}

module storage 'modules/storage.bicep' = {
  params: {
    name: take('st${name}${token}', 24)
    location: location
    tags: tags
    identityName: identity.name
  }
}

module monitoring 'modules/monitoring.bicep' = {
  params: {
    name: '${name}-${token}'
    location: location
    tags: tags
    retentionInDays: logRetentionDays
    identityName: identity.name
  }
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: 'plan-${name}-${token}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: 'func-${name}-${token}'
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // CORS is the app's own policy (setting CorsOrigins: GET only, ETag exposed), the one local mode runs too.
      appSettings: [
        // Storage for the host and the app, through the identity: no connection string, no key.
        { name: 'AzureWebJobsStorage__accountName', value: storage.outputs.name }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identity.properties.clientId }
        // Telemetry with Entra ID (the component refuses instrumentation-key-only ingestion).
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: monitoring.outputs.connectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identity.properties.clientId};Authorization=AAD' }
        // The app's own settings, named as in local.settings.sample.json.
        { name: 'AggregationSchedule', value: aggregationSchedule }
        { name: 'RunOnStartup', value: runOnStartup ? 'true' : 'false' }
        { name: 'MaxIngestBytes', value: string(maxIngestBytes) }
        { name: 'IngestAttempts', value: string(ingestAttempts) }
        { name: 'ReadCacheSeconds', value: string(readCacheSeconds) }
        { name: 'AggregationFanOut', value: aggregationFanOut ? 'true' : 'false' }
        { name: 'StoragePrefix', value: storagePrefix }
        { name: 'CorsOrigins', value: join(corsOrigins, ',') }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: storage.outputs.deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// No FTP and no basic-auth (SCM) publishing: deployments authenticate with Entra ID.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

@description('Name of the Function App.')
output functionAppName string = app.name

@description('Default host name of the Function App: the API is at https://{host}/api.')
output defaultHostName string = app.properties.defaultHostName

@description('Name of the storage account holding the app\'s tables, raw inputs and deployment package.')
output storageAccountName string = storage.outputs.name
