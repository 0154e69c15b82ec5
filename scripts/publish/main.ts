/**
 * `npm run publish -- <flags>`: creates the resource group and the storage account when they are
 * missing (provision-storage.ts), uploads the package and the filled-in cscfg, creates or updates the
 * Microsoft.Compute/cloudServices resource (and the virtual network and public IP it needs), and
 * prints the public URL. With `--target appservice` it deploys infra/main.json (one Resource Manager
 * deployment) and the same role's Linux zip to App Service instead (app-service/publish-app-service.ts).
 * `--dry-run` prints the plan and sends nothing; `--what-if` (App Service) asks Resource Manager.
 * Flags: see USAGE in options.ts. (`npm publish`, without `run`, is npm's own command: not this.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TokenCredential } from '@azure/identity';
import type { BlobServiceClient } from '@azure/storage-blob';
import { openWhenHealthy } from '../launch/open-when-healthy.js';
import { readValidServiceModel, singleRole } from '../package/read-service-model.js';
import { COMPUTE_API_VERSION, NETWORK_API_VERSION } from './api-versions.js';
import { type AzureClientOptions, createAzureClients, deployCloudService, ensurePublicIp, ensureVirtualNetwork, publicFqdn } from './arm-client.js';
import { publishToAppService } from './app-service/publish-app-service.js';
import { PublishError, explainError } from './errors.js';
import { configuredValue, fillConfiguration } from './fill-configuration.js';
import { requireRedisForInstances } from './instances.js';
import { type PublishOptions, parsePublishOptions } from './options.js';
import { deploymentStamp, planPublish } from './plan.js';
import { describePlan } from './print-plan.js';
import { describeStoragePlan, planStorage, provisionStorage } from './provision-storage.js';
import { assignRoleCommand } from './role-assignment.js';
import { redactText } from './secrets.js';
import { HISTORY_SETTING } from './storage-account.js';
import { TokenCache } from './token-cache.js';
import { uploadDeploymentFiles } from './upload.js';
import { DEFAULT_ROLE_WAIT, retryWhileAccessApplies } from './upload-retry.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What a test replaces: where Azure is, and how to reach it. Real runs use the defaults. */
export interface PublishEnvironment {
  root?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  now?: () => Date;
  credential?: () => Promise<TokenCredential>;
  blobService?: (options: PublishOptions, credential: TokenCredential) => Promise<BlobServiceClient>;
  arm?: Partial<Omit<AzureClientOptions, 'credential' | 'subscription'>>;
  /** App Service: Kudu's base URL instead of https://<site>.scm.azurewebsites.net, and its CA. */
  deployment?: { endpoint: string; ca?: string };
  /** Cloud Services: how long the upload waits for a role assigned in the same run to apply. */
  roleWait?: { timeoutMs: number; intervalMs: number };
  /** App Service: another compiled template instead of infra/main.json. */
  templateFile?: string;
}

export interface PublishResult {
  publicUrl: string;
  /** App Service: 'deployed' (one deployment, created or updated alike) or 'what-if'. */
  outcome: 'created' | 'updated' | 'deployed' | 'dry-run' | 'what-if';
}

export async function publish(argv: string[], environment: PublishEnvironment = {}): Promise<PublishResult> {
  const root = resolve(environment.root ?? REPOSITORY_ROOT);
  const log = environment.log ?? ((line: string) => console.log(line));
  const now = environment.now?.() ?? new Date();
  const options = parsePublishOptions(argv, environment.env ?? process.env, {
    packageFile: join(root, 'dist', 'chatapp.cspkg'),
    appServicePackageFile: join(root, 'dist', 'chatapp-appservice.zip'),
  });
  let secrets: string[] = [];
  try {
    // No build check: publishing ships the .cspkg, not WorkerRole1/dist.
    const { model, cloud } = readValidServiceModel(root, false);
    const role = singleRole(model);
    // Always the Cloud cscfg: the instance count (and for a cloud service the network) come from it.
    const cscfgText = readFileSync(join(root, cloud.file), 'utf8');
    const shownPackage = options.packageFile.startsWith(root) ? relative(root, options.packageFile) : options.packageFile;
    if (options.target === 'appservice') {
      const published = await publishToAppService({
        options,
        root,
        roleName: role.name,
        cloud,
        cscfgText,
        shownPackage,
        log,
        credential: environment.credential ?? defaultCredential,
        ...(environment.arm ? { arm: environment.arm } : {}),
        ...(environment.deployment ? { deployment: environment.deployment } : {}),
        ...(environment.templateFile ? { templateFile: environment.templateFile } : {}),
      });
      if (options.launch && published.outcome === 'deployed') await openWhenHealthy(published.publicUrl, log);
      return published;
    }
    // A cloud service whose STORAGE_CONNECTION_STRING nobody gave (flag, environment or the file)
    // keeps its history in the storage account publish provisions; until publish reads that
    // account's key, a placeholder stands in, so every other setting is checked before anything is sent.
    const keyForHistory = !Object.hasOwn(options.settings, HISTORY_SETTING) && configuredValue(cscfgText, role.name, HISTORY_SETTING) === '';
    const placeholder = `<connection string with the key of storage account ${options.storageAccount}, read when publishing>`;
    let configuration = fillConfiguration(cscfgText, role.name, keyForHistory ? { ...options.settings, [HISTORY_SETTING]: placeholder } : options.settings);
    secrets = configuration.secretValues;
    const instances = Number(cloud.roles.find(({ name }) => name === role.name)?.instances?.count ?? 1);
    requireRedisForInstances(instances, configuration.settings, 'set <Instances count="1"/> in ServiceConfiguration.Cloud.cscfg');
    const packagePresent = existsSync(options.packageFile);
    const planInput = { ...options, role, configuration: cloud, deploymentStamp: deploymentStamp(now) };
    const storagePlan = planStorage({ ...options, keyForHistory });

    if (options.dryRun) {
      const plan = planPublish({ ...planInput, packageUrl: '<package SAS URL, read-only>', configurationUrl: '<cscfg SAS URL, read-only>' });
      log(
        describePlan({
          plan,
          configuration,
          ...options,
          packageFile: shownPackage,
          storageSteps: describeStoragePlan(storagePlan),
          computeApiVersion: COMPUTE_API_VERSION,
          networkApiVersion: NETWORK_API_VERSION,
        }),
      );
      if (!packagePresent) log(`note: ${shownPackage} does not exist yet; a real run needs it (npm run package on Windows with cspack).`);
      return { publicUrl: plan.publicUrl, outcome: 'dry-run' };
    }
    if (!packagePresent) {
      throw new PublishError(
        `package missing: ${shownPackage}`,
        'run npm run package on Windows with the Azure SDK (cspack.exe writes the .cspkg), or pass --package <file.cspkg>',
      );
    }

    const credential = await (environment.credential ?? defaultCredential)();
    const clients = await createAzureClients({ credential, subscription: options.subscription, ...environment.arm });
    const storage = await provisionStorage(clients, credential, storagePlan, log);
    if (storage.history) {
      configuration = fillConfiguration(cscfgText, role.name, { ...options.settings, [HISTORY_SETTING]: storage.history.connectionString });
      secrets = [...configuration.secretValues, storage.history.key];
    }

    const blobService = await (environment.blobService ?? defaultBlobService)(options, credential);
    const draft = planPublish({ ...planInput, packageUrl: '', configurationUrl: '' });
    log(`uploading to ${options.storageAccount}/${options.container}`);
    const upload = () =>
      uploadDeploymentFiles({
        service: blobService,
        container: options.container,
        packageFile: options.packageFile,
        configurationXml: configuration.xml,
        blobs: draft.blobs,
        sasHours: options.sasHours,
        now,
        onProgress: log,
      });
    const uploaded = await retryWhileAccessApplies(upload, {
      ...(environment.roleWait ?? DEFAULT_ROLE_WAIT),
      log,
      roleJustAssigned: storage.role === 'created',
      accountJustCreated: storage.account === 'created',
    }).catch((error: unknown) => {
      throw uploadError(error, options, storage);
    });
    secrets = [...secrets, uploaded.packageUrl, uploaded.configurationUrl];
    const plan = planPublish({ ...planInput, packageUrl: uploaded.packageUrl, configurationUrl: uploaded.configurationUrl });
    log(`virtual network ${plan.virtualNetwork.name}: ${await ensureVirtualNetwork(clients, options.resourceGroup, plan.virtualNetwork)}`);
    log(`public IP ${plan.publicIp.name}: ${await ensurePublicIp(clients, options.resourceGroup, plan.publicIp)}`);
    const { outcome, provisioningState } = await deployCloudService(clients, options.resourceGroup, plan.cloudService, (line) =>
      log(redactText(line, secrets)),
    );
    const fqdn = await publicFqdn(clients, options.resourceGroup, plan.publicIp.name);
    const publicUrl = fqdn ? plan.publicUrl.replace(/\/\/[^/:]+/, `//${fqdn}`) : plan.publicUrl;
    log(`cloud service ${plan.cloudService.name} ${outcome} (${provisioningState ?? 'state unknown'})`);
    log(`chat: ${publicUrl}`);
    if (options.launch) await openWhenHealthy(publicUrl, log);
    return { publicUrl, outcome: outcome === 'exists' ? 'updated' : outcome };
  } catch (error) {
    const explained = explainError(error, options);
    // The message may quote a request or a URL: redact before anyone prints it.
    throw new PublishError(redactText(explained.problem, secrets), redactText(explained.fix, secrets));
  }
}

/** A 403 from the upload, with the exact command that gives the role (publish could not, or it did not apply in time). */
function uploadError(error: unknown, options: PublishOptions, storage: Awaited<ReturnType<typeof provisionStorage>>): unknown {
  if ((error as { statusCode?: number }).statusCode !== 403) return error;
  const { problem } = explainError(error, options);
  const scope = `/subscriptions/${options.subscription}/resourceGroups/${options.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${options.storageAccount}`;
  const fix =
    storage.role === 'created'
      ? 'publish assigned the Storage Blob Data Contributor role in this run and it has not applied yet: wait a few minutes and run publish again'
      : storage.role === 'exists'
        ? `the Storage Blob Data Contributor role is assigned on ${options.storageAccount}: if that was in the last few minutes, wait and run publish again; otherwise check the account's networking (a firewall that leaves this machine out also answers 403)`
        : `the signed-in identity needs the "Storage Blob Data Contributor" role on ${options.storageAccount}, and publish could not assign it; someone with Owner or User Access Administrator runs: ${assignRoleCommand(scope, storage.principal)} (it applies within a few minutes), then run publish again`;
  return new PublishError(problem, fix);
}

async function defaultCredential(): Promise<TokenCredential> {
  const { DefaultAzureCredential } = await import('@azure/identity');
  return new TokenCache(new DefaultAzureCredential());
}

/** Signed in with Microsoft Entra: the upload and the SAS (a user delegation SAS) need no account key. */
async function defaultBlobService(options: PublishOptions, credential: TokenCredential): Promise<BlobServiceClient> {
  const { BlobServiceClient } = await import('@azure/storage-blob');
  return new BlobServiceClient(`https://${options.storageAccount}.blob.core.windows.net`, credential);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  publish(process.argv.slice(2)).catch((error: unknown) => {
    const explained = explainError(error);
    console.error(`publish failed: ${explained.problem}\n  fix: ${explained.fix}`);
    process.exitCode = 1;
  });
}
