import { SessionStoreError } from '../sessions/session-registry.js';

/**
 * The wire format between a cluster worker's session registry (cluster-registry-client.ts) and
 * the one registry hosted in the cluster primary (cluster-registry-host.ts). Method names travel
 * as strings, so the transport does not change when the SessionRegistry interface grows.
 */
export const REGISTRY_MESSAGE_SOURCE = 'chatapp:session-registry';

/** Asks the host which methods and values its registry has; the first message a worker sends. */
export const DESCRIBE = '#describe';

export interface RegistryRequest {
  source: typeof REGISTRY_MESSAGE_SOURCE;
  id: number;
  method: string;
  args: unknown[];
}

export interface EncodedError {
  name: string;
  message: string;
}

export type RegistryReply =
  | { source: typeof REGISTRY_MESSAGE_SOURCE; id: number; result: unknown }
  | { source: typeof REGISTRY_MESSAGE_SOURCE; id: number; error: EncodedError };

export interface RegistryDescription {
  methods: string[];
  /** The registry's plain values (renewEveryMs), read once: they do not change while it runs. */
  values: Record<string, unknown>;
  /** A Set, so that a worker can tell whether the IPC channel keeps Sets and Maps. */
  probe: Set<string>;
}

export function isRegistryMessage(message: unknown): message is { source: string; id: number } {
  return typeof message === 'object' && message !== null && (message as { source?: unknown }).source === REGISTRY_MESSAGE_SOURCE;
}

export function encodeError(error: unknown): EncodedError {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** The error kinds a caller tells apart; anything else comes back as an Error of the same name. */
const KINDS: Record<string, new (message: string) => Error> = {
  SessionStoreError,
  TypeError,
  RangeError,
};

export function decodeError({ name, message }: EncodedError): Error {
  const Kind = KINDS[name];
  if (Kind) return new Kind(message);
  const error = new Error(message);
  error.name = name;
  return error;
}
