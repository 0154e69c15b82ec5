/** The file names and XML namespaces of a Cloud Service, as cspack and Azure expect them. */

export const DEFINITION_FILE = 'ServiceDefinition.csdef';
export const CLOUD_CONFIGURATION_FILE = 'ServiceConfiguration.Cloud.cscfg';
export const LOCAL_CONFIGURATION_FILE = 'ServiceConfiguration.Local.cscfg';

/** Every configuration the repository keeps; Azure gets Cloud, the emulators get Local. */
export const REQUIRED_CONFIGURATION_FILES = [CLOUD_CONFIGURATION_FILE, LOCAL_CONFIGURATION_FILE] as const;

/** Any other `ServiceConfiguration.<Name>.cscfg` beside them is validated too. */
export const CONFIGURATION_FILE_PATTERN = /^ServiceConfiguration\.[^.]+\.cscfg$/;

export const DEFINITION_NAMESPACE = 'http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceDefinition';
export const CONFIGURATION_NAMESPACE = 'http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration';
