metadata description = 'Log Analytics and workspace-based Application Insights, both with local (key) authentication off; the identity may publish telemetry.'

@description('Name suffix of both resources.')
param name string

@description('Azure region.')
param location string

@description('Tags.')
param tags { *: string }

@description('Days logs are kept.')
param retentionInDays int

@description('Name of the app\'s user-assigned identity, in this resource group.')
param identityName string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

@description('Built-in role Monitoring Metrics Publisher: may send telemetry to the component.')
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource workspace 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: 'log-${name}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      disableLocalAuth: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${name}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

resource publishTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Application Insights resource name.')
output applicationInsightsName string = appInsights.name

@description('Application Insights connection string: an ingestion endpoint and instrumentation key, not a secret (local authentication is off, so ingestion needs an Entra ID token).')
output connectionString string = appInsights.properties.ConnectionString
