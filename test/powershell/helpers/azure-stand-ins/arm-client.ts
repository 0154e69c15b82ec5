import { FAKE_ARM_CA } from '../../../scripts/publish/helpers/fake-resource-manager.js';
import { type AzureClientOptions, type AzureClients, createAzureClients as createClientsFor } from '../../../../scripts/publish/arm-client.js';

export * from '../../../../scripts/publish/arm-client.js';

/**
 * The real clients, pointed at the fake Resource Manager whose URL the Pester test passes in
 * CHATAPP_TEST_ARM_URL; the credential (Azure PowerShell's sign-in) and everything else as given.
 */
export function createAzureClients(options: AzureClientOptions): Promise<AzureClients> {
  const endpoint = process.env.CHATAPP_TEST_ARM_URL;
  if (!endpoint) throw new Error('CHATAPP_TEST_ARM_URL is not set: the stand-in does not know where the fake Resource Manager is');
  return createClientsFor({ ...options, endpoint, tlsOptions: { ca: FAKE_ARM_CA }, pollIntervalMs: 5 });
}
