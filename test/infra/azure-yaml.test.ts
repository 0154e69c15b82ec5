import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { packageLayout } from '../../scripts/package/layout.js';
import { template } from './helpers/compiled-template.js';

/**
 * azure.yaml and infra/main.parameters.json as the Azure Developer CLI reads them. azd itself cannot
 * be installed here, so azure.yaml is checked against the schema azd publishes
 * (a copy in fixtures/, draft 2020-12), and the rest against what azd's source does with it.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Copied unchanged from ../shared/azure/azd/ (Azure/azure-dev schemas/v1.0/azure.yaml.json, commit ae35809f, 2026-08-21).
const AZD_SCHEMA = fileURLToPath(new URL('./fixtures/azure.yaml.v1.0.schema.json', import.meta.url));
const azureYaml = parse(readFileSync(join(ROOT, 'azure.yaml'), 'utf8'));

describe('azure.yaml and infra/main.parameters.json (Azure Developer CLI)', () => {
  it('is valid against azd\'s published azure.yaml schema', async () => {
    // The schema refers to the AI extensions' schemas by URL; they play no part in an appservice service.
    const ajv = new Ajv2020({ strict: false, allErrors: true, loadSchema: async () => ({}) });
    const validate = await ajv.compileAsync(JSON.parse(readFileSync(AZD_SCHEMA, 'utf8')));
    assert.equal(validate(azureYaml), true, JSON.stringify(validate.errors, null, 2));
    assert.equal(validate({ name: 'chatapp', services: { web: { project: '.', language: 'js' } } }), false, 'the schema catches a service without host');
  });

  it('declares one service, web, a js app on App Service deployed from the folder the App Service zip is made of', () => {
    assert.deepEqual(Object.keys(azureYaml.services), ['web']);
    const web = azureYaml.services.web;
    assert.equal(web.host, 'appservice');
    assert.equal(web.language, 'js');
    assert.equal(web.project, '.');
    assert.equal(web.dist, relative(ROOT, packageLayout(ROOT).stagedLinuxRole).split('\\').join('/'));
    assert.equal((azureYaml.infra ?? {}).path ?? 'infra', 'infra');
    assert.equal((azureYaml.infra ?? {}).module ?? 'main', 'main');
  });

  it('builds that folder before azd zips it, with the command publish uses (the prepackage hook)', () => {
    const hook = azureYaml.services.web.hooks.prepackage;
    for (const variant of [hook, hook.windows]) {
      assert.equal(variant.run, 'npx tsx scripts/infra/azd-package.ts');
      assert.ok(existsSync(join(ROOT, 'scripts/infra/azd-package.ts')));
    }
    assert.match(readFileSync(join(ROOT, 'scripts/infra/azd-package.ts'), 'utf8'), /\['run', 'package', '--', '--target', 'appservice'\]/);
  });

  it('fills the template\'s two required parameters from azd\'s environment, and names no parameter the template lacks', () => {
    const file = JSON.parse(readFileSync(join(ROOT, 'infra/main.parameters.json'), 'utf8'));
    assert.deepEqual(file.parameters, { name: { value: '${AZURE_ENV_NAME}' }, location: { value: '${AZURE_LOCATION}' } });
    for (const name of Object.keys(file.parameters)) assert.ok(name in template.parameters, name);
  });
});
