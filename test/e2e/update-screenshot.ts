import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * `npm run screenshot`: runs the end-to-end test that takes the README's screenshot, with
 * docs/screenshot.png as its destination. The only command that writes into docs/.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const destination = fileURLToPath(new URL('../../docs/screenshot.png', import.meta.url));

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-name-pattern=saves a screenshot', 'test/e2e/chat.test.ts'],
  { cwd: root, stdio: 'inherit', env: { ...process.env, CHATAPP_SCREENSHOT: destination } },
);
if (result.status === 0) console.log(`updated ${destination}`);
process.exit(result.status ?? 1);
