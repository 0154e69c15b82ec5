// oidc-provider ships no type declarations (and @types/oidc-provider lags its major versions); the
// fixture in oidc-provider.ts uses a small, checked part of it through its own interfaces.
declare module 'oidc-provider' {
  const Provider: new (issuer: string, configuration: Record<string, unknown>) => {
    callback(): (request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => void;
    use(middleware: (ctx: { path: string; body: unknown }, next: () => Promise<void>) => Promise<void>): void;
  };
  export default Provider;
}
