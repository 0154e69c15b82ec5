import { createHash } from 'node:crypto';

/**
 * Table Storage keys for history. Queries return rows in RowKey order, and the common query is
 * "the newest N", so message RowKeys sort newest first: the message's ULID with every base32
 * digit inverted, which inverts its 48-bit timestamp (zero-padded by construction) and keeps its
 * 80 random bits as the tie-breaker. Prefixes keep message rows and dedupe rows apart.
 */

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const MESSAGE_ROW_PREFIX = 'm_';
/** The character after "_": every message RowKey sorts below it. */
export const MESSAGE_ROW_END = 'm`';
const DEDUPE_ROW_PREFIX = 'c_';

function invert(id: string): string {
  let inverted = '';
  for (const digit of id) {
    const index = CROCKFORD.indexOf(digit);
    if (index < 0) throw new RangeError(`not a ULID: ${id}`);
    inverted += CROCKFORD[31 - index];
  }
  return inverted;
}

export const messageRowKey = (id: string) => MESSAGE_ROW_PREFIX + invert(id);
export const idFromMessageRowKey = (rowKey: string) => invert(rowKey.slice(MESSAGE_ROW_PREFIX.length));

/** Hashed, because nickname keys and client ids may hold characters a RowKey cannot. */
export function dedupeRowKey(senderKey: string, clientId: string): string {
  return DEDUPE_ROW_PREFIX + createHash('sha256').update(`${senderKey}\n${clientId}`).digest('base64url');
}

/** PartitionKeys cannot hold / \ # ? or control characters; conversation names can. */
export const partitionKey = (conversation: string) => encodeURIComponent(conversation);
