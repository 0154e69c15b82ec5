import { stat } from 'node:fs/promises';
import {
  BlobSASPermissions,
  type BlobServiceClient,
  type ContainerClient,
  SASProtocol,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
} from '@azure/storage-blob';
import { PublishError } from './errors.js';

export interface UploadInput {
  service: BlobServiceClient;
  container: string;
  packageFile: string;
  configurationXml: string;
  blobs: { package: string; configuration: string };
  /** How long Azure may read the blobs; only while it deploys. */
  sasHours: number;
  now?: Date;
  onProgress?: (line: string) => void;
}

export interface UploadedFiles {
  packageUrl: string;
  configurationUrl: string;
  expiresOn: Date;
}

/**
 * Uploads the .cspkg and the filled-in cscfg to a private container and returns read-only SAS URLs
 * that expire soon: Azure reads the files once, while it deploys; nobody else should ever read the
 * cscfg (it holds the connection strings).
 */
export async function uploadDeploymentFiles(input: UploadInput): Promise<UploadedFiles> {
  const now = input.now ?? new Date();
  const container = input.service.getContainerClient(input.container);
  await ensurePrivateContainer(container);

  const size = (await stat(input.packageFile)).size;
  let lastReported = -1;
  await container.getBlockBlobClient(input.blobs.package).uploadFile(input.packageFile, {
    blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
    onProgress: ({ loadedBytes }) => {
      const percent = Math.floor((loadedBytes / Math.max(size, 1)) * 100);
      if (percent >= lastReported + 10) {
        lastReported = percent;
        input.onProgress?.(`uploading ${input.blobs.package}: ${percent}% of ${(size / 1024 / 1024).toFixed(1)} MiB`);
      }
    },
  });
  await container
    .getBlockBlobClient(input.blobs.configuration)
    .upload(input.configurationXml, Buffer.byteLength(input.configurationXml), { blobHTTPHeaders: { blobContentType: 'application/xml' } });

  // A few minutes back, for clock skew between this machine and Azure.
  const startsOn = new Date(now.getTime() - 5 * 60_000);
  const expiresOn = new Date(now.getTime() + input.sasHours * 3_600_000);
  const sign = await sasSigner(input.service, startsOn, expiresOn);
  return {
    packageUrl: sign(container, input.blobs.package),
    configurationUrl: sign(container, input.blobs.configuration),
    expiresOn,
  };
}

async function ensurePrivateContainer(container: ContainerClient): Promise<void> {
  // No `access` option: the container is private, reachable only with a key, a token or a SAS.
  await container.createIfNotExists();
  const { blobPublicAccess } = await container.getAccessPolicy();
  if (blobPublicAccess) {
    throw new PublishError(
      `container ${container.containerName} allows anonymous ${blobPublicAccess} access, and the configuration uploaded there holds secrets`,
      `make it private (az storage container set-permission --name ${container.containerName} --public-access off) or pass another --container`,
    );
  }
}

type Signer = (container: ContainerClient, blobName: string) => string;

/**
 * Read-only (`sp=r`), one blob each (`sr=b`), HTTPS only where the endpoint is HTTPS (Azurite in
 * tests speaks HTTP). With an account key (a connection string) the SAS is signed with the key;
 * with a Microsoft Entra sign-in it is a user delegation SAS, which needs no key at all.
 */
async function sasSigner(service: BlobServiceClient, startsOn: Date, expiresOn: Date): Promise<Signer> {
  const protocol = service.url.startsWith('https:') ? SASProtocol.Https : SASProtocol.HttpsAndHttp;
  const permissions = BlobSASPermissions.parse('r');
  if (service.credential instanceof StorageSharedKeyCredential) {
    const key = service.credential;
    return (container, blobName) =>
      `${container.getBlobClient(blobName).url}?${generateBlobSASQueryParameters(
        { containerName: container.containerName, blobName, permissions, startsOn, expiresOn, protocol },
        key,
      ).toString()}`;
  }
  const delegationKey = await service.getUserDelegationKey(startsOn, expiresOn);
  return (container, blobName) =>
    `${container.getBlobClient(blobName).url}?${generateBlobSASQueryParameters(
      { containerName: container.containerName, blobName, permissions, startsOn, expiresOn, protocol },
      delegationKey,
      service.accountName,
    ).toString()}`;
}
