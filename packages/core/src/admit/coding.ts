import { WebhookError } from '../errors.js'

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
