// Loaded with NODE_OPTIONS=--import into the `npm run publish` that Publish-Service.ps1 starts in
// the Pester tests: the one change to that process is where Azure is (see hooks.mjs).
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
