/** Locale-aware formatting of times, days and the typing line. */

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

export function formatTime(ts: number): string {
  return timeFormat.format(ts);
}

export function formatFull(ts: number): string {
  return fullFormat.format(ts);
}

export function dayKey(ts: number): string {
  const date = new Date(ts);
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

export function formatDay(ts: number, now = Date.now()): string {
  if (dayKey(ts) === dayKey(now)) return 'Today';
  if (dayKey(ts) === dayKey(now - 86_400_000)) return 'Yesterday';
  return dayFormat.format(ts);
}

export function typingLine(nicknames: string[]): string {
  const [first, second] = nicknames;
  if (first === undefined) return '';
  if (second === undefined) return `${first} is typing…`;
  if (nicknames.length === 2) return `${first} and ${second} are typing…`;
  return `${first} and ${nicknames.length - 1} others are typing…`;
}
