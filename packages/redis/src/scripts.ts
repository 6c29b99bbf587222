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
 * KEYS[1] the key; ARGV[1] token, ARGV[2] TTL ms.
 * Marks done while the lease is still ours, or when it expired and nobody claimed since
 * (the event was enqueued either way). Returns 1 when marked, 0 when a newer claim or done marker is there.
 */
export const completeScript = lua(`local current = redis.call('GET', KEYS[1])
if current == ARGV[1] or not current then
  redis.call('SET', KEYS[1], '${doneMarker}', 'PX', ARGV[2])
  return 1
end
return 0`)

/** KEYS[1] the key; ARGV[1] token. Deletes the key only while the lease is still ours. */
export const releaseScript = lua(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)
