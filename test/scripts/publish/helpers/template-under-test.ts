import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ArmTemplate } from '../../../../scripts/publish/app-service/template-resources.js';

/**
 * The compiled template the App Service publish tests deploy: the repository's infra/main.json
 * (branch infra's) when it is there, else the copy in fixtures/ (see fixtures/README.md), so the
 * tests check the real template as soon as it is merged.
 */
const REPOSITORY_TEMPLATE = fileURLToPath(new URL('../../../../infra/main.json', import.meta.url));
const FIXTURE_TEMPLATE = fileURLToPath(new URL('../fixtures/infra-main.json', import.meta.url));

export const TEMPLATE_UNDER_TEST = existsSync(REPOSITORY_TEMPLATE) ? REPOSITORY_TEMPLATE : FIXTURE_TEMPLATE;

export function templateUnderTest(): ArmTemplate {
  return JSON.parse(readFileSync(TEMPLATE_UNDER_TEST, 'utf8')) as ArmTemplate;
}
