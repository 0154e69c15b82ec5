import { script } from './redis-lua-prelude.js';

export type { LuaScript } from './redis-lua-prelude.js';

/*
 * The scripts of the Redis session registry, one per operation. The keys they use and the helpers
 * they share are described in redis-lua-prelude.ts.
 */

/**
 * ARGV: base, nickname key, display, token ('' for none), fresh token, lease ms, holder, known
 * epoch, threshold. Replies { epoch, outcome, detail } where outcome and detail are
 * 'resumed', session, its token | 'taken', holder display | 'created', replaced ended session or nil |
 * 'restoring', ms to wait.
 */
export const CLAIM = script(`
local key, display, token, fresh, lease = ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local holder, known, threshold = ARGV[7], ARGV[8], tonumber(ARGV[9])
local now = now_ms()
local epoch = check_epoch(known, fresh, now, lease)

local previous = false
if token ~= '' and is_live(token, now) then previous = fields_of(token) end
if previous and previous[2] == key then
  hold(token, key, holder, now, lease, previous[1])
  return { epoch[1], 'resumed', describe(token, previous), token }
end
-- The same token presented again after a claim that replaced it (an ack lost to a timeout or a
-- dropped connection): the caller gets the session that claim made, not NICKNAME_TAKEN.
if token ~= '' then
  local successor = redis.call('GET', base .. 'successor:' .. token)
  if successor and is_live(successor, now) then
    local fields = fields_of(successor)
    if fields and fields[2] == key then
      hold(successor, key, holder, now, lease, fields[1])
      return { epoch[1], 'resumed', describe(successor, fields), successor }
    end
  end
end
if epoch[2] > 0 then return { epoch[1], 'restoring', epoch[2] } end

local current = redis.call('GET', base .. 'nick:' .. key)
if current and is_live(current, now) then
  return { epoch[1], 'taken', redis.call('HGET', base .. 'session:' .. current, 'nickname') or display }
end

local replaced = false
if previous then replaced = end_session(token, threshold) end
redis.call('SET', base .. 'nick:' .. key, fresh)
redis.call('HSET', base .. 'session:' .. fresh, 'nickname', display, 'key', key)
hold(fresh, key, holder, now, lease, display)
if token ~= '' then redis.call('SET', base .. 'successor:' .. token, fresh, 'PX', lease) end
return { epoch[1], 'created', replaced }
`);

/** ARGV: base, token. Replies the live session, or nil. */
export const GET = script(`
local token = ARGV[2]
if not is_live(token, now_ms()) then return false end
local fields = fields_of(token)
if not fields then return false end
return describe(token, fields)
`);

/**
 * ARGV: base, token, nickname key, room ('' for none). Whether the session is live (and in the
 * room): what every message asks, so first the cheapest reads. The name key exists only while the
 * session is live, but a previous version's instance leaves it behind when it ends a session (and
 * writes none when it claims or renews one), so it counts only beside the room in the session's
 * rooms, or the lease entry, which ending a session deletes in every version; otherwise the lease
 * and the session's record decide, as `get` does. Replies { 'ok', nickname } | { 'no-session' } |
 * { 'not-in-room' }.
 */
export const CHECK_SENDER = script(`
local token, key, room = ARGV[2], ARGV[3], ARGV[4]
local rooms = base .. 'session:' .. token .. ':rooms'
local nickname = redis.call('GET', base .. 'name:' .. key .. '\\0' .. token)
local present
if room == '' then present = redis.call('ZSCORE', leases, token) else present = redis.call('ZSCORE', rooms, room) end
if nickname and present then return { 'ok', nickname } end
if not is_live(token, now_ms()) then return { 'no-session' } end
local fields = fields_of(token)
if not fields then return { 'no-session' } end
if room ~= '' and not present then return { 'not-in-room' } end
return { 'ok', fields[1] }
`);

/** ARGV: base, nickname key. Replies { token, session } for a live holder, or nil. */
export const FIND_BY_NICKNAME = script(`
local token = redis.call('GET', base .. 'nick:' .. ARGV[2])
if not token or not is_live(token, now_ms()) then return false end
local fields = fields_of(token)
if not fields then return false end
return { token, describe(token, fields) }
`);

/** ARGV: base, token, room, threshold. Replies { count, coalesced } when the live session newly joined, else nil. */
export const JOIN = script(`
local token, room, threshold = ARGV[2], ARGV[3], tonumber(ARGV[4])
if not is_live(token, now_ms()) then return false end
local fields = fields_of(token)
if not fields then return false end
local sequence = redis.call('INCR', base .. 'joins')
if redis.call('ZADD', base .. 'session:' .. token .. ':rooms', 'NX', sequence, room) == 0 then return false end
return add_to_room(token, fields[2], fields[1], room, threshold)
`);

/** ARGV: base, token, room, threshold. Replies { count, coalesced } when the live session was in the room, else nil. */
export const LEAVE = script(`
local token, room, threshold = ARGV[2], ARGV[3], tonumber(ARGV[4])
if not is_live(token, now_ms()) then return false end
local fields = fields_of(token)
if not fields then return false end
if redis.call('ZREM', base .. 'session:' .. token .. ':rooms', room) == 0 then return false end
return remove_from_room(token, fields[2], fields[1], room, threshold, false)
`);

/** ARGV: base, rooms... Replies each room's member count. */
export const MEMBER_COUNTS = script(`
local counts = {}
for i = 2, #ARGV do counts[#counts + 1] = redis.call('ZCARD', base .. 'members:' .. ARGV[i]) end
return counts
`);

/** ARGV: base, room, start, prefix, limit. Replies a page as member_page does. */
export const MEMBERS = script(`
return member_page(ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), now_ms())
`);

/**
 * ARGV: base, token, room, threshold, rooms max, holder, then a member page's start, prefix and
 * limit, then the ban subjects. room:join in one call: joins the live session to the room unless
 * a subject is banned from it or it is in rooms max rooms already, then reads a member page.
 * Replies { 'gone' } | { 'removed', when the ban ends } | { 'full' } |
 * { 'entered', session, { count, coalesced } or nil when it was in the room, held elsewhere (0/1), page }.
 */
export const ENTER = script(`
local token, room, threshold, rooms_max, holder = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local now = now_ms()
if not is_live(token, now) then return { 'gone' } end
local fields = fields_of(token)
if not fields then return { 'gone' } end
local removed_until = ban_end(room, 10, now)
if removed_until then return { 'removed', removed_until } end
-- The session's rooms are its reply too: read once, they also say whether it is in the room and
-- how many rooms it has. A new room goes last, its sequence being the highest yet.
local rooms = base .. 'session:' .. token .. ':rooms'
local session = { fields[1], fields[2] }
local member = false
for _, joined in ipairs(redis.call('ZRANGE', rooms, '0', '-1')) do
  session[#session + 1] = joined
  if joined == room then member = true end
end
local change = false
if not member then
  if #session - 2 >= rooms_max then return { 'full' } end
  redis.call('ZADD', rooms, redis.call('INCR', base .. 'joins'), room)
  session[#session + 1] = room
  change = add_to_room(token, fields[2], fields[1], room, threshold)
end
local elsewhere = 0
for _, other in ipairs(redis.call('HKEYS', base .. 'session:' .. token .. ':holders')) do
  if other ~= holder then elsewhere = 1 end
end
return { 'entered', session, change, elsewhere, member_page(room, ARGV[7], ARGV[8], tonumber(ARGV[9]), now, change and change[1]) }
`);

/** ARGV: base, token, threshold. Ends a live session; replies it as end_session does, or nil. */
export const END = script(`
local token = ARGV[2]
if not is_live(token, now_ms()) then return false end
return end_session(token, tonumber(ARGV[3]))
`);

/**
 * ARGV: base, token, holder, threshold. The holder lets go; ends the session (replied as
 * end_session does) unless another holder's lease is still running, else replies nil.
 */
export const RELEASE = script(`
local token, holder = ARGV[2], ARGV[3]
local now = now_ms()
if not is_live(token, now) then return false end
local holders = base .. 'session:' .. token .. ':holders'
redis.call('HDEL', holders, holder)
local others = redis.call('HGETALL', holders)
for i = 2, #others, 2 do
  if tonumber(others[i]) > now then return false end
end
return end_session(token, tonumber(ARGV[4]))
`);

/**
 * ARGV: base, lease ms, holder, known epoch, fresh epoch, then token and nickname key of each
 * session. Extends the leases of live sessions only: a lapsed session is gone (its nickname may
 * be someone else's by now) and is left for the sweep to announce. Replies { epoch, tokens of
 * which nothing is left }.
 */
export const RENEW = script(`
local lease, holder, known, fresh = tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local now = now_ms()
local epoch = check_epoch(known, fresh, now, lease)
local missing = {}
for i = 6, #ARGV, 2 do
  local token = ARGV[i]
  if is_live(token, now) then
    hold(token, ARGV[i + 1], holder, now, lease)
  elseif redis.call('ZSCORE', leases, token) == false and redis.call('EXISTS', base .. 'session:' .. token) == 0 then
    missing[#missing + 1] = token
  end
end
return { epoch[1], missing }
`);

/**
 * ARGV: base, lease ms, holder, then per session: token, nickname, key, room count, rooms... Puts
 * back sessions a store that lost its data no longer has, with their rooms, unless their nickname
 * is someone else's by now; a session another of its holders put back already is held and gets
 * the rooms it lacks. Nobody left or joined, so no presence is queued. Replies the tokens that
 * could not be put back.
 */
export const RESTORE = script(`
local lease, holder = tonumber(ARGV[2]), ARGV[3]
local now = now_ms()
local lost = {}
local i = 4
while i <= #ARGV do
  local token, nickname, key, room_count = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
  local rooms_at = i + 4
  i = rooms_at + room_count
  local session = base .. 'session:' .. token
  local restorable = false
  if redis.call('EXISTS', session) == 1 then
    restorable = is_live(token, now)
  else
    local current = redis.call('GET', base .. 'nick:' .. key)
    restorable = not (current and current ~= token and is_live(current, now))
    if restorable then
      redis.call('SET', base .. 'nick:' .. key, token)
      redis.call('HSET', session, 'nickname', nickname, 'key', key)
    end
  end
  if restorable then
    hold(token, key, holder, now, lease, nickname)
    for r = rooms_at, rooms_at + room_count - 1 do
      local sequence = redis.call('INCR', base .. 'joins')
      if redis.call('ZADD', session .. ':rooms', 'NX', sequence, ARGV[r]) == 1 then
        redis.call('ZADD', base .. 'members:' .. ARGV[r], 0, key .. '\\0' .. token)
      end
    end
  else
    lost[#lost + 1] = token
  end
end
return lost
`);

/**
 * ARGV: base, batch size, threshold. Removes up to a batch of lapsed sessions; replies
 * { lapsed count, { token, ended session }... }. Being one script, two instances sweeping at once
 * never get the same session.
 */
export const SWEEP = script(`
local lapsed = redis.call('ZRANGEBYSCORE', leases, '-inf', now_ms(), 'LIMIT', 0, tonumber(ARGV[2]))
local swept = {}
for _, token in ipairs(lapsed) do
  local session = end_session(token, tonumber(ARGV[3]))
  if session then swept[#swept + 1] = { token, session } end
end
return { #lapsed, swept }
`);

/**
 * ARGV: base, room, interval ms, names max. Takes what waits to be announced in a large room,
 * unless the room was announced less than an interval ago. Replies { 'empty' } |
 * { 'wait', ms } | { 'taken', count, { joined... }, { left... } }.
 */
export const TAKE_PRESENCE = script(`
local room, interval, names_max = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local pending = base .. 'presence:' .. room
if redis.call('HLEN', pending) == 0 then return { 'empty' } end
local slot = base .. 'presence-slot:' .. room
local wait = redis.call('PTTL', slot)
if wait > 0 then return { 'wait', wait } end
redis.call('SET', slot, '1', 'PX', interval)
local changes = redis.call('HGETALL', pending)
redis.call('DEL', pending)
local joined, left = {}, {}
for i = 2, #changes, 2 do
  local kind, nickname = string.sub(changes[i], 1, 1), string.sub(changes[i], 2)
  if kind == 'J' then
    if #joined < names_max then joined[#joined + 1] = nickname end
  elseif #left < names_max then
    left[#left + 1] = nickname
  end
end
return { 'taken', redis.call('ZCARD', base .. 'members:' .. room), joined, left }
`);

/** ARGV: base, token, peer key, peer token, peer nickname. */
export const NOTE_PEER = script(`
if not is_live(ARGV[2], now_ms()) then return 0 end
redis.call('HSET', base .. 'session:' .. ARGV[2] .. ':peers', ARGV[3], ARGV[4] .. '\\0' .. ARGV[5])
return 1
`);

/** ARGV: base, token, peer key. Replies 'token NUL nickname', or nil. */
export const FIND_PEER = script(`
if not is_live(ARGV[2], now_ms()) then return false end
return redis.call('HGET', base .. 'session:' .. ARGV[2] .. ':peers', ARGV[3])
`);
