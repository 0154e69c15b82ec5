import type { Config } from './config/load-config.js';
import type { HistoryStore } from './history/history-store.js';
import type { MessageIdFactory } from './history/message-id.js';
import type { Logger } from './logger.js';
import type { Presence } from './sessions/presence.js';
import type { SessionRegistry } from './sessions/session-registry.js';
import type { InFlight } from './socket/in-flight.js';
import type { ChatIO } from './socket/types.js';

/** What every event handler may use; built once in app.ts. */
export interface ChatContext {
  io: ChatIO;
  config: Config;
  logger: Logger;
  sessions: SessionRegistry;
  presence: Presence;
  history: HistoryStore;
  newMessageId: MessageIdFactory;
  inFlight: InFlight;
  now: () => number;
}
