/** Hash functions the HMAC schemes use. */
export type HashAlgorithm = 'sha1' | 'sha256' | 'sha512'

/** How a digest is written in a header. */
export type DigestEncoding = 'base64' | 'hex'

/** A secret decoded and prepared once, when the guard is created. */
export interface HmacKey {
  /** The HMAC of the concatenated parts (strings as UTF-8), encoded. */
  digest(parts: readonly (string | Uint8Array)[], encoding: DigestEncoding): string | Promise<string>
}

/** What the core needs from the platform's crypto; one Node and one Web Crypto implementation. */
export interface CryptoPort {
  hmacKey(algorithm: HashAlgorithm, secret: Uint8Array): HmacKey
  sha256(data: Uint8Array): Uint8Array | Promise<Uint8Array>
  base64Encode(bytes: Uint8Array): string
  base64Decode(text: string): Uint8Array
}
