import { createHash } from 'node:crypto';

/**
 * Table Storage keys for history. Queries return rows in RowKey order only, and history is read
 * both ways: "the newest N" (opening a room, scrolling back) and "the oldest N after an id"
 * (catching up after a reconnect). So each message is written twice, in one transaction:
 * - a newest-first row: the message's ULID with every base32 digit inverted, which inverts its
 *   48-bit timestamp (zero-padded by construction) and keeps its 80 random bits as the tie-breaker;
 * - an oldest-first row: the ULID as it is.
 * Either query then reads only the rows it returns. Prefixes keep the kinds of rows apart.
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

export const ASCENDING_ROW_PREFIX = 'a_';
/** The character after "_": every oldest-first RowKey sorts below it. */
export const ASCENDING_ROW_END = 'a`';
export const ascendingRowKey = (id: string) => ASCENDING_ROW_PREFIX + id;
export const idFromAscendingRowKey = (rowKey: string) => rowKey.slice(ASCENDING_ROW_PREFIX.length);

/** Hashed, because nickname keys and client ids may hold characters a RowKey cannot. */
export function dedupeRowKey(senderKey: string, clientId: string): string {
  return DEDUPE_ROW_PREFIX + createHash('sha256').update(`${senderKey}\n${clientId}`).digest('base64url');
}

/** PartitionKeys cannot hold / \ # ? or control characters; conversation names can. */
export const partitionKey = (conversation: string) => encodeURIComponent(conversation);
