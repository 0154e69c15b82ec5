import { z } from 'zod';
import { LIMITS, ROOM_NAME_PATTERN } from '../../shared/protocol.js';

/** Field schemas shared by several events; each event's own schema sits in its handler file. */

export const roomName = z
  .string()
  .regex(ROOM_NAME_PATTERN, 'a room name is 1-32 of a-z, 0-9 and "-", starting with a letter or digit');

export const clientId = z.string().min(1).max(LIMITS.clientIdMaxLength);

/** A message id as a history cursor: a ULID in Crockford base32. */
export const messageId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'not a message id');

export const historyLimit = z.number().int().min(1).max(LIMITS.historyMaxLimit).default(LIMITS.historyDefaultLimit);

// C0 and C1 controls except tab and newline; carriage returns are folded into newlines first.
const FORBIDDEN_CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

export const messageText = z
  .string()
  .max(LIMITS.messageMaxLength * 4)
  .transform((text) => text.replace(/\r\n?/g, '\n').trim())
  .refine((text) => text.length > 0, 'a message cannot be empty')
  .refine((text) => [...text].length <= LIMITS.messageMaxLength, `a message has at most ${LIMITS.messageMaxLength} characters`)
  .refine((text) => !FORBIDDEN_CONTROLS.test(text), 'a message cannot contain control characters');
