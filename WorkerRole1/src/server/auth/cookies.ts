import type { IncomingMessage } from 'node:http';

export const SIGN_IN_COOKIE = 'chatapp_signin';
export const LOGIN_COOKIE = 'chatapp_login';

/** One cookie of a request's Cookie header; undefined when absent. */
export function readCookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim() || undefined;
  }
  return undefined;
}

/**
 * What the page's origin is as the browser sees it. App Service's front end and other TLS
 * terminators say `X-Forwarded-Proto: https`; the Host header reaches the role unchanged behind
 * every balancer here (App Service, Azure's load balancer, the emulator). A forged header buys
 * nothing: the provider accepts only the redirect URIs registered for the app.
 */
export function pageOrigin(request: IncomingMessage): { origin: string; secure: boolean } {
  const forwarded = String(request.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim().toLowerCase();
  const encrypted = (request.socket as { encrypted?: boolean }).encrypted === true;
  const secure = forwarded === 'https' || (forwarded !== 'http' && encrypted);
  return { origin: `${secure ? 'https' : 'http'}://${request.headers.host ?? 'localhost'}`, secure };
}

/** httpOnly and SameSite=Lax always (Lax: the provider's redirect back is a top-level GET); Secure behind HTTPS. */
export function cookieHeader(name: string, value: string, { secure, maxAgeMs }: { secure: boolean; maxAgeMs: number }): string {
  const maxAge = Math.max(0, Math.floor(maxAgeMs / 1000));
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}
