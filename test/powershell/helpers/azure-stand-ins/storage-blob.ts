import { BlobServiceClient as RealBlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { DEVSTORE_ACCOUNT, DEVSTORE_KEY } from '../../../scripts/publish/helpers/azurite-blob.js';

export * from '@azure/storage-blob';

/**
 * The real blob client, for Azurite (CHATAPP_TEST_BLOB_URL) with its well-known key instead of
 * https://<account>.blob.core.windows.net with a token. It insists on the account publish was given,
 * so a wrong --storage-account still fails the test.
 */
export class BlobServiceClient extends RealBlobServiceClient {
  constructor(url: string) {
    const expected = `https://${DEVSTORE_ACCOUNT}.blob.core.windows.net`;
    if (url !== expected) throw new Error(`the blob stand-in serves ${expected}, and publish asked for ${url}`);
    const azurite = process.env.CHATAPP_TEST_BLOB_URL;
    if (!azurite) throw new Error('CHATAPP_TEST_BLOB_URL is not set: the stand-in does not know where Azurite is');
    super(azurite, new StorageSharedKeyCredential(DEVSTORE_ACCOUNT, DEVSTORE_KEY));
  }
}
