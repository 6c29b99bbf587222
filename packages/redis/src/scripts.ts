import { createHash } from 'node:crypto'

/** A Lua script and its SHA-1, for `EVALSHA` with an `EVAL` fallback. */
export interface LuaScript {
  readonly source: string
  readonly sha: string
}

function lua(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}

/** The value of a key whose event was processed; tokens are longer, so they never equal it. */
export const doneMarker = 'done'

/** The claim script's answers. */
export const claimedReply = 1
export const doneReply = 2
export const inFlightReply = 3

/**
 * KEYS[1] the key; ARGV[1] token, ARGV[2] lease ms. Only for Redis before 7.0:
 * later ones claim with `SET key token PX lease NX GET`, one native command.
 * Returns 1 claimed, 2 done, 3 in flight.
 */
export const claimScript =
  lua(`if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return ${claimedReply} end
if redis.call('GET', KEYS[1]) == '${doneMarker}' then return ${doneReply} end
return ${inFlightReply}`)

/**
 * KEYS the keys; ARGV a token and a TTL ms for each key, in turn (ARGV[2i-1], ARGV[2i] for KEYS[i]).
 * Marks each key done while the lease is still ours, or when it expired and nobody claimed since
 * (the event was enqueued either way); leaves a newer claim or done marker alone. Returns how many it marked.
 */
export const completeScript = lua(`local marked = 0
for i, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current == ARGV[2 * i - 1] or not current then
    redis.call('SET', key, '${doneMarker}', 'PX', ARGV[2 * i])
    marked = marked + 1
  end
end
return marked`)

/** KEYS[1] the key; ARGV[1] token. Deletes the key only while the lease is still ours. */
export const releaseScript = lua(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)
