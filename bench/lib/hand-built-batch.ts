import { randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';

type Entity = { partitionKey: string; rowKey: string } & Record<string, string | number>;

/**
 * The floor of what the Tables SDK can cost per transaction: the same multipart `$batch` body the
 * SDK's submitTransaction builds (creates only, string and number properties), sent as one request
 * through the client's own pipeline (its shared-key signing and policies), with none of the
 * per-transaction client and per-entity pipeline runs submitTransaction makes. A benchmark's
 * yardstick, not a store: it checks every sub-response for 2xx and nothing more.
 */
export function handBuiltBatch(client: TableClient): (entities: Entity[]) => Promise<void> {
  const http = createDefaultHttpClient();
  const account = client.url.replace(/\/$/, '');
  const tableUrl = `${account}/${client.tableName}`;
  const part = (entity: Entity) => {
    const { partitionKey, rowKey, ...properties } = entity;
    return `content-type: application/http\r\ncontent-transfer-encoding: binary\r\n\r\nPOST ${tableUrl} HTTP/1.1\r\nContent-Type: application/json;odata=nometadata\r\nAccept: application/json;odata=minimalmetadata\r\nDataServiceVersion: 3.0\r\nPrefer: return-no-content\r\n\r\n${JSON.stringify({ PartitionKey: partitionKey, RowKey: rowKey, ...properties })}`;
  };
  return async (entities) => {
    const batch = `batch_${randomUUID()}`;
    const changeset = `changeset_${randomUUID()}`;
    const body = `--${batch}\r\ncontent-type: multipart/mixed; boundary=${changeset}\r\n\r\n\r\n${entities.map((entity) => `--${changeset}\r\n${part(entity)}`).join('\r\n')}\r\n--${changeset}--\r\n--${batch}--\r\n`;
    const request = createPipelineRequest({
      url: `${account}/$batch`,
      method: 'POST',
      body,
      allowInsecureConnection: true,
      headers: createHttpHeaders({
        accept: 'application/json',
        'x-ms-version': '2019-02-02',
        dataserviceversion: '3.0;',
        maxdataserviceversion: '3.0;NetFx',
        'content-type': `multipart/mixed; boundary=${batch}`,
      }),
    });
    const response = await client.pipeline.sendRequest(http, request);
    const statuses = [...(response.bodyAsText ?? '').matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((match) => Number(match[1]));
    if (response.status !== 202 || statuses.length !== entities.length || statuses.some((status) => status >= 300)) {
      throw new Error(`batch refused: ${response.status}, sub-responses ${statuses.join(' ')}`);
    }
  };
}
