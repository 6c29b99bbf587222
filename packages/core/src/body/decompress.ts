import { WebhookError } from '../errors.js'
import { readBody } from './read-body.js'

/** Content codings the guard can undo when `decompress` is on. */
export type ContentCoding = 'gzip' | 'deflate'

/**
 * Which coding a `Content-Encoding` header asks for: `null` for none or
 * `identity`, a supported coding, or a 415 `unsupported_encoding`.
 */
export function contentCoding(header: string | undefined, decompress: boolean): ContentCoding | null {
  if (header === undefined) return null
  const coding = header.trim().toLowerCase()
  if (coding === '' || coding === 'identity') return null
  if (decompress && (coding === 'gzip' || coding === 'x-gzip')) return 'gzip'
  if (decompress && coding === 'deflate') return 'deflate'
  throw new WebhookError('unsupported_encoding', `content-encoding ${header.slice(0, 32)} is not accepted`)
}

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
