import { expect } from 'vitest'
import { expectRejected, type HostileCase, headersFor } from './hostile-support.js'
import { send } from './http-client.js'

/** A JSON array nested `depth` deep: valid JSON that `JSON.stringify` cannot write back (RangeError). */
const nestedArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`

/** What a forged, compressed or slow request may cost, and that it never changes the answer. */
export const costCases: readonly HostileCase[] = [
  {
    name: 'a forged body nested 32 000 deep (valid JSON) is 401 invalid_signature, whatever the diagnosis meets',
    async run(start) {
      const server = await start()
      // 64 000 bytes: inside the 64 KiB the signature diagnosis still reads.
      const body = nestedArray(32_000)
      expect(() => JSON.stringify(JSON.parse(body))).toThrow(RangeError)
      const reply = await send(server.url, { headers: headersFor({ id: 'msg_deep' }), body })
      expectRejected(server, reply, 401, 'invalid_signature')
    },
  },
]
