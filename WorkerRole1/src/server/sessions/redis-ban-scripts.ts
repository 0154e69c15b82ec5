import { script } from './redis-lua-prelude.js';

/*
 * Removals from rooms (room:remove) in the Redis session registry. Keys, beside the others
 * (redis-lua-prelude.ts):
 *   ban:<room>|<subject>   STRING  when the ban ends (ms, Redis server clock); expires then
 * A subject is a nickname key or an author (room-bans.ts); room names hold no "|". `enter`
 * (redis-scripts.ts) checks them in the same step as the join.
 */

/** ARGV: base, room, duration ms, subjects... Replies when the bans end. */
export const BAN = script(`
local room, duration = ARGV[2], tonumber(ARGV[3])
local ends = now_ms() + duration
for i = 4, #ARGV do
  redis.call('SET', base .. 'ban:' .. room .. '|' .. ARGV[i], string.format('%d', ends), 'PX', duration)
end
return ends
`);
