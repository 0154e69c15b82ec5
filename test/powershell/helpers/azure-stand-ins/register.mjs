// Loaded with NODE_OPTIONS=--import into the `node --import tsx scripts/publish/main.ts` that
// Publish-Service.ps1 starts in the Pester tests: the one change to that process is where Azure is (see hooks.mjs).
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const compiled = process.env.CHATAPP_TEST_PUBLISH_COMPILED;
if (!compiled) throw new Error('CHATAPP_TEST_PUBLISH_COMPILED is not set: the file compile-publish.mjs wrote is unknown');
register('./hooks.mjs', import.meta.url, { data: { compiled: pathToFileURL(compiled).href } });
