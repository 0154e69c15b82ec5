import { createHash } from 'node:crypto';

/**
 * The Lua scripts of the Redis session registry, which is also the rooms' membership index. Each
 * runs atomically in Redis, which is what makes a claim, a replace, a sweep or a presence flush
 * race-free across instances.
 *
 * Keys, all under ARGV[1] (the registry's key base, e.g. `chatapp:{sessions}:`); KEYS[1] is the
 * leases key, declared so that a cluster proxy (Azure Managed Redis) routes each script to the
 * shard of the `{sessions}` hash tag, where all the other keys live too:
 *   nick:<nickname key>        STRING  token of the session holding the nickname
 *   session:<token>            HASH    nickname (display), key
 *   session:<token>:rooms      ZSET    room -> join sequence
 *   session:<token>:holders    HASH    instance -> its lease deadline for the session
 *   session:<token>:peers      HASH    nickname key -> token NUL nickname of whom it wrote to
 *   members:<room>             ZSET    `key NUL token`, all scored 0: the room in nickname order
 *   name:<key NUL token>       STRING  nickname (display) of a live session; expires with its lease (below)
 *   presence:<room>            HASH    nickname key -> 'J' or 'L' then the nickname, not yet announced
 *   presence-slot:<room>       STRING  exists while the room's last room:presence is fresher than the interval
 *   leases                     ZSET    token -> lease deadline (ms, Redis server clock)
 *   joins                      STRING  join sequence counter, so a session's rooms come in join order
 *   epoch                      HASH    id, created, restoring_until: which incarnation of the data this is
 *
 * A session is live while its lease deadline is in the future. A lapsed session is invisible to
 * every script at once, but its keys stay until `sweep` removes them and hands them to exactly
 * one caller to announce. Time comes from Redis so that instances with skewed clocks agree.
 *
 * A member page reads the room's entries with one ZRANGEBYLEX and their nicknames with one MGET of
 * `name:` + each entry as it is: a name key exists only while its session is live, because
 * whoever extends a lease sets the name key to expire with it (`hold`), and ending a session
 * deletes it. That replaced a lease check and a nickname read per member (two calls each, most
 * of the ~200 µs of Redis a 100-name page took); naming the key by the entry spares the page
 * from taking each entry apart. Why a key per session and not the nickname and deadline inside
 * the room's entries: instances of the previous version run beside this one during a rolling
 * upgrade (slot swap, upgrade domains), and they add and remove exactly `key NUL token` (an entry
 * in another shape would be left behind by their leaves and sweeps); and a deadline in every room
 * entry would have to be rewritten in every room at each renewal. So `members:<room>` keeps its
 * format, and a missing name key means only "not known fast": the page then checks the lease and
 * reads `session:<token>` as before. That covers sessions claimed, or last renewed, by an
 * instance of the previous version, which writes no name keys; this version gives such a session
 * its name key at its next renewal. The previous version ignores name keys, and those it leaves
 * behind (it ends sessions without deleting them) expire with the lease. The one way a name key
 * can outlive its lease: an upgrade that also lengthens SESSION_LEASE_MS, and a session held on
 * both versions whose old-version holder renews it last (with the shorter lease) and then stops;
 * it shows in pages until the next sweep (a renewal interval) removes it from its rooms.
 * The sender check of every message (CHECK_SENDER, redis-scripts.ts) reads the name key too, and
 * trusts it only beside a key that ending a session deletes in both versions.
 *
 * The epoch tells a Redis that lost its data (a restart without persistence, a flush) from one
 * that never had any: instances pass the epoch they last saw; one that finds another (or none)
 * opens a restoring window of one lease, in which new claims wait while instances put back the
 * sessions they hold, so that nobody can take the nickname of someone still connected.
 */

export interface LuaScript {
  source: string;
  sha1: string;
}

const PRELUDE = `
local base, leases = ARGV[1], KEYS[1]

local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

local function is_live(token, now)
  local deadline = redis.call('ZSCORE', leases, token)
  return deadline ~= false and tonumber(deadline) > now
end

local function fields_of(token)
  local fields = redis.call('HMGET', base .. 'session:' .. token, 'nickname', 'key')
  if not fields[1] then return false end
  return fields
end

-- A session as the registry reads it: { nickname, key, rooms... } with rooms in join order.
local function describe(token, fields)
  local reply = { fields[1], fields[2] }
  for _, room in ipairs(redis.call('ZRANGE', base .. 'session:' .. token .. ':rooms', '0', '-1')) do
    reply[#reply + 1] = room
  end
  return reply
end

-- Extends the lease, and the name key's life with it: the key expires the millisecond before the
-- lease does, when is_live turns false (Redis keeps a key through its expiry millisecond).
-- \`nickname\` may be nil: it is read from the session when the name key is missing. Known, it is
-- written with its expiry in one SET, one call instead of a PEXPIREAT that may find no key.
local function hold(token, key, holder, now, lease, nickname)
  local deadline = now + lease
  redis.call('ZADD', leases, deadline, token)
  redis.call('HSET', base .. 'session:' .. token .. ':holders', holder, deadline)
  local name = base .. 'name:' .. key .. '\\0' .. token
  if not nickname then
    if redis.call('PEXPIREAT', name, deadline - 1) == 1 then return end
    nickname = redis.call('HGET', base .. 'session:' .. token, 'nickname')
    if not nickname then return end
  end
  redis.call('SET', name, nickname, 'PXAT', deadline - 1)
end

-- Queues a join or leave of a large room for its next room:presence; a join and a leave of the
-- same nickname in between cancel out. Usually nothing waits for the nickname: one HSETNX.
local function note_presence(room, key, nickname, kind)
  local pending = base .. 'presence:' .. room
  if redis.call('HSETNX', pending, key, kind .. nickname) == 1 then return end
  if string.sub(redis.call('HGET', pending, key), 1, 1) ~= kind then
    redis.call('HDEL', pending, key)
  else
    redis.call('HSET', pending, key, kind .. nickname)
  end
end

-- Adds to a room; replies { count, coalesced } where coalesced is 1 when queued for room:presence.
-- Constant numbers go to redis.call as strings: Redis formats every number argument with snprintf.
local function add_to_room(token, key, nickname, room, threshold)
  local members = base .. 'members:' .. room
  redis.call('ZADD', members, '0', key .. '\\0' .. token)
  local count = redis.call('ZCARD', members)
  if count > threshold then
    note_presence(room, key, nickname, 'J')
    return { count, 1 }
  end
  return { count, 0 }
end

-- Reads the room's index from \`start\` in nickname-key order, only entries that begin with
-- \`prefix\`, skipping lapsed sessions. Replies { count, next key or '', nicknames joined by NUL }:
-- one string, not one per name, because taking a hundred replies apart cost the instance more
-- than Redis spent finding them (nicknames hold no NUL: nickname.ts). \`count\`, the room's size,
-- may be nil; a caller that has just counted the room passes it.
local function member_page(room, start, prefix, limit, now, count)
  local members = base .. 'members:' .. room
  local upper = '+'
  if prefix ~= '' then upper = '(' .. prefix .. '\\255' end
  count = count or redis.call('ZCARD', members)
  local found = {}
  local last = ''
  local offset = 0
  local batch = limit + 1
  while true do
    local lower = '-'
    if start ~= '' then lower = '[' .. start end
    local entries = redis.call('ZRANGEBYLEX', members, lower, upper, 'LIMIT', offset, batch)
    if #entries == 0 then return { count, '', table.concat(found, '\\0') } end
    local names = {}
    for i, entry in ipairs(entries) do names[i] = base .. 'name:' .. entry end
    names = redis.call('MGET', unpack(names))
    for i, entry in ipairs(entries) do
      local nickname = names[i]
      if not nickname then
        local token = string.sub(entry, string.find(entry, '\\0', 1, true) + 1)
        if is_live(token, now) then nickname = redis.call('HGET', base .. 'session:' .. token, 'nickname') end
      end
      if nickname then
        if #found == limit then
          local next = ''
          if last ~= '' then next = string.sub(last, 1, string.find(last, '\\0', 1, true) - 1) end
          return { count, next, table.concat(found, '\\0') }
        end
        found[#found + 1] = nickname
        last = entry
      end
    end
    if #entries < batch then return { count, '', table.concat(found, '\\0') } end
    offset = offset + batch
  end
end

-- When the latest running ban from \`room\` of any subject in ARGV[first..] ends (ms), or false.
local function ban_end(room, first, now)
  if first > #ARGV then return false end
  local keys = {}
  for i = first, #ARGV do keys[#keys + 1] = base .. 'ban:' .. room .. '|' .. ARGV[i] end
  local latest = false
  for _, value in ipairs(redis.call('MGET', unpack(keys))) do
    local ends = tonumber(value)
    if ends and ends > now and (not latest or ends > latest) then latest = ends end
  end
  return latest
end

-- \`stays\`: the nickname is still in the room (its new holder), so nobody is told it left.
local function remove_from_room(token, key, nickname, room, threshold, stays)
  local members = base .. 'members:' .. room
  redis.call('ZREM', members, key .. '\\0' .. token)
  local count = redis.call('ZCARD', members)
  if count == 0 then
    redis.call('DEL', base .. 'presence:' .. room, base .. 'presence-slot:' .. room)
    return { 0, 0 }
  end
  if count + 1 > threshold then
    if not stays then note_presence(room, key, nickname, 'L') end
    return { count, 1 }
  end
  return { count, 0 }
end

-- Removes every key of the session; the nickname only if it still points here, because a
-- lapsed session's nickname may already belong to a newer session. Replies
-- { nickname, key, { room, count, coalesced, ... } } with the rooms in join order.
local function end_session(token, threshold)
  redis.call('ZREM', leases, token)
  local fields = fields_of(token)
  if not fields then return false end
  local session = base .. 'session:' .. token
  -- A lapsed session's nickname may have a new holder already, in some of the same rooms.
  local successor = redis.call('GET', base .. 'nick:' .. fields[2])
  if successor == token or (successor and not is_live(successor, now_ms())) then successor = false end
  local left = {}
  for _, room in ipairs(redis.call('ZRANGE', session .. ':rooms', 0, -1)) do
    local stays = successor and redis.call('ZSCORE', base .. 'session:' .. successor .. ':rooms', room) ~= false
    local change = remove_from_room(token, fields[2], fields[1], room, threshold, stays)
    left[#left + 1] = room
    left[#left + 1] = change[1]
    left[#left + 1] = change[2]
  end
  local nick = base .. 'nick:' .. fields[2]
  if redis.call('GET', nick) == token then redis.call('DEL', nick) end
  redis.call('DEL', session, session .. ':rooms', session .. ':holders', session .. ':peers', base .. 'name:' .. fields[2] .. '\\0' .. token)
  return { fields[1], fields[2], left }
end

-- Which incarnation of the data this is. \`known\` is the epoch the caller last saw ('' for none);
-- \`fresh\` names a new epoch if there is none. A caller that saw another epoch than the current
-- one proves the data was lost: new claims then wait one lease while sessions are put back.
-- Replies { id, ms left of the restoring window }.
local function check_epoch(known, fresh, now, lease)
  local epoch = base .. 'epoch'
  local state = redis.call('HMGET', epoch, 'id', 'restoring_until', 'created')
  local id, until_ms, created = state[1], tonumber(state[2]), tonumber(state[3])
  if not id then
    id, until_ms, created = fresh, 0, now
    redis.call('HSET', epoch, 'id', id, 'created', now, 'restoring_until', 0)
  end
  if known ~= '' and known ~= id then
    if created + lease > until_ms then
      until_ms = created + lease
      redis.call('HSET', epoch, 'restoring_until', until_ms)
    end
  end
  local left = until_ms - now
  if left < 0 then left = 0 end
  return { id, left }
end
`;

/** A script: the prelude's helpers, then `body`. */
export function script(body: string): LuaScript {
  const source = PRELUDE + body;
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}
