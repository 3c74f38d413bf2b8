using 'main.bicep'

// Values for a first deployment; override any with `scripts/deploy.sh ... name=value`.
param name = 'indicators'
param maximumInstanceCount = 40
param instanceMemoryMB = 2048
param corsOrigins = []
param aggregationSchedule = '0 0 2 * * *'
param runOnStartup = false
