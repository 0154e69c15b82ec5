import { existsSync } from 'node:fs';
import { FAKE_ARM_CA } from '../../../scripts/publish/helpers/fake-resource-manager.js';
import { TEMPLATE_UNDER_TEST } from '../../../scripts/publish/helpers/template-under-test.js';
import { type AppServicePublishInput, type AppServicePublishResult, publishToAppService as publishForReal } from '../../../../scripts/publish/app-service/publish-app-service.js';

export * from '../../../../scripts/publish/app-service/publish-app-service.js';

/**
 * The real App Service path, its Resource Manager calls pointed at the fake whose URL the Pester test
 * passes in CHATAPP_TEST_ARM_URL; and, until branch infra's infra/main.json is merged, the copy of it
 * in the publish tests' fixtures (see template-under-test.ts).
 */
export function publishToAppService(input: AppServicePublishInput): Promise<AppServicePublishResult> {
  const endpoint = process.env.CHATAPP_TEST_ARM_URL;
  if (!endpoint) throw new Error('CHATAPP_TEST_ARM_URL is not set: the stand-in does not know where the fake Resource Manager is');
  const template = existsSync(`${input.root}/infra/main.json`) ? {} : { templateFile: TEMPLATE_UNDER_TEST };
  return publishForReal({ ...input, ...template, arm: { endpoint, tlsOptions: { ca: FAKE_ARM_CA }, pollIntervalMs: 5 } });
}
