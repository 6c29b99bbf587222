import { WebhookError } from './errors.js'
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
 * Inflates a compressed body with the platform's `DecompressionStream`,
 * counting the inflated bytes against `limit`, so a decompression bomb is a
 * 413 after at most `limit` bytes of output.
 */
export async function decompressBody(
  body: Uint8Array,
  coding: ContentCoding,
  limit: number,
  idleMs: number,
): Promise<Uint8Array> {
  const source = new Blob([body as BlobPart]).stream().pipeThrough(new DecompressionStream(coding))
  try {
    return await readBody(source, limit, idleMs)
  } catch (error) {
    if (error instanceof WebhookError && error.code !== 'invalid_body') throw error
    throw new WebhookError('invalid_body', `the ${coding} body could not be decompressed`)
  }
}
