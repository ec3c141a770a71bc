//! The Lua scripts of the Redis store, one per operation that must be atomic
//! (each is one round trip, and runs whole or not at all). What each key and
//! argument is, is said above each; the key names are in the parent module.

/// The current time in milliseconds, from Redis's own clock, so that several
/// machines with skewed clocks agree on when a retry is due.
pub(super) const NOW: &str = "local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
";

/// Appends a batch: `KEYS[1]` the stream, `KEYS[2]` the counters, `KEYS[3]`
/// this call's marker (the same for a batch sent again), then one dedupe key
/// per entry; `ARGV[1]` the window, `ARGV[2]` how many values each entry has,
/// `ARGV[3]` `1` when this batch is sent again (the answer to the first try
/// was lost, and it may have run), then each entry's field values one after
/// another (in the order of the field names the script writes, which cost
/// nothing to send). The dedupe keys are read with one MGET (and those set
/// earlier in the batch remembered); the script runs atomically, so a key
/// read absent is still absent when it is set. Sent again, an entry whose key
/// names an entry with its own arrival time, headers and body is the first
/// try's: answered as stored, and counted by that try already. The first try
/// ran, then (all of it: a script is atomic), so the duplicates it found were
/// counted too; a first try that stored nothing leaves the marker to say so.
/// Either way nothing is counted twice.
pub(super) const APPEND: &str = "
local per = tonumber(ARGV[2])
local again = ARGV[3] == '1'
local prior = redis.call('MGET', unpack(KEYS, 4))
local ran = again and redis.call('EXISTS', KEYS[3]) == 1
local now = {}
local out = {}
local stored, duplicates = 0, 0
local function ours(id, v)
  local got = redis.call('XRANGE', KEYS[1], id, id)[1]
  if not got then return false end
  local want = {received_at = ARGV[v + 3], headers = ARGV[v + 4], body = ARGV[v + 5]}
  local same = 0
  for j = 1, #got[2], 2 do
    local expected = want[got[2][j]]
    if expected ~= nil then
      if expected ~= got[2][j + 1] then return false end
      same = same + 1
    end
  end
  return same == 3
end
for i = 4, #KEYS do
  local v = 4 + (i - 4) * per
  local id = now[KEYS[i]] or prior[i - 3]
  if id and again and not now[KEYS[i]] and ours(id, v) then
    -- Its repeats later in the batch are duplicates, as in the first try.
    now[KEYS[i]] = id
    ran = true
    out[#out + 1] = {1, id}
  elseif id then
    duplicates = duplicates + 1
    out[#out + 1] = {0, id}
  else
    if ARGV[v + 7] == '' then
      id = redis.call('XADD', KEYS[1], '*', 'key', ARGV[v], 'event', ARGV[v + 1],
                      'message_id', ARGV[v + 2], 'received_at', ARGV[v + 3],
                      'headers', ARGV[v + 4], 'body', ARGV[v + 5], 'secret', ARGV[v + 6])
    else
      -- A header that is not UTF-8: its exact bytes too (rare, so a field only then).
      id = redis.call('XADD', KEYS[1], '*', 'key', ARGV[v], 'event', ARGV[v + 1],
                      'message_id', ARGV[v + 2], 'received_at', ARGV[v + 3],
                      'headers', ARGV[v + 4], 'body', ARGV[v + 5], 'secret', ARGV[v + 6],
                      'headers_base64', ARGV[v + 7])
    end
    redis.call('SET', KEYS[i], id, 'PX', ARGV[1])
    now[KEYS[i]] = id
    stored = stored + 1
    out[#out + 1] = {1, id}
  end
end
if ran then duplicates = 0 end
if stored > 0 then redis.call('HINCRBY', KEYS[2], 'stored', stored) end
if duplicates > 0 then redis.call('HINCRBY', KEYS[2], 'duplicates', duplicates) end
if stored == 0 and duplicates > 0 then redis.call('SET', KEYS[3], 1, 'PX', 60000) end
return out
";

/// Claims what is due again, up to `ARGV[4]`: entries of the retry set
/// (`KEYS[2]`) whose wait is over, leased for `ARGV[3]` ms to consumer
/// `ARGV[2]` (noted in `KEYS[4]`), and, when
/// `ARGV[6]` is `1`, entries another consumer left pending (`XAUTOCLAIM` from
/// cursor `ARGV[5]`), each with its attempts (`KEYS[3]`). A retry whose
/// entry the stream no longer holds (a dead letter put back after a prune)
/// is read from its `redriven` hash (`ARGV[7]` + id). Answers the next
/// cursor, the entries, and the ids whose entry is gone from the stream
/// (deleted by hand: `XDEL`, `XTRIM`), which no claim can deliver: each is
/// counted `lost` in `KEYS[5]` the first time it joins the set of entries
/// done (`KEYS[6]`), so that it is no longer pending. New entries are read by
/// `claim` itself. A script that fails half way keeps what it wrote, so the
/// group is looked for first (`XPENDING` fails with `NOGROUP`), before the
/// retries are leased and the gone let go: otherwise `XAUTOCLAIM`, or the
/// `XREADGROUP` after the script, would fail once they were.
pub(super) const CLAIM: &str = "
local max = tonumber(ARGV[4])
local lease = tonumber(ARGV[3])
redis.call('XPENDING', KEYS[1], ARGV[1])
local out = {}
local gone = {}
local function add(id, fields)
  if fields then
    out[#out + 1] = {id, redis.call('HGET', KEYS[3], id) or '0', fields}
  end
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, max)) do
  local got = redis.call('XRANGE', KEYS[1], id, id)
  local fields = got[1] and got[1][2] or redis.call('HGETALL', ARGV[7] .. id)
  if #fields > 0 then
    redis.call('ZADD', KEYS[2], now + lease, id)
    redis.call('HSET', KEYS[4], id, ARGV[2])
    add(id, fields)
  else
    redis.call('ZREM', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
    gone[#gone + 1] = id
  end
end
local cursor = ARGV[5]
if #out < max and ARGV[6] == '1' then
  local claimed = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], lease, cursor, 'COUNT', max - #out)
  cursor = claimed[1]
  for _, e in ipairs(claimed[2]) do add(e[1], e[2]) end
  -- Pending entries deleted from the stream: XAUTOCLAIM took them off the list.
  for _, id in ipairs(claimed[3] or {}) do gone[#gone + 1] = id end
end
if #gone > 0 then
  local lost = redis.call('SADD', KEYS[6], unpack(gone))
  if lost > 0 then redis.call('HINCRBY', KEYS[5], 'lost', lost) end
end
return {cursor, out, gone}
";

/// How consumer `ARGV[4]`'s attempts ended: `ARGV[1]` is the group, `ARGV[2]`
/// when the dead ones failed, `ARGV[3]` the prefix of the `redriven` hashes,
/// then five values per entry: `delivered`/`retry`/`dead`, the id, the
/// attempts made, the wait before a retry (ms), the last error. `KEYS[7]` is
/// the set of the entries done (delivered, dead or lost): an entry is counted
/// the first time it joins it, and only then, since a group made again from
/// the stream's start reads anew what it holds, delivered or dead already (and
/// an entry retrying is then both pending in the group and in the retry set).
/// A delivery counts for any entry not done yet that the group or the retry
/// set holds, whoever claimed it (the app has it); a retry or a dead letter only for one this consumer still holds
/// (pending in the group under its name, or claimed by it from the retry set,
/// `KEYS[6]`), so a late answer never undoes the lease of another consumer
/// that claimed the entry since, and only for one not done yet: one done
/// already is let go. The delivered ones, most of a batch, take two calls each
/// and two in all.
pub(super) const SETTLE: &str = "
local delivered, dead = 0, 0
local done = {}
-- The copies of redriven entries that are done (delivered or dead again).
local copies = {}
-- Releases an entry this consumer holds: 1, or 0 when it holds none.
local function release(id)
  if #redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1, ARGV[4]) > 0 then
    return redis.call('XACK', KEYS[1], ARGV[1], id)
  end
  if redis.call('HGET', KEYS[6], id) == ARGV[4] then
    redis.call('HDEL', KEYS[6], id)
    return redis.call('ZREM', KEYS[2], id)
  end
  return 0
end
for i = 5, #ARGV, 5 do
  local kind, id = ARGV[i], ARGV[i + 1]
  if kind == 'delivered' then
    done[#done + 1] = id
  else
    local held = release(id)
    if held > 0 and redis.call('SISMEMBER', KEYS[7], id) == 1 then
      redis.call('HDEL', KEYS[3], id)
    elseif held > 0 and kind == 'retry' then
      redis.call('ZADD', KEYS[2], now + tonumber(ARGV[i + 3]), id)
      redis.call('HSET', KEYS[3], id, ARGV[i + 2])
    elseif held > 0 then
      local got = redis.call('XRANGE', KEYS[1], id, id)
      local fields = got[1] and got[1][2] or redis.call('HGETALL', ARGV[3] .. id)
      redis.call('XADD', KEYS[5], '*', 'id', id, 'attempts', ARGV[i + 2], 'error', ARGV[i + 4],
                 'failed_at', ARGV[2], unpack(fields))
      redis.call('HDEL', KEYS[3], id)
      redis.call('SADD', KEYS[7], id)
      copies[#copies + 1] = ARGV[3] .. id
      dead = dead + 1
    end
  end
end
if #done > 0 then
  -- Counted only when something held it: one neither pending in the group nor
  -- in the retry set was settled already (a late answer), and may be one a
  -- prune trimmed since, which the set of entries done no longer holds.
  local held, retried = {}, 0
  for _, id in ipairs(done) do
    local out = redis.call('ZREM', KEYS[2], id)
    retried = retried + out
    if redis.call('XACK', KEYS[1], ARGV[1], id) + out > 0 then held[#held + 1] = id end
  end
  if #held > 0 then delivered = redis.call('SADD', KEYS[7], unpack(held)) end
  redis.call('HDEL', KEYS[3], unpack(done))
  -- Only an entry of the retry set can have a copy (redrive puts it there)
  -- or a lease noted, so a batch of new entries, the most of them, deletes none.
  if retried > 0 then
    redis.call('HDEL', KEYS[6], unpack(done))
    for _, id in ipairs(done) do copies[#copies + 1] = ARGV[3] .. id end
  end
end
if delivered > 0 then redis.call('HINCRBY', KEYS[4], 'delivered', delivered) end
if dead > 0 then redis.call('HINCRBY', KEYS[4], 'dead', dead) end
if #copies > 0 then redis.call('DEL', unpack(copies)) end
return delivered
";

/// Moves dead letters from `ARGV[1]` on (up to `ARGV[2]`) back into the retry
/// set, due now, and out of the set of entries done (`KEYS[5]`); only those
/// whose original id is among `ARGV[4..]`, when given. Answers where the
/// next page starts (empty after the last) and the original ids moved.
/// Each keeps its fields in a `redriven` hash (`ARGV[3]` + id), which `claim`
/// reads when `prune` trimmed the entry from the stream: before this, or
/// while it runs (a prune that read the retry set before the redrive).
pub(super) const REDRIVE: &str = "
local wanted = nil
if #ARGV > 3 then
  wanted = {}
  for i = 4, #ARGV do wanted[ARGV[i]] = true end
end
local own = {id = true, attempts = true, error = true, failed_at = true}
local page = redis.call('XRANGE', KEYS[1], ARGV[1], '+', 'COUNT', tonumber(ARGV[2]) + 1)
local moved = {}
local next = ''
for i, e in ipairs(page) do
  if i > tonumber(ARGV[2]) then next = e[1]; break end
  local id = nil
  for j = 1, #e[2], 2 do if e[2][j] == 'id' then id = e[2][j + 1]; break end end
  if id and (wanted == nil or wanted[id]) then
    local fields = {}
    for j = 1, #e[2], 2 do
      if not own[e[2][j]] then
        fields[#fields + 1] = e[2][j]
        fields[#fields + 1] = e[2][j + 1]
      end
    end
    if #fields > 0 then redis.call('HSET', ARGV[3] .. id, unpack(fields)) end
    redis.call('ZADD', KEYS[2], now, id)
    redis.call('HDEL', KEYS[3], id)
    redis.call('SREM', KEYS[5], id)
    redis.call('XDEL', KEYS[1], e[1])
    redis.call('HINCRBY', KEYS[4], 'dead', -1)
    moved[#moved + 1] = id
  end
end
return {next, moved}
";
