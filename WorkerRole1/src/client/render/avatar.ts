import { h } from '../dom.js';

/** A stable colour per nickname (case-insensitive, like nicknames themselves). */
export function hueClass(nickname: string): string {
  let hash = 0;
  for (const char of nickname.toLowerCase()) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return `hue-${hash % 12}`;
}

export function avatar(nickname: string, large = false): HTMLElement {
  const initial = [...nickname.trim()][0]?.toUpperCase() ?? '?';
  return h('span', { className: `avatar ${hueClass(nickname)}${large ? ' avatar-large' : ''}`, text: initial, attrs: { 'aria-hidden': 'true' } });
}
