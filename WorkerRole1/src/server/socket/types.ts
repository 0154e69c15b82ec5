import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/protocol.js';

export interface SocketSession {
  token: string;
  nickname: string;
  key: string;
}

/** Per-connection state; plain data so that adapters can carry it between instances. */
export interface SocketData {
  session?: SocketSession;
}

export type ChatIO = Server<ClientToServerEvents, ServerToClientEvents, Record<never, never>, SocketData>;
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<never, never>, SocketData>;
export type ClientEvent = keyof ClientToServerEvents;
