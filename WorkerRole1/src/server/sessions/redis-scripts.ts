import { createHash } from 'node:crypto';

/**
 * The Lua scripts of the Redis session registry. Each runs atomically in Redis, which is what
 * makes a claim, a replace or a sweep race-free across instances.
 *
 * Keys, all under ARGV[1] (the registry's key base, e.g. `chatapp:{sessions}:`); KEYS[1] is the
 * leases key, declared so that a cluster proxy (Azure Managed Redis) routes each script to the
 * shard of the `{sessions}` hash tag, where all the other keys live too:
 *   nick:<nickname key>       STRING  token of the session holding the nickname
 *   session:<token>           HASH    nickname (display), key
 *   session:<token>:rooms     ZSET    room -> join sequence
 *   room:<room>               ZSET    token -> join sequence
 *   leases                    ZSET    token -> lease deadline (ms, Redis server clock)
 *   joins                     STRING  join sequence counter, so members come in join order
 *
 * A session is live while its lease deadline is in the future. A lapsed session is invisible to
 * every script at once, but its keys stay until `sweep` removes them and hands them to exactly
 * one caller to announce. Time comes from Redis so that instances with skewed clocks agree.
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
  for _, room in ipairs(redis.call('ZRANGE', base .. 'session:' .. token .. ':rooms', 0, -1)) do
    reply[#reply + 1] = room
  end
  return reply
end

-- Removes every key of the session; the nickname only if it still points here, because a
-- lapsed session's nickname may already belong to a newer session.
local function end_session(token)
  redis.call('ZREM', leases, token)
  local fields = fields_of(token)
  if not fields then return false end
  local reply = describe(token, fields)
  for i = 3, #reply do redis.call('ZREM', base .. 'room:' .. reply[i], token) end
  local nick = base .. 'nick:' .. fields[2]
  if redis.call('GET', nick) == token then redis.call('DEL', nick) end
  redis.call('DEL', base .. 'session:' .. token, base .. 'session:' .. token .. ':rooms')
  return reply
end
`;

function script(body: string): LuaScript {
  const source = PRELUDE + body;
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

/**
 * ARGV: base, nickname key, display, token ('' for none), fresh token, lease ms.
 * Replies { 'resumed', session } | { 'taken', holder display } | { 'created', replaced session or nil }.
 */
export const CLAIM = script(`
local key, display, token, fresh, lease = ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local now = now_ms()

local previous = false
if token ~= '' and is_live(token, now) then previous = fields_of(token) end
if previous and previous[2] == key then
  redis.call('ZADD', leases, now + lease, token)
  return { 'resumed', describe(token, previous) }
end

local holder = redis.call('GET', base .. 'nick:' .. key)
if holder and is_live(holder, now) then
  return { 'taken', redis.call('HGET', base .. 'session:' .. holder, 'nickname') or display }
end

local replaced = false
if previous then replaced = end_session(token) end
redis.call('SET', base .. 'nick:' .. key, fresh)
redis.call('HSET', base .. 'session:' .. fresh, 'nickname', display, 'key', key)
redis.call('ZADD', leases, now + lease, fresh)
return { 'created', replaced }
`);

/** ARGV: base, token. Replies the live session, or nil. */
export const GET = script(`
local token = ARGV[2]
if not is_live(token, now_ms()) then return false end
local fields = fields_of(token)
if not fields then return false end
return describe(token, fields)
`);

/** ARGV: base, nickname key. Replies { token, session } for a live holder, or nil. */
export const FIND_BY_NICKNAME = script(`
local token = redis.call('GET', base .. 'nick:' .. ARGV[2])
if not token or not is_live(token, now_ms()) then return false end
local fields = fields_of(token)
if not fields then return false end
return { token, describe(token, fields) }
`);

/** ARGV: base, token, room. Replies 1 when the live session newly joined. */
export const JOIN = script(`
local token, room = ARGV[2], ARGV[3]
if not is_live(token, now_ms()) then return 0 end
local sequence = redis.call('INCR', base .. 'joins')
if redis.call('ZADD', base .. 'session:' .. token .. ':rooms', 'NX', sequence, room) == 0 then return 0 end
redis.call('ZADD', base .. 'room:' .. room, sequence, token)
return 1
`);

/** ARGV: base, token, room. Replies 1 when the live session was in the room. */
export const LEAVE = script(`
local token, room = ARGV[2], ARGV[3]
if not is_live(token, now_ms()) then return 0 end
if redis.call('ZREM', base .. 'session:' .. token .. ':rooms', room) == 0 then return 0 end
redis.call('ZREM', base .. 'room:' .. room, token)
return 1
`);

/** ARGV: base, room. Replies the display nicknames of the room's live sessions, in join order. */
export const MEMBERS = script(`
local now = now_ms()
local nicknames = {}
for _, token in ipairs(redis.call('ZRANGE', base .. 'room:' .. ARGV[2], 0, -1)) do
  if is_live(token, now) then
    local nickname = redis.call('HGET', base .. 'session:' .. token, 'nickname')
    if nickname then nicknames[#nicknames + 1] = nickname end
  end
end
return nicknames
`);

/** ARGV: base, token. Ends a live session; replies it, or nil. */
export const END = script(`
local token = ARGV[2]
if not is_live(token, now_ms()) then return false end
return end_session(token)
`);

/**
 * ARGV: base, lease ms, tokens... Extends the leases of live sessions only: a lapsed session is
 * gone (its nickname may be someone else's by now) and is left for the sweep to announce.
 * Replies how many were renewed.
 */
export const RENEW = script(`
local lease = tonumber(ARGV[2])
local now = now_ms()
local renewed = 0
for i = 3, #ARGV do
  if is_live(ARGV[i], now) then
    redis.call('ZADD', leases, now + lease, ARGV[i])
    renewed = renewed + 1
  end
end
return renewed
`);

/**
 * ARGV: base, batch size. Removes up to a batch of lapsed sessions; replies { token, session }
 * for each. Being one script, two instances sweeping at once never get the same session.
 */
export const SWEEP = script(`
local lapsed = redis.call('ZRANGEBYSCORE', leases, '-inf', now_ms(), 'LIMIT', 0, tonumber(ARGV[2]))
local swept = {}
for _, token in ipairs(lapsed) do
  local session = end_session(token)
  if session then swept[#swept + 1] = { token, session } end
end
return { #lapsed, swept }
`);
