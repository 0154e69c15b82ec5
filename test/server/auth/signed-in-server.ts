import { startChatServer, type RunningChatServer } from '../../helpers/chat-server.js';
import { type OidcProviderOptions, type RunningOidcProvider, type TestClient, startOidcProvider } from '../../helpers/oidc-provider.js';
import type { Config } from '../../../WorkerRole1/src/server/config/load-config.js';

export const CHAT_CLIENT: TestClient = { clientId: 'chatapp', clientSecret: 'chatapp test client secret' };

export interface SignedInChat {
  idp: RunningOidcProvider;
  chat: RunningChatServer;
  close(): Promise<void>;
}

/** The chat server with AUTH_MODE=oidc against a real provider on loopback, registered as its client. */
export async function startSignedInChat(options: OidcProviderOptions = {}, overrides: Partial<Config> = {}): Promise<SignedInChat> {
  const idp = await startOidcProvider(options);
  const chat = await startChatServer({
    auth: { mode: 'oidc', issuer: idp.issuer, clientId: CHAT_CLIENT.clientId, clientSecret: CHAT_CLIENT.clientSecret },
    ...overrides,
  });
  idp.addClient(CHAT_CLIENT, [chat.url]);
  return {
    idp,
    chat,
    async close() {
      await chat.close();
      await idp.close();
    },
  };
}
