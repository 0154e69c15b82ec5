import { PublishError } from './errors.js';

/**
 * With more than one instance the role needs Redis: without it each instance has its own rooms,
 * nicknames and sessions, so people on different instances would not see each other. Both targets
 * refuse that before anything is sent.
 */
export function requireRedisForInstances(instances: number, settings: readonly { name: string; value: string }[], howToSetCount: string): void {
  const redis = settings.find(({ name }) => name === 'REDIS_URL')?.value.trim() ?? '';
  if (instances > 1 && redis === '') {
    throw new PublishError(
      `${instances} instances without REDIS_URL: each instance would keep its own rooms, nicknames and sessions, so people on different instances would not see each other`,
      `pass --redis-url (or CHATAPP_SETTING_REDIS_URL) with an Azure Managed Redis URL, or ${howToSetCount}`,
    );
  }
}
