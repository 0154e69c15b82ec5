import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { buildBicep, MAIN_JSON } from './bicep.js';

/**
 * `npm run infra:build`: compiles infra/main.bicep into the committed infra/main.json, which publish
 * deploys (so people who publish need no Bicep CLI). A warning or linter finding is a failure and
 * leaves main.json as it was: the template is only published clean.
 */
function main(): void {
  const { template, diagnostics } = buildBicep();
  if (diagnostics.length > 0) {
    console.error(diagnostics.join('\n'));
    console.error(`infra:build: ${diagnostics.length} diagnostic(s); ${relative(process.cwd(), MAIN_JSON)} not written`);
    process.exit(1);
  }
  writeFileSync(MAIN_JSON, template);
  console.log(`wrote ${relative(process.cwd(), MAIN_JSON)}`);
}

try {
  main();
} catch (error) {
  console.error(`infra:build: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
