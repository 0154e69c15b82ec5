import type { z } from 'zod';
import { SETTING_EXAMPLES } from './setting-examples.js';
import { SECRET_SETTINGS, SETTINGS, type SettingName } from './settings.js';

/**
 * A setting's problem in words, the same wherever it is found: `npm run validate` on a cscfg
 * value, the emulator on a --setting, the role itself at start. `SESSION_GRACE_MS "soon" is not a
 * whole number of milliseconds (e.g. 30000)`: the setting, its value (a secret's is never shown:
 * "the value"), what is wrong, and what a valid value looks like.
 */

type Issue = z.core.$ZodIssue;

/** Every problem with `value` for setting `name`, in words; none when valid, blank (unset) or not a role setting. */
export function settingValueProblems(name: string, value: string): string[] {
  if (!isSettingName(name) || value.trim() === '') return [];
  const parsed = SETTINGS[name].safeParse(value.trim(), { reportInput: true });
  return parsed.success ? [] : parsed.error.issues.map((issue) => describeSettingIssue(name, value.trim(), issue));
}

/**
 * One issue of the role's schema in words. `issue.path` is relative to the setting (a list
 * setting's entry index); `label` replaces the name where the value came from a flag (`--port`).
 */
export function describeSettingIssue(name: SettingName, value: string, issue: Issue, label: string = name): string {
  const secret = SECRET_SETTINGS.has(name);
  const subject = secret ? `${label}: the value` : `${label} ${JSON.stringify(value)}`;
  const { words, showsValidValues } = whatIsWrong(name, issue, secret);
  const example = showsValidValues ? undefined : exampleOf(name);
  return `${subject} ${words}${example === undefined ? '' : ` (e.g. ${example})`}`;
}

function isSettingName(name: string): name is SettingName {
  return Object.hasOwn(SETTINGS, name);
}

function whatIsWrong(name: SettingName, issue: Issue, secret: boolean): { words: string; showsValidValues: boolean } {
  const unit = unitOf(name);
  const said = (words: string) => ({ words, showsValidValues: false });
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'number' || issue.expected === 'int') {
        return said(isWholeNumber(name) ? `is not a whole number${unit ? ` of ${unit}` : ''}` : 'is not a number');
      }
      return said(`is not ${issue.expected === 'string' ? 'text' : `a ${issue.expected}`}`);
    case 'too_small':
      return said(
        issue.inclusive
          ? `is below the minimum, ${String(issue.minimum)}${unit ? ` ${unit}` : ''}`
          : `must be more than ${String(issue.minimum)}${unit ? ` ${unit}` : ''}`,
      );
    case 'too_big':
      return said(
        issue.inclusive
          ? `is above the maximum, ${String(issue.maximum)}${unit ? ` ${unit}` : ''}`
          : `must be less than ${String(issue.maximum)}${unit ? ` ${unit}` : ''}`,
      );
    case 'invalid_value':
      if (hasOwnMessage(issue)) return said(`is not valid: ${issue.message}`);
      return { words: `is not one of ${issue.values.map(String).join(', ')}`, showsValidValues: true };
    case 'invalid_format': {
      if (hasOwnMessage(issue)) return said(`is not valid: ${issue.message}`);
      const kind = issue.format === 'url' ? urlKind(issue) : `in the expected format (${issue.format})`;
      if (issue.path.length > 0) {
        // An entry of a list setting (ALLOWED_ORIGINS): name the entry unless the setting is secret.
        const entry = secret || typeof issue.input !== 'string' ? '' : ` ${JSON.stringify(issue.input)}`;
        return said(`has an entry${entry} that is not ${kind}`);
      }
      return said(`is not ${kind}`);
    }
    default:
      return said(`is not valid: ${issue.message}`);
  }
}

/** The unit a whole-number setting counts in, from its name's suffix. */
function unitOf(name: SettingName): string {
  if (name.endsWith('_MS') || name === 'OTEL_METRIC_EXPORT_INTERVAL') return 'milliseconds';
  if (name.endsWith('_DAYS')) return 'days';
  if (name.endsWith('_BYTES')) return 'bytes';
  return '';
}

/** Whether the schema (under its default/optional wrappers) is an integer. */
function isWholeNumber(name: SettingName): boolean {
  let schema: unknown = SETTINGS[name];
  for (let depth = 0; depth < 5 && schema && typeof (schema as { unwrap?: unknown }).unwrap === 'function'; depth += 1) {
    schema = (schema as { unwrap(): unknown }).unwrap();
  }
  return (schema as { isInt?: boolean } | undefined)?.isInt === true;
}

/** Whether the schema gave this check a message of its own (settings.ts says what is expected). */
function hasOwnMessage(issue: Issue): boolean {
  return !/^(Invalid|Too (small|big))\b/.test(issue.message);
}

function urlKind(issue: Issue): string {
  const pattern = 'pattern' in issue && typeof issue.pattern === 'string' ? issue.pattern : undefined;
  const protocol = pattern && /^\^(\w+)(s\?)?\$$/.exec(pattern);
  if (!protocol) return 'a URL';
  return protocol[2] ? `an ${protocol[1]}:// or ${protocol[1]}s:// URL` : `a ${protocol[1]}:// URL`;
}

/** A valid value: the one SETTING_EXAMPLES gives, else the setting's default when it shows one. */
export function exampleOf(name: SettingName): string | undefined {
  if (Object.hasOwn(SETTING_EXAMPLES, name)) return SETTING_EXAMPLES[name];
  const parsed = SETTINGS[name].safeParse(undefined);
  const value: unknown = parsed.success ? parsed.data : undefined;
  return typeof value === 'number' || (typeof value === 'string' && value !== '') ? String(value) : undefined;
}
