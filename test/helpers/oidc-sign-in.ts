/**
 * Signs a person in to the chat the way a browser does, without one: the chat's /auth/login, the
 * provider's login form (oidc-provider's development interaction), every redirect, and the chat's
 * /auth/callback, with one cookie jar per host. What comes back is the chat's sign-in cookie.
 */

export interface SignedInCookie {
  /** `chatapp_signin=<id>`: the Cookie header for a Socket.IO client (extraHeaders). */
  header: string;
  /** The cookie's value. */
  value: string;
  /** Every Set-Cookie attribute the chat sent with it (HttpOnly, SameSite, Max-Age...). */
  attributes: string;
}

const MAX_STEPS = 20;

export async function signIn(chatUrl: string, login: string, password = 'any password'): Promise<SignedInCookie> {
  const jar = new CookieJar();
  let request: { url: URL; init: RequestInit } = { url: new URL('/auth/login', chatUrl), init: {} };
  for (let step = 0; step < MAX_STEPS; step += 1) {
    const response = await fetch(request.url, { ...request.init, redirect: 'manual', headers: { ...headersOf(request.init), cookie: jar.header(request.url) } });
    jar.store(request.url, response.headers.getSetCookie());
    const chatCookie = response.headers.getSetCookie().find((cookie) => cookie.startsWith('chatapp_signin=') && !cookie.startsWith('chatapp_signin=;'));
    if (request.url.pathname === '/auth/callback' && chatCookie) {
      const value = chatCookie.slice('chatapp_signin='.length).split(';')[0]!;
      return { header: `chatapp_signin=${value}`, value, attributes: chatCookie };
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      request = { url: new URL(location, request.url), init: {} };
      continue;
    }
    const body = await response.text();
    const form = /<form[^>]*action="([^"]+)"[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(body);
    if (response.status !== 200 || !form) {
      throw new Error(`sign-in of ${login} stopped at ${request.url.href}: HTTP ${response.status} ${body.slice(0, 300)}`);
    }
    const fields = new URLSearchParams();
    for (const [input] of form[2]!.matchAll(/<input[^>]*>/gi)) {
      const name = /\bname="([^"]+)"/.exec(input)?.[1];
      if (name) fields.set(name, /\bvalue="([^"]*)"/.exec(input)?.[1] ?? '');
    }
    if (fields.has('login')) fields.set('login', login);
    if (fields.has('password')) fields.set('password', password);
    request = {
      url: new URL(form[1]!.replace(/&amp;/g, '&'), request.url),
      init: { method: 'POST', body: fields.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    };
  }
  throw new Error(`sign-in of ${login} took more than ${MAX_STEPS} steps`);
}

function headersOf(init: RequestInit): Record<string, string> {
  return (init.headers as Record<string, string> | undefined) ?? {};
}

/** Cookies per host, as a browser keeps them: the provider's (localhost) apart from the chat's (127.0.0.1). */
class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  store(url: URL, setCookies: string[]): void {
    const cookies = this.byHost.get(url.hostname) ?? new Map<string, string>();
    this.byHost.set(url.hostname, cookies);
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute) || /^\s*expires=Thu, 01 Jan 1970/i.test(attribute));
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
  }

  header(url: URL): string {
    return [...(this.byHost.get(url.hostname) ?? new Map<string, string>())].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}
