#!/usr/bin/env bash
# Deploys IndicatorFunctions to Azure with the Azure CLI (signed in: `az login`, or OIDC in a workflow):
# the resource group, a what-if of infra-bicep/main.bicep, the deployment, then the app package that
# scripts/publish.sh builds, to the Flex Consumption app. Prints the API's URL and how to read its key.
# Usage: scripts/deploy.sh RESOURCE_GROUP LOCATION [parameter=value ...]   (parameters of main.bicep)
# DEPLOY_ZIP=path deploys a package built before (by scripts/publish.sh) instead of building one.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage="usage: scripts/deploy.sh RESOURCE_GROUP LOCATION [parameter=value ...]"
group=${1:?$usage}
location=${2:?$usage}
shift 2

parameters=(--parameters "$ROOT/infra-bicep/main.bicepparam")
for override in "$@"; do parameters+=(--parameters "$override"); done
deployment="indicators-$(date -u +%Y%m%d%H%M%S)"

az group create --name "$group" --location "$location" --output none
az deployment group what-if --resource-group "$group" --name "$deployment" "${parameters[@]}"
if [ -t 0 ]; then
  read -r -p "Deploy these changes to $group? [y/N] " answer
  [[ "$answer" =~ ^[Yy] ]] || { echo "Nothing deployed."; exit 1; }
fi
az deployment group create --resource-group "$group" --name "$deployment" "${parameters[@]}" --output none

output() { az deployment group show --resource-group "$group" --name "$deployment" --query "properties.outputs.$1.value" --output tsv; }
app=$(output functionAppName)
host=$(output defaultHostName)

zip=${DEPLOY_ZIP:-$(bash "$ROOT/scripts/publish.sh" "$ROOT/out/functionapp.zip" | tail -n 1)}
az functionapp deployment source config-zip --resource-group "$group" --name "$app" --src "$zip" --output none

echo "Deployed $app: https://$host/api/health"
echo "Function-level routes (writes, runs, sources) take the host's default key as x-functions-key or ?code=:"
echo "  az functionapp keys list --resource-group $group --name $app --query functionKeys.default --output tsv"
