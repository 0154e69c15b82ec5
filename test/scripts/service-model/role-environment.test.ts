import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FIXTURE_ROLE_SETTINGS, copyService, edit, problemsAfter, problemsIn, removeServiceCopies } from '../service-copy.js';

after(removeServiceCopies);

const DEFINITION = 'ServiceDefinition.csdef';
const SETTING_XPATH = '/RoleEnvironment/CurrentInstance/ConfigurationSettings/ConfigurationSetting';

/** Adds a one-line Runtime environment variable as line 20, right after <Environment>. */
function addVariable(variable: string) {
  return edit(DEFINITION, '      <Environment>\n', `      <Environment>\n        ${variable}\n`);
}

test('rejects a csdef that does not map an environment variable the role reads', () => {
  const roleSettings = { ...FIXTURE_ROLE_SETTINGS, names: [...FIXTURE_ROLE_SETTINGS.names, 'REDIS_URL'] };
  assert.deepEqual(problemsIn(copyService(), { roleSettings }), [
    `ServiceDefinition.csdef:19: role WorkerRole1 does not map REDIS_URL, which the role reads (the fixture role settings); add <Variable name="REDIS_URL"> with <RoleInstanceValue xpath="${SETTING_XPATH}[@name='REDIS_URL']/@value"/> under <Runtime><Environment>`,
  ]);
});

test('rejects a ConfigurationSetting xpath that names an undeclared setting', () => {
  const variable = `<Variable name="CACHE"><RoleInstanceValue xpath="${SETTING_XPATH}[@name='CACHE_URL']/@value" /></Variable>`;
  assert.deepEqual(problemsAfter([addVariable(variable)]), [
    'ServiceDefinition.csdef:20: variable CACHE reads setting CACHE_URL, which role WorkerRole1 does not declare under <ConfigurationSettings>',
  ]);
});

test('rejects a role setting read from a misspelt setting name, and the declared one left unread', () => {
  assert.deepEqual(problemsAfter([edit(DEFINITION, "[@name='LOG_LEVEL']/@value", "[@name='LOGLEVEL']/@value")]), [
    'ServiceDefinition.csdef:9: setting LOG_LEVEL is declared but no <Runtime><Environment> variable reads it, so the role never sees its value',
    'ServiceDefinition.csdef:26: variable LOG_LEVEL reads setting LOGLEVEL, which role WorkerRole1 does not declare under <ConfigurationSettings>',
  ]);
});

test('rejects a role setting fixed in the csdef instead of read from the cscfg', () => {
  const mapped = `<Variable name="LOG_LEVEL">\n          <RoleInstanceValue xpath="${SETTING_XPATH}[@name='LOG_LEVEL']/@value" />\n`;
  assert.deepEqual(problemsAfter([edit(DEFINITION, mapped, '<Variable name="LOG_LEVEL" value="info">\n')]), [
    'ServiceDefinition.csdef:9: setting LOG_LEVEL is declared but no <Runtime><Environment> variable reads it, so the role never sees its value',
    `ServiceDefinition.csdef:26: LOG_LEVEL must read its configuration setting, so the cscfg value reaches the role: ${SETTING_XPATH}[@name='LOG_LEVEL']/@value`,
  ]);
});

test('rejects PORT read from an endpoint the role does not declare', () => {
  assert.deepEqual(problemsAfter([edit(DEFINITION, "Endpoint[@name='HttpIn']/@port", "Endpoint[@name='HttpsIn']/@port")]), [
    'ServiceDefinition.csdef:20: PORT reads the port of endpoint HttpsIn, which role WorkerRole1 does not declare',
  ]);
});

test('rejects INSTANCE_ID read from anything but the instance id', () => {
  assert.deepEqual(problemsAfter([edit(DEFINITION, '/RoleEnvironment/CurrentInstance/@id', '/RoleEnvironment/Deployment/@id')]), [
    'ServiceDefinition.csdef:23: INSTANCE_ID must read the instance id: /RoleEnvironment/CurrentInstance/@id',
  ]);
});

test('rejects a declared setting that no environment variable reads', () => {
  const mapped = `        <Variable name="ALLOWED_ORIGINS">\n          <RoleInstanceValue xpath="${SETTING_XPATH}[@name='ALLOWED_ORIGINS']/@value" />\n        </Variable>\n`;
  const roleSettings = { ...FIXTURE_ROLE_SETTINGS, names: ['PORT', 'INSTANCE_ID', 'LOG_LEVEL'] };
  assert.deepEqual(problemsAfter([edit(DEFINITION, mapped, '')], { roleSettings }), [
    'ServiceDefinition.csdef:10: setting ALLOWED_ORIGINS is declared but no <Runtime><Environment> variable reads it, so the role never sees its value',
  ]);
});

test('rejects an environment variable set twice', () => {
  const nodeEnv = addVariable('<Variable name="NODE_ENV" value="production" />');
  assert.deepEqual(problemsAfter([nodeEnv, nodeEnv]), [
    'ServiceDefinition.csdef:21: environment variable NODE_ENV is set twice in role WorkerRole1 (first at line 20)',
  ]);
});
