import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type ServerOptions } from 'socket.io';
import { requireSignIn } from './auth/handshake.js';
import { RelyingParty } from './auth/relying-party.js';
import { nicknameAuthRoutes, oidcAuthRoutes } from './auth/routes.js';
import { SignInRecords } from './auth/sign-in-records.js';
import { roomOfChannel, signInChannel } from './channels.js';
import { LIMITS } from '../shared/protocol.js';
import type { Config } from './config/load-config.js';
import type { ChatContext } from './context.js';
import { handlers } from './features/handlers.js';
import { roomConversationChangedBy } from './features/messages.js';
import { startSignedInSession } from './features/session/start-signed-in.js';
import type { HistoryStore } from './history/history-store.js';
import { RecentHistoryCache } from './history/recent-history-cache.js';
import { createMessageIdFactory } from './history/message-id.js';
import { isOriginAllowed } from './http/origin-check.js';
import { createHttpApp } from './http/routes.js';
import { watchRemoteBroadcasts } from './scale-out/remote-broadcasts.js';
import type { Logger } from './logger.js';
import { Presence } from './sessions/presence.js';
import type { SessionRegistry } from './sessions/session-registry.js';
import { createEventGate } from './socket/event-gate.js';
import { flushWrites } from './socket/flush-writes.js';
import { bindHandler } from './socket/event-handler.js';
import { InFlight } from './socket/in-flight.js';
import type { ChatIO } from './socket/types.js';
import { observeChatServer } from './telemetry/observe-chat-server.js';

const CONNECTION_RECOVERY_MS = 2 * 60 * 1000;

export interface ChatServerDeps {
  logger: Logger;
  history: HistoryStore;
  sessions: SessionRegistry;
  /** The built browser client (WorkerRole1/dist/public). */
  publicDir: string;
  /** Joins the instances of a scaled-out service; in-memory (one instance) when absent. */
  adapter?: ServerOptions['adapter'];
}

export interface ChatServer {
  httpServer: HttpServer;
  io: ChatIO;
  listen(): Promise<AddressInfo>;
  /** Drains: health turns 503, clients are told, in-flight acks finish, then everything closes. */
  close(): Promise<void>;
}

/** Recent pages kept for this long at most, in case a change notice from another instance was lost. */
const RECENT_HISTORY_MAX_AGE_MS = 10_000;
const RECENT_HISTORY_CONVERSATIONS = 1000;

export function createChatServer(config: Config, deps: ChatServerDeps): ChatServer {
  const { logger, sessions } = deps;
  let draining = false;
  const isDraining = () => draining;

  // AUTH_MODE=oidc: sign-ins live in the shared session store, so every instance accepts every cookie.
  const signIns = config.auth.mode === 'oidc' ? new SignInRecords(sessions) : undefined;
  const authRoutes =
    config.auth.mode === 'oidc' && signIns
      ? oidcAuthRoutes({
          relyingParty: new RelyingParty(config.auth, logger),
          records: signIns,
          // Through the adapter: a sign-out on one instance disconnects that sign-in's sockets on all.
          endSockets: (signInId) => io.in(signInChannel(signInId)).disconnectSockets(true),
          logger,
          now: Date.now,
        })
      : nicknameAuthRoutes();

  // Pages of rooms only: every instance sees a room's changes in its broadcasts, and drops the
  // room's page as one arrives (recent-history-cache.ts says why that suffices). None at all with
  // an adapter whose broadcasts cannot be watched.
  const history = new RecentHistoryCache(deps.history, {
    messages: LIMITS.historyDefaultLimit,
    conversations: RECENT_HISTORY_CONVERSATIONS,
    maxAgeMs: RECENT_HISTORY_MAX_AGE_MS,
    keeps: (conversation) => roomOfChannel(conversation) !== undefined,
    ...(deps.adapter ? { publish: (conversation: string) => io.serverSideEmit('history:changed', conversation) } : {}),
  });
  const forgetChanged = (event: unknown, payload: unknown) => {
    const conversation = roomConversationChangedBy(event, payload);
    if (conversation !== undefined) history.forget(conversation);
  };
  const keepNoPages = () => {
    history.keepNone();
    logger.warn('the adapter cannot be watched for other instances\' broadcasts: recent history is read from storage on every join');
  };

  // Socket.IO must attach after the HTTP app, so that it can route /socket.io/ before Express.
  const httpServer = createServer(
    createHttpApp(
      deps.publicDir,
      {
        isDraining,
        instanceId: config.instanceId,
        startedAt: Date.now(),
        connections: () => io.engine.clientsCount,
      },
      authRoutes,
    ),
  );
  const io: ChatIO = new Server(httpServer, {
    serveClient: false,
    // A blip shorter than this resumes with its rooms and missed packets; history:fetch covers longer gaps.
    // skipMiddlewares false: a recovered connection shows its sign-in again, which may have ended meanwhile.
    connectionStateRecovery: { maxDisconnectionDuration: CONNECTION_RECOVERY_MS, skipMiddlewares: signIns === undefined },
    ...(deps.adapter ? { adapter: watchRemoteBroadcasts(deps.adapter, forgetChanged, keepNoPages) } : {}),
    maxHttpBufferSize: config.maxPayloadBytes,
    allowRequest: (request, callback) => {
      if (draining) return callback('server is draining', false);
      if (!isOriginAllowed(request, config.allowedOrigins)) {
        logger.info({ origin: request.headers.origin }, 'connection refused: origin not allowed');
        return callback('origin not allowed', false);
      }
      callback(null, true);
    },
    ...(config.allowedOrigins.length > 0 ? { cors: { origin: config.allowedOrigins } } : {}),
  });

  if (signIns) io.use(requireSignIn(signIns, logger, Date.now));
  io.on('history:changed', (conversation) => history.forget(conversation));

  const inFlight = new InFlight();
  const presence = new Presence(
    io,
    sessions,
    { instanceId: config.instanceId, graceMs: config.sessionGraceMs, presenceIntervalMs: config.presenceIntervalMs },
    logger,
  );
  const ctx: ChatContext = {
    io,
    config,
    logger,
    sessions,
    presence,
    history,
    newMessageId: createMessageIdFactory(),
    inFlight,
    now: Date.now,
  };
  const eventHandlers = signIns ? { ...handlers, 'session:start': startSignedInSession(signIns) } : handlers;
  const knownEvents = new Set(Object.keys(eventHandlers));
  presence.start();
  const stopObserving = observeChatServer(io, isDraining);

  io.on('connection', (socket) => {
    // Debug lines: at info a session's start and end say who came and went; two lines more per
    // connection are measurable CPU in a join storm (bench/README.md).
    logger.debug({ socket: socket.id, transport: socket.conn.transport.name, recovered: socket.recovered }, 'connected');
    const recoveredSession = socket.data.session;
    if (recoveredSession) presence.attach(recoveredSession, socket, false);
    socket.use(createEventGate(ctx, socket, knownEvents, isDraining));
    for (const [event, handler] of Object.entries(eventHandlers)) bindHandler(ctx, socket, event, handler);
    socket.on('disconnect', (reason) => {
      logger.debug({ socket: socket.id, reason }, 'disconnected');
      const session = socket.data.session;
      if (session) presence.detach(session.token, socket.id);
    });
  });

  return {
    httpServer,
    io,
    async listen() {
      await history.init();
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      return httpServer.address() as AddressInfo;
    },
    async close() {
      if (draining) return;
      draining = true;
      logger.info({ connections: io.engine.clientsCount, inFlight: inFlight.size }, 'draining');
      // Only this instance drains: with an adapter, io.emit would reach every instance's clients.
      io.local.emit('server:draining', {});
      const deadline = Date.now() + config.shutdownTimeoutMs;
      const idle = await inFlight.idle(config.shutdownTimeoutMs);
      if (!idle) logger.warn({ inFlight: inFlight.size }, 'closing with events still in flight');
      const flushed = await flushWrites(io, Math.max(0, deadline - Date.now()));
      if (!flushed) logger.warn('closing with acks still unwritten');
      presence.close();
      await io.close();
      httpServer.closeAllConnections();
      await Promise.all([history.close(), sessions.close()]);
      stopObserving();
      logger.info('closed');
    },
  };
}
