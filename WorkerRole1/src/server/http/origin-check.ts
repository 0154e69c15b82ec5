import type { IncomingMessage } from 'node:http';

/**
 * Decides whether a browser page may open a connection. CORS covers only long-polling, so this
 * runs on every handshake, WebSocket upgrades included (cross-site WebSocket hijacking).
 * Requests without an Origin header come from non-browser clients or same-origin GETs and are
 * let through: the Origin check protects browsers, it does not authenticate.
 */
export function isOriginAllowed(request: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowedOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
