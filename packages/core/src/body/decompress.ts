import type { ContentCoding } from '../admit/coding.js'
import { WebhookError } from '../errors.js'
import { readBody } from './read-body.js'

/**
 * How many times its compressed size a body may inflate to. JSON webhooks
 * compress 5 to 30 times; a body that inflates further is refused (413), so
 * inflating costs at most this many bytes of work per byte received.
 */
export const maxInflateRatio = 100

/**
 * Inflates a compressed body with the platform's `DecompressionStream`,
 * counting the inflated bytes against `limit` and against
 * {@link maxInflateRatio} times the compressed size, so a decompression bomb
 * is a 413 after at most the smaller of the two of output.
 */
export async function decompressBody(
  body: Uint8Array,
  coding: ContentCoding,
  limit: number,
  idleMs: number,
): Promise<Uint8Array> {
  const source = new Blob([body as BlobPart]).stream().pipeThrough(new DecompressionStream(coding))
  const ratioLimit = maxInflateRatio * body.byteLength
  try {
    return await readBody(source, Math.min(limit, ratioLimit), idleMs)
  } catch (error) {
    if (error instanceof WebhookError && error.code === 'payload_too_large' && ratioLimit < limit) {
      const detail = `the ${coding} body inflates past ${maxInflateRatio} times its ${body.byteLength} bytes`
      throw new WebhookError('payload_too_large', detail)
    }
    if (error instanceof WebhookError && error.code !== 'invalid_body') throw error
    throw new WebhookError('invalid_body', `the ${coding} body could not be decompressed`)
  }
}
