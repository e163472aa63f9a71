/**
 * The Lua scripts of the cluster's run queue (cluster-run-queue.ts): each one step, so that no two members
 * ever take one run, and a run is never both out of the queue and held by nobody.
 */

/**
 * Takes the first waiting run and leases it to a member, in one step.
 * KEYS: queue list, running hash (id → member). ARGV: member, lease ms, lease key prefix. Returns the id or nil.
 */
export const CLAIM_SCRIPT = `
local id = redis.call('LPOP', KEYS[1])
if not id then return false end
redis.call('HSET', KEYS[2], id, ARGV[1])
redis.call('SET', ARGV[3] .. id, ARGV[1], 'PX', tonumber(ARGV[2]))
return id
`;

/** Renews this member's leases. KEYS: none. ARGV: member, lease ms, lease key prefix, ids... Returns ids lost. */
export const RENEW_SCRIPT = `
local lost = {}
for i = 4, #ARGV do
  local key = ARGV[3] .. ARGV[i]
  if redis.call('GET', key) == ARGV[1] then redis.call('PEXPIRE', key, tonumber(ARGV[2]))
  else table.insert(lost, ARGV[i]) end
end
return lost
`;

/**
 * Ends a lease this member holds; with ARGV[3] = 'front', gives the run back to the front of the queue.
 * KEYS: queue, running. ARGV: id, member, mode, lease key prefix.
 */
export const RELEASE_SCRIPT = `
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('DEL', ARGV[4] .. ARGV[1])
if ARGV[3] == 'front' then redis.call('LPUSH', KEYS[1], ARGV[1]) end
return 1
`;

/**
 * Runs whose lease expired (their member died) go back to the front of the queue, each in the same step as it
 * leaves the running hash: a run is never both lost and forgotten. KEYS: queue, running. ARGV: lease key prefix.
 */
export const REAP_SCRIPT = `
local reaped = {}
local running = redis.call('HGETALL', KEYS[2])
for i = 1, #running, 2 do
  local id = running[i]
  if redis.call('EXISTS', ARGV[1] .. id) == 0 then
    redis.call('HDEL', KEYS[2], id)
    redis.call('LPUSH', KEYS[1], id)
    table.insert(reaped, id)
    table.insert(reaped, running[i + 1])
  end
end
return reaped
`;

/**
 * Takes over the lease of a run whose member stopped renewing it (it died), before any member resumes it.
 * KEYS: running. ARGV: id, member, lease ms, lease key prefix. Returns 1 when taken, 0 otherwise.
 */
export const TAKE_OVER_SCRIPT = `
local holder = redis.call('HGET', KEYS[1], ARGV[1])
if not holder or redis.call('EXISTS', ARGV[4] .. ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SET', ARGV[4] .. ARGV[1], ARGV[2], 'PX', tonumber(ARGV[3]))
return 1
`;
