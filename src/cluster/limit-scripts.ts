/**
 * The shared limiter's Lua scripts. Redis runs each atomically, so members never act on a count another
 * member is changing: that is what keeps several daemons under one key's limits together. They port
 * `LimitGate` (src/gateway/limit-gate.ts) rule for rule: rpm/tpm token buckets that may go into debt, an
 * AIMD in-flight cap, a pause after a 429, a pace lowered on 429s, limits learned from headers. Time is
 * Redis's own clock (TIME), so members whose clocks disagree still agree on the buckets.
 *
 * Per gate (a provider, or one model of it) there is a hash of its state and a sorted set of leases (lease id
 * scored by its expiry): in flight is the number of unexpired leases, so a member that dies frees its slots
 * when their leases expire. Per provider, a sorted set of waiting members' head requests (scored by when they
 * started waiting) and one of when each was last seen make the provider's gate first come, first served
 * across members.
 *
 * Gate hash fields: rpm, tpm (in force: configured, else learned), tl/tat (token level and when), rl/rat
 * (request level and when), cap (in-flight cap; 0 = none), succ (successes since the cap was raised),
 * pause (paused until, ms), pace (share of the rate in use), disp (tokens dispatched so far).
 */

const PRELUDE = `
local MINUTE = 60000
local MIN_PACE = 0.5
local SAFETY = 5
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function capacity(per_minute, burst)
  return math.max(1, per_minute * burst / 60)
end
local function refill(g, level_field, at_field, per_minute, now)
  if not per_minute then return end
  local cap = capacity(per_minute, g.burst)
  local level = g[level_field]
  local at = g[at_field]
  if level == nil then level = cap; at = now end
  local elapsed = now - at
  if elapsed > 0 then level = level + elapsed * per_minute * g.pace / MINUTE end
  if level > cap then level = cap end
  g[level_field] = level
  g[at_field] = now
end
local function load(key, leases, conf, now)
  local raw = redis.call('HGETALL', key)
  local g = {}
  for i = 1, #raw, 2 do g[raw[i]] = tonumber(raw[i + 1]) end
  g.burst = conf.burst
  g.pace = g.pace or 1
  if conf.rpm then g.rpm = conf.rpm end
  if conf.tpm then g.tpm = conf.tpm end
  if g.cap == nil then g.cap = conf.concurrency or 0 end
  g.succ = g.succ or 0
  g.pause = g.pause or 0
  g.disp = g.disp or 0
  refill(g, 'tl', 'tat', g.tpm, now)
  refill(g, 'rl', 'rat', g.rpm, now)
  redis.call('ZREMRANGEBYSCORE', leases, '-inf', now)
  g.inflight = redis.call('ZCARD', leases)
  return g
end
local function save(key, g)
  local fields = {}
  for _, name in ipairs({'rpm', 'tpm', 'tl', 'tat', 'rl', 'rat', 'cap', 'succ', 'pause', 'pace', 'disp'}) do
    if g[name] ~= nil then
      table.insert(fields, name)
      table.insert(fields, tostring(g[name]))
    end
  end
  redis.call('HSET', key, unpack(fields))
end
-- Milliseconds until a request of tokens may go, and why; -1 while the in-flight cap is full.
local function wait(g, tokens, now)
  if g.pause > now then return g.pause - now, 'paused' end
  if g.cap > 0 and g.inflight >= g.cap then return -1, 'concurrency' end
  if g.rpm then
    local need = math.min(1, capacity(g.rpm, g.burst))
    if g.rl < need then return math.ceil((need - g.rl) / (g.rpm * g.pace / MINUTE)) + SAFETY, 'requests' end
  end
  if g.tpm then
    local need = math.min(tokens, capacity(g.tpm, g.burst))
    if g.tl < need then return math.ceil((need - g.tl) / (g.tpm * g.pace / MINUTE)) + SAFETY, 'tokens' end
  end
  return nil
end
local function give_tokens(g, amount)
  if not g.tpm then return end
  g.tl = math.min(capacity(g.tpm, g.burst), g.tl + amount)
end
`;

/**
 * Tries to admit one request into every gate at once, or none.
 * KEYS: gate hash and lease set for each gate (provider first), then the provider's waiters and waiters-seen sets.
 * ARGV[1]: JSON { gates: [{ rpm?, tpm?, concurrency?, burst }], tokens, lease, waiter, expiry (ms from now), staleMs }.
 * Returns { 1, mark per gate... } when admitted, else { 0, ms (-1: until a slot frees), reason, scope }.
 */
export const ACQUIRE_SCRIPT = `${PRELUDE}
local args = cjson.decode(ARGV[1])
local now = now_ms()
local count = #args.gates
local waiters = KEYS[2 * count + 1]
local seen = KEYS[2 * count + 2]
local stale = redis.call('ZRANGEBYSCORE', seen, '-inf', now - args.staleMs)
for _, id in ipairs(stale) do
  redis.call('ZREM', waiters, id)
  redis.call('ZREM', seen, id)
end
local gates = {}
for i = 1, count do gates[i] = load(KEYS[2 * i - 1], KEYS[2 * i], args.gates[i], now) end
local function queue_behind()
  redis.call('ZADD', waiters, 'NX', now, args.waiter)
  redis.call('ZADD', seen, now, args.waiter)
end
local function unqueue()
  redis.call('ZREM', waiters, args.waiter)
  redis.call('ZREM', seen, args.waiter)
end
local ms, reason = wait(gates[1], args.tokens, now)
if ms then
  queue_behind()
  for i = 1, count do save(KEYS[2 * i - 1], gates[i]) end
  return {0, ms, reason, 'provider'}
end
local head = redis.call('ZRANGE', waiters, 0, 0)[1]
if head and head ~= args.waiter then
  queue_behind()
  return {0, 10, 'queue', 'provider'}
end
local longest = nil
local longest_reason = nil
for i = 2, count do
  local model_ms, model_reason = wait(gates[i], args.tokens, now)
  if model_ms and (longest == nil or model_ms == -1 or (longest ~= -1 and model_ms > longest)) then
    longest = model_ms
    longest_reason = model_reason
  end
end
if longest then
  -- Waiting for its model's own limit only: requests for other models may go ahead of it.
  unqueue()
  return {0, longest, longest_reason, 'model'}
end
unqueue()
local result = {1}
for i = 1, count do
  local g = gates[i]
  redis.call('ZADD', KEYS[2 * i], now + args.expiry, args.lease)
  if g.rpm then g.rl = g.rl - 1 end
  if g.tpm then g.tl = g.tl - args.tokens end
  table.insert(result, g.disp)
  g.disp = g.disp + args.tokens
  save(KEYS[2 * i - 1], g)
end
return result
`;

/**
 * Settles a lease in every gate: success (refund what the provider did not charge, sync to its headers,
 * recover pace and cap), rate-limited (refund, sync, and on the provider's gate pause, halve the cap, slow the
 * pace, learn limits from the 429's text), or failed (refund everything).
 * KEYS: gate hash and lease set for each gate (provider first).
 * ARGV[1]: JSON { gates, lease, kind, tokens, charged, marks, reading?, pauseMs?, learned? }.
 */
export const SETTLE_SCRIPT = `${PRELUDE}
local args = cjson.decode(ARGV[1])
local now = now_ms()
local reading = args.reading or {}
for i = 1, #args.gates do
  local key = KEYS[2 * i - 1]
  local conf = args.gates[i]
  redis.call('ZREM', KEYS[2 * i], args.lease)
  local g = load(key, KEYS[2 * i], conf, now)
  local function observe(own)
    if reading.tokensLimit and not conf.tpm and reading.tokensLimit ~= g.tpm then
      g.tpm = reading.tokensLimit
      refill(g, 'tl', 'tat', g.tpm, now)
    end
    if reading.requestsLimit and not conf.rpm and reading.requestsLimit ~= g.rpm then
      g.rpm = reading.requestsLimit
      refill(g, 'rl', 'rat', g.rpm, now)
    end
    if reading.tokensRemaining and g.tpm then
      local sent_after = g.disp - (args.marks[i] or 0) - own
      g.tl = math.min(g.tl, reading.tokensRemaining - math.max(0, sent_after))
    end
    if reading.requestsRemaining and g.rpm then g.rl = math.min(g.rl, reading.requestsRemaining) end
  end
  if args.kind == 'success' then
    give_tokens(g, args.tokens - args.charged)
    observe(args.charged)
    g.pace = math.min(1, g.pace + 0.05)
    local ceiling = conf.concurrency or 0
    if g.cap > 0 and (ceiling == 0 or g.cap < ceiling) then
      g.succ = g.succ + 1
      if g.succ >= g.cap then
        g.succ = 0
        g.cap = g.cap + 1
        -- Unknown limit: once well above what was in flight when throttled, stop capping at all.
        if ceiling == 0 and g.cap > 64 then g.cap = 0 end
      end
    end
  elseif args.kind == 'rate-limited' then
    give_tokens(g, args.tokens)
    observe(0)
    if i == 1 then
      g.pause = math.max(g.pause, now + args.pauseMs)
      local base = g.cap
      if base == 0 then base = math.max(1, g.inflight) end
      g.cap = math.max(1, math.floor(base / 2))
      g.succ = 0
      local learned = args.learned or {}
      if learned.tpm and not conf.tpm then g.tpm = learned.tpm; refill(g, 'tl', 'tat', g.tpm, now) end
      if learned.rpm and not conf.rpm then g.rpm = learned.rpm; refill(g, 'rl', 'rat', g.rpm, now) end
      g.pace = math.max(MIN_PACE, g.pace * 0.8)
      if g.tpm then g.tl = math.min(g.tl, 0) end
    end
  else
    give_tokens(g, args.tokens)
  end
  save(key, g)
end
return 1
`;

/**
 * Extends leases still in use (re-adding any that expired while Redis was away, so in-flight counts stay true).
 * KEYS: lease sets; ARGV: expiry (ms from now), then one lease id per key.
 */
export const RENEW_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, #KEYS do redis.call('ZADD', KEYS[i], now + tonumber(ARGV[1]), ARGV[i + 1]) end
return #KEYS
`;

/**
 * A gate's state for status pages. KEYS: gate hash, lease set. ARGV[1]: JSON gate config.
 * Returns JSON { rpm, tpm, tl, rl, cap, pace, pause, inflight, now }.
 */
export const STATE_SCRIPT = `${PRELUDE}
local conf = cjson.decode(ARGV[1])
local now = now_ms()
local g = load(KEYS[1], KEYS[2], conf, now)
return cjson.encode({ rpm = g.rpm, tpm = g.tpm, tl = g.tl, rl = g.rl, cap = g.cap, pace = g.pace, pause = g.pause, inflight = g.inflight, now = now })
`;
