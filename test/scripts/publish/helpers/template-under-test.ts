import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ArmTemplate } from '../../../../scripts/publish/app-service/template-resources.js';

/** The compiled template the App Service publish tests deploy: the repository's own infra/main.json. */
export const TEMPLATE_UNDER_TEST = fileURLToPath(new URL('../../../../infra/main.json', import.meta.url));

export function templateUnderTest(): ArmTemplate {
  return JSON.parse(readFileSync(TEMPLATE_UNDER_TEST, 'utf8')) as ArmTemplate;
}
