/**
 * The RoleInstanceValue xpaths through which Azure puts role-environment values into environment
 * variables. The csdef may quote the name with ' or ", so the parsers accept both.
 */

export const INSTANCE_ID_XPATH = '/RoleEnvironment/CurrentInstance/@id';

export function endpointPortXPath(endpointName: string): string {
  return `/RoleEnvironment/CurrentInstance/Endpoints/Endpoint[@name='${endpointName}']/@port`;
}

export function configurationSettingXPath(settingName: string): string {
  return `/RoleEnvironment/CurrentInstance/ConfigurationSettings/ConfigurationSetting[@name='${settingName}']/@value`;
}

const ENDPOINT_PORT = /^\/RoleEnvironment\/CurrentInstance\/Endpoints\/Endpoint\[@name=(['"])([^'"]*)\1\]\/@port$/;
const CONFIGURATION_SETTING =
  /^\/RoleEnvironment\/CurrentInstance\/ConfigurationSettings\/ConfigurationSetting\[@name=(['"])([^'"]*)\1\]\/@value$/;

/** The endpoint whose port `xpath` reads, or undefined when it reads something else. */
export function endpointOfPortXPath(xpath: string): string | undefined {
  return ENDPOINT_PORT.exec(xpath.trim())?.[2];
}

/** The configuration setting `xpath` reads, or undefined when it reads something else. */
export function settingOfXPath(xpath: string): string | undefined {
  return CONFIGURATION_SETTING.exec(xpath.trim())?.[2];
}

export function isInstanceIdXPath(xpath: string): boolean {
  return xpath.trim() === INSTANCE_ID_XPATH;
}
