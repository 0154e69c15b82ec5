import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { functionsCalled, isExpression, propertiesRead } from '../../scripts/infra/arm-expression-parser.js';
import { deploy, evaluate, LOCATION, nested, only, template } from './helpers/compiled-template.js';

/**
 * The negative half of issue 15: no key, password or connection string with a key anywhere in the
 * compiled template, its outputs or the app settings it writes. Scans every string and property
 * name of infra/main.json rather than trusting a list of the places a key could be.
 */

function walk(value: unknown, visit: (text: string, path: string) => void, path = '$'): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, i) => walk(item, visit, `${path}[${i}]`));
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      visit(key, `${path} (property name)`);
      walk(item, visit, `${path}.${key}`);
    }
  }
}

const expressions: { text: string; path: string }[] = [];
walk(template, (text, path) => {
  if (isExpression(text)) expressions.push({ text, path });
});

describe('no key anywhere in infra/main.json', () => {
  it('calls no list* function (listKeys, listConnectionStrings, listAccountSas, ...) in any expression', () => {
    assert.ok(expressions.length > 20, 'the scan found the template\'s expressions');
    const listing = expressions.flatMap(({ text, path }) => functionsCalled(text).filter((name) => name.startsWith('list')).map((name) => `${path}: ${name}()`));
    assert.deepEqual(listing, []);
  });

  it('reads no key, password, secret or connection string from any resource, except Application Insights\' key-free connection string', () => {
    const risky = /key|password|secret|connectionstring|sas/i;
    const reads = expressions.flatMap(({ text, path }) =>
      propertiesRead(text)
        .filter(({ property }) => risky.test(property))
        // items() yields {key, value} pairs: the name of an app setting, not a credential.
        .filter(({ property, from }) => !(property === 'key' && from.startsWith('lambdavariables(')))
        // With DisableLocalAuth the instrumentation key in it admits nothing.
        .filter(({ property, from }) => !(property === 'ConnectionString' && from.startsWith("reference(resourceid('Microsoft.Insights/components'")))
        .map(({ property, from }) => `${path}: ${from}.${property}`),
    );
    assert.deepEqual(reads, []);
  });

  it('has no literal that looks like a credential and no property that would carry one', () => {
    const found: string[] = [];
    walk(template, (text, path) => {
      if (/AccountKey=|SharedAccessKey|SharedAccessSignature|password=|:\/\/[^/\s]*:[^/\s]*@/i.test(text)) found.push(`${path}: ${text.slice(0, 80)}`);
      if (path.endsWith('(property name)') && /^(password|adminPassword|primaryKey|secondaryKey|accountKey|keys|accessKey|connectionStrings?)$/i.test(text)) found.push(path);
    });
    assert.deepEqual(found, []);
  });

  it('outputs nothing secure and nothing named like a secret', () => {
    for (const outputs of [template.outputs, nested.outputs]) {
      for (const [name, output] of Object.entries(outputs)) {
        assert.equal(output.type, 'string', name);
        assert.doesNotMatch(name, /key|password|secret|connection/i);
      }
    }
  });

  it('takes no secret as a plain parameter: the only secure one is keptAppSettings, values publish leaves alone', () => {
    for (const parameters of [template.parameters, nested.parameters]) {
      const secure = Object.entries(parameters).filter(([, p]) => p.type.startsWith('secure')).map(([name]) => name);
      assert.deepEqual(secure, ['keptAppSettings']);
      assert.deepEqual(Object.keys(parameters).filter((name) => /key|password|secret|connection/i.test(name)), []);
    }
  });

  it('writes app settings without a key: no AccountKey, no password in REDIS_URL, Entra ID switches on', () => {
    for (const instanceCount of [1, 2]) {
      const scope = deploy({ name: 'chat-demo', location: LOCATION, instanceCount }).inner;
      const site = evaluate(only(nested.resources, 'Microsoft.Web/sites'), scope) as { properties: { siteConfig: { appSettings: { name: string; value: string }[] } } };
      const settings = Object.fromEntries(site.properties.siteConfig.appSettings.map(({ name, value }) => [name, value]));
      assert.deepEqual(Object.keys(settings).filter((name) => /KEY|PASSWORD|SECRET|STORAGE_CONNECTION_STRING/.test(name)), []);
      for (const value of Object.values(settings)) assert.doesNotMatch(value, /AccountKey=|SharedAccessKey|password/i);
      if (instanceCount > 1) {
        assert.equal(new URL(settings.REDIS_URL!).password, '');
        assert.equal(new URL(settings.REDIS_URL!).username, '');
        assert.equal(settings.REDIS_AUTH, 'entra');
      }
      assert.equal(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING, 'Authorization=AAD');
    }
  });
});
