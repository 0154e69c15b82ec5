/**
 * The api-versions the pinned SDKs send (@azure/arm-compute 23.3.0, @azure/arm-network 36.x), shown
 * in `--dry-run`. The fake Resource Manager in the tests asserts them, so an SDK upgrade that changes
 * them fails a test instead of silently printing the wrong version. Note that arm-compute 23.3.0
 * sends 2024-11-04 for cloudServices; the request bodies are checked against the 2022-09-04 REST
 * definition, whose shape 2024-11-04 keeps.
 */
export const COMPUTE_API_VERSION = '2024-11-04';
export const NETWORK_API_VERSION = '2025-05-01';
/**
 * Microsoft.Web. @azure/arm-appservice 19.0.0 would send 2025-05-01 by default; publish passes its
 * `apiVersion` option so that it sends 2024-11-01, the version whose REST definitions the tests
 * check the bodies against: what is validated is what is called.
 */
export const WEB_API_VERSION = '2024-11-01';
/**
 * The Cloud Service's storage account and its resource group: what @azure/arm-storage 19.1.0 and
 * @azure/arm-resources 7.0.0 send by default. Role assignments go through arm-resources' generic
 * by-id calls, which take the api-version as an argument: 2022-04-01, the current stable one.
 */
export const STORAGE_API_VERSION = '2025-06-01';
export const RESOURCES_API_VERSION = '2025-04-01';
export const AUTHORIZATION_API_VERSION = '2022-04-01';
/**
 * Microsoft.Resources/deployments (the App Service path's one deployment). Pinned, as above, so an
 * SDK upgrade cannot change it unnoticed: @azure/arm-resourcesdeployments 2.0.0 would send
 * 2026-06-01; 2025-04-01 is the version Bicep 0.49 emits for nested deployments and
 * @azure/arm-resources 7.0.0 sends for the rest of Microsoft.Resources.
 */
export const DEPLOYMENTS_API_VERSION = '2025-04-01';
