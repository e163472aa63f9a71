/** The Lua scripts of the cluster's run store (cluster-run-store.ts): each write is one step. */

/**
 * The check that opens each write script: a write made by an execution (ARGV[1], the member, not empty) lands
 * only while that member holds the run in the queue's hash of executing runs (KEYS[1]); see run-fence.ts.
 * ARGV[2] is the run's id. Returns the script's "refused" value otherwise.
 */
const FENCE = (refused: string) => `
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], ARGV[2]) ~= ARGV[1] then return ${refused} end
`;

/**
 * Numbers an event after the run's last and stores it, then publishes it, in one step: a member that hears it
 * can read it back, and no two members ever give two events one `seq`. The draft is spliced in as text, not
 * decoded and re-encoded, because Lua's cjson rounds numbers to 14 digits.
 * KEYS: running, events list, seq counter. ARGV: writer, id, draft JSON (an object), channel. Returns the seq,
 * or -1 when the fence refused it.
 */
export const APPEND_EVENT_SCRIPT = `${FENCE('-1')}
local seq = redis.call('INCR', KEYS[3])
local event = '{"seq":' .. seq .. ',' .. string.sub(ARGV[3], 2)
redis.call('RPUSH', KEYS[2], event)
redis.call('PUBLISH', ARGV[4], event)
return seq
`;

/**
 * Writes a run's record, its summary in the index and its place in the list's order, and tells the members.
 * KEYS: running, record, index, order. ARGV: writer, id, record JSON, summary JSON, channel, change message.
 * Returns 1, or 0 when refused.
 */
export const SAVE_SCRIPT = `${FENCE('0')}
redis.call('SET', KEYS[2], ARGV[3])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[4])
redis.call('ZADD', KEYS[4], 0, ARGV[2])
redis.call('PUBLISH', ARGV[5], ARGV[6])
return 1
`;

/** Appends a finished step. KEYS: running, steps list. ARGV: writer, id, entry JSON. Returns 1, or 0 when refused. */
export const STEP_SCRIPT = `${FENCE('0')}
redis.call('RPUSH', KEYS[2], ARGV[3])
return 1
`;
