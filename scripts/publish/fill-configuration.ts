import { DOMParser, type Element, XMLSerializer } from '@xmldom/xmldom';
import { PublishError } from './errors.js';
import { OFF_WHEN_EMPTY_SECRET_SETTINGS, type SettingName } from '../../WorkerRole1/src/server/config/settings.js';
import { settingValueProblems } from '../../WorkerRole1/src/server/config/setting-problems.js';
import { isSecretSetting } from './secrets.js';

export interface FilledConfiguration {
  /** The cscfg text with the values put in; what Azure gets. */
  xml: string;
  /** Every setting of the role as it will be deployed. */
  settings: { name: string; value: string; secret: boolean }[];
  /** The values of secret settings, for redaction. */
  secretValues: string[];
}

/**
 * Puts the deployment's setting values into the cscfg's text, changing nothing else (comments,
 * order and the NetworkConfiguration stay as written, so a diff against the repository's file
 * shows only values). Refuses a value for a setting the cscfg does not have (a typo would otherwise
 * be silently ignored) and a secret setting left empty (a connection string has no default).
 */
export function fillConfiguration(
  cscfgText: string,
  roleName: string,
  values: Record<string, string>,
  /** App Service: false, because its template provisions storage and Redis without keys. */
  { requireSecrets = true }: { requireSecrets?: boolean } = {},
): FilledConfiguration {
  const document = new DOMParser().parseFromString(cscfgText.replace(/^\uFEFF/, ''), 'text/xml');
  const role = [...elements(document.documentElement, 'Role')].find((element) => element.getAttribute('name') === roleName);
  if (!role) throw new PublishError(`the cscfg has no <Role name="${roleName}">`, 'run npm run validate and fix what it reports');
  const settingElements = [...elements(role, 'Setting')];
  const declared = new Set(settingElements.map((element) => element.getAttribute('name') ?? ''));

  const unknown = Object.keys(values).filter((name) => !declared.has(name));
  if (unknown.length > 0) {
    throw new PublishError(
      `no setting named ${unknown.join(', ')} in the cscfg (it has ${[...declared].join(', ')})`,
      'check the spelling; a new setting must first be declared in ServiceDefinition.csdef and every .cscfg (npm run validate checks them)',
    );
  }

  const settings = settingElements.map((element) => {
    const name = element.getAttribute('name') ?? '';
    if (Object.hasOwn(values, name)) element.setAttribute('value', values[name]!);
    return { name, value: element.getAttribute('value') ?? '', secret: isSecretSetting(name) };
  });
  const invalid = settings.flatMap(({ name, value }) => settingValueProblems(name, value));
  if (invalid.length > 0) {
    // The role would refuse these at start and Azure would recycle it in a loop: refuse them here.
    throw new PublishError(`invalid setting value${invalid.length === 1 ? '' : 's'}: ${invalid.join('; ')}`, 'correct the value; README.md lists every setting and its format');
  }
  const empty = settings.filter(
    ({ name, value, secret }) => requireSecrets && secret && value === '' && !Object.hasOwn(values, name) && !OFF_WHEN_EMPTY_SECRET_SETTINGS.has(name as SettingName),
  );
  if (empty.length > 0) {
    const names = empty.map(({ name }) => name);
    throw new PublishError(
      `setting${names.length === 1 ? '' : 's'} left empty: ${names.join(', ')}`,
      names.map((name) => `pass --setting ${name}=<value> or set CHATAPP_SETTING_${name}`).join('; ') +
        ' (an explicit empty value, --setting NAME=, deploys it empty on purpose)',
    );
  }
  return {
    xml: new XMLSerializer().serializeToString(document),
    settings,
    secretValues: settings.filter(({ secret, value }) => secret && value !== '').map(({ value }) => value),
  };
}

function* elements(parent: Element | null, localName: string): Generator<Element> {
  if (!parent) return;
  const found = parent.getElementsByTagNameNS('*', localName);
  for (let index = 0; index < found.length; index += 1) yield found.item(index)!;
}

/** A setting's value as the cscfg file itself has it, before any flag; undefined if not declared. */
export function configuredValue(cscfgText: string, roleName: string, settingName: string): string | undefined {
  const document = new DOMParser().parseFromString(cscfgText.replace(/^\uFEFF/, ''), 'text/xml');
  const role = [...elements(document.documentElement, 'Role')].find((element) => element.getAttribute('name') === roleName);
  const setting = [...elements(role ?? null, 'Setting')].find((element) => element.getAttribute('name') === settingName);
  return setting ? (setting.getAttribute('value') ?? '') : undefined;
}
