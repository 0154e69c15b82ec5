import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../WorkerRole1/src/server/config/load-config.js';
import { fillConfiguration } from '../../../scripts/publish/fill-configuration.js';
import { isSecretSetting } from '../../../scripts/publish/secrets.js';

function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
}

const ISSUER = 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0';
const SECRET = 'Abc8Q~not-a-real-secret-but-shaped-like-one';
const OIDC = { AUTH_MODE: 'oidc', OIDC_ISSUER: ISSUER, OIDC_CLIENT_ID: '0f2c6a4e-3b1d-4c8e-9a7f-5d6e7f8a9b0c', OIDC_CLIENT_SECRET: SECRET };

describe('sign-in settings', () => {
  it('defaults to nickname mode, today\'s behaviour, needing nothing else', () => {
    assert.deepEqual(loadConfig({}).auth, { mode: 'nickname' });
  });

  it('reads oidc mode with its issuer (without a trailing slash), client id and secret', () => {
    assert.deepEqual(loadConfig({ ...OIDC, OIDC_ISSUER: `${ISSUER}/` }).auth, {
      mode: 'oidc',
      issuer: ISSUER,
      clientId: OIDC.OIDC_CLIENT_ID,
      clientSecret: SECRET,
    });
  });

  it('names every setting oidc mode lacks', () => {
    assert.match(configError({ AUTH_MODE: 'oidc' }), /AUTH_MODE=oidc needs OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET/);
    assert.match(configError({ ...OIDC, OIDC_CLIENT_SECRET: '' }), /AUTH_MODE=oidc needs OIDC_CLIENT_SECRET \(/);
  });

  it('refuses an AUTH_MODE other than nickname or oidc, naming the setting', () => {
    assert.match(configError({ AUTH_MODE: 'entra' }), /AUTH_MODE "entra" is not valid: expected nickname .* or oidc/);
  });

  it('takes an http:// issuer on a loopback host only', () => {
    assert.equal(loadConfig({ ...OIDC, OIDC_ISSUER: 'http://localhost:4000' }).auth.mode, 'oidc');
    assert.equal(loadConfig({ ...OIDC, OIDC_ISSUER: 'http://127.0.0.1:4000/tenant' }).auth.mode, 'oidc');
    assert.match(configError({ ...OIDC, OIDC_ISSUER: 'http://login.example.com/v2.0' }), /OIDC_ISSUER ".*" is not valid: an http:\/\/ issuer is accepted on a loopback host only/);
  });

  it('treats the client secret as a secret that publish redacts and need not be given in nickname mode', () => {
    assert.equal(isSecretSetting('OIDC_CLIENT_SECRET'), true);
    const cscfg = readFileSync(new URL('../../../ServiceConfiguration.Cloud.cscfg', import.meta.url), 'utf8');
    const filled = fillConfiguration(cscfg, 'WorkerRole1', { STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', REDIS_URL: 'redis://127.0.0.1:6379' });
    assert.equal(filled.settings.find(({ name }) => name === 'OIDC_CLIENT_SECRET')?.value, '');
    const signedIn = fillConfiguration(cscfg, 'WorkerRole1', { STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', REDIS_URL: 'redis://127.0.0.1:6379', ...OIDC });
    assert.ok(signedIn.secretValues.includes(SECRET));
  });
});
