import { SECRET_SETTINGS, type SettingName } from '../../WorkerRole1/src/server/config/settings.js';

/**
 * Which values must never reach a terminal or a log, and how they are shown instead. A setting is
 * secret when the role says so (SECRET_SETTINGS), or, as a safety net for settings added later, by
 * its name: connection strings and keys obviously, and URLs because a Redis URL carries its access
 * key (rediss://:<key>@host:6380).
 */
const SECRET_SETTING = /(CONNECTION_STRING|_URL$|_URI$|KEY$|SECRET|PASSWORD|TOKEN|SAS)/i;

export function isSecretSetting(name: string): boolean {
  return SECRET_SETTINGS.has(name as SettingName) || SECRET_SETTING.test(name);
}

export const REDACTED = '<redacted>';

/** A SAS URL with its signature (the part that grants access) replaced. */
export function redactSasUrl(url: string): string {
  return url.replace(/([?&]sig=)[^&]*/gi, `$1${REDACTED}`);
}

/**
 * Last line of defence for anything printed: every known secret value replaced wherever it occurs
 * (in a cscfg, a JSON body, an error message), plus any SAS signature.
 */
export function redactText(text: string, secrets: readonly string[]): string {
  let redacted = text;
  // Longest first, so a secret that contains another is replaced whole.
  for (const secret of [...secrets].filter((value) => value.length > 0).sort((a, b) => b.length - a.length)) {
    redacted = redacted.split(secret).join(REDACTED);
    // The same value as it appears XML-escaped in a cscfg or JSON-escaped in a body.
    for (const escaped of [escapeXml(secret), JSON.stringify(secret).slice(1, -1)]) {
      if (escaped !== secret) redacted = redacted.split(escaped).join(REDACTED);
    }
  }
  return redactSasUrl(redacted);
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
