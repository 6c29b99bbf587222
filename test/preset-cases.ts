import { createHmac } from 'node:crypto'
import { shopify } from '@hookguard/core'
import { expect } from 'vitest'
import type { ConformanceCase } from './cases.js'
import { expectVerdict } from './hostile-support.js'
import { send } from './http-client.js'

/** Cases for sender presets, run through every target like the rest of the conformance suite. */

const senderSecret = 'hookguard preset-case secret'
const body = JSON.stringify({ id: 820982911946154500, total_price: '10.00' })
const hmacOf = (algorithm: 'sha1' | 'sha256', content: string, encoding: 'hex' | 'base64') =>
  createHmac(algorithm, senderSecret).update(content).digest(encoding)

/** Shopify under its current header names and under the old `x-shopify-*` ones. */
const shopifyForms = [
  { label: 'shopify-* (current names)', prefix: 'shopify' },
  { label: 'x-shopify-* (old names)', prefix: 'x-shopify' },
] as const

export const presetCases: readonly ConformanceCase[] = [
  ...shopifyForms.map(
    ({ label, prefix }): ConformanceCase => ({
      name: `Shopify ${label}: accepted with the id and topic; a tampered body is refused`,
      async run(start) {
        const server = await start({ verify: [shopify({ secret: senderSecret })] })
        const headers = (content: string) => ({
          'content-type': 'application/json',
          [`${prefix}-event-id`]: `ev-${prefix}`,
          [`${prefix}-topic`]: 'orders/create',
          [`${prefix}-hmac-sha256`]: hmacOf('sha256', content, 'base64'),
        })
        expectVerdict(await send(server.url, { headers: headers(body), body }), 202, 'accepted')
        const tampered = body.replace('10.00', '0.01')
        const reply = await send(server.url, { headers: headers(body), body: tampered })
        expectVerdict(reply, 401, 'invalid_signature')
        expect(server.enqueued.map((e) => [e.id, e.type])).toEqual([[`ev-${prefix}`, 'orders/create']])
      },
    }),
  ),
]
