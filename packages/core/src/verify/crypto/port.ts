/** Hash functions the HMAC schemes use. */
export type HashAlgorithm = 'sha1' | 'sha256' | 'sha512'

/** How a digest is written in a header. */
export type DigestEncoding = 'base64' | 'hex'

/** A secret decoded and prepared once, when the guard is created. */
export interface HmacKey {
  /** The HMAC of the concatenated parts (strings as UTF-8), encoded. */
  digest(parts: readonly (string | Uint8Array)[], encoding: DigestEncoding): string | Promise<string>
}

/** An Ed25519 public key, decoded and prepared once, when the guard is created. */
export interface Ed25519PublicKey {
  /** Whether `signature` (64 raw bytes) is a valid Ed25519 signature of the concatenated parts (strings as UTF-8). */
  verify(parts: readonly (string | Uint8Array)[], signature: Uint8Array): boolean | Promise<boolean>
}

/**
 * The asymmetric signature algorithms, all over SHA-256 but Ed25519: Ed25519,
 * ECDSA P-256, RSASSA-PKCS1-v1_5 and RSASSA-PSS (salt length 32); and
 * RSASSA-PKCS1-v1_5 over SHA-1, for a sender that still signs with it (AWS
 * SNS's `SignatureVersion` 1).
 */
export type SignatureAlgorithm =
  | 'ed25519'
  | 'ecdsa-p256-sha256'
  | 'rsa-pkcs1-sha256'
  | 'rsa-pss-sha256'
  | 'rsa-pkcs1-sha1'

/** How an ECDSA signature is written: ASN.1 DER, or raw `r || s` (IEEE P1363, as Web Crypto and JWS). */
export type EcdsaSignatureFormat = 'der' | 'raw'

/** A public key in PEM (SPKI, `-----BEGIN PUBLIC KEY-----`) or as a public JWK. */
export type PublicKeyInput = string | JsonWebKey

/** A public key imported once, when the guard is created. */
export interface SignatureKey {
  /** Whether `signature` is a valid signature of the concatenated parts (strings as UTF-8). */
  verify(parts: readonly (string | Uint8Array)[], signature: Uint8Array): boolean | Promise<boolean>
}

/** The JWS algorithms (RFC 7518, RFC 8037) the `jwt` verifier knows. */
export type JwsAlgorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519'

/** A JWS key prepared once for one algorithm: the platform's key object, built before the first token. */
export interface JwsKey {
  /**
   * Whether `signature` (the token's third part: base64url, its characters
   * and length already checked) is the algorithm's signature of the (ASCII)
   * signing input `header.payload`.
   */
  verify(signingInput: string, signature: string): boolean | Promise<boolean>
}

/** What the core needs from the platform's crypto; one Node and one Web Crypto implementation. */
export interface CryptoPort {
  hmacKey(algorithm: HashAlgorithm, secret: Uint8Array): HmacKey
  /** Prepares a raw 32-byte Ed25519 public key; throws a `TypeError` when it is not one. */
  ed25519PublicKey(raw: Uint8Array): Ed25519PublicKey
  /**
   * Imports a public key for `algorithm`, once; throws a `TypeError` when it is
   * not one (Web Crypto, which imports asynchronously, checks what it can at once
   * and fails the first verification otherwise).
   */
  signatureKey(algorithm: SignatureAlgorithm, key: PublicKeyInput, ecdsaFormat: EcdsaSignatureFormat): SignatureKey
  /**
   * The public key of an X.509 certificate in PEM (`-----BEGIN CERTIFICATE-----`),
   * as a PEM SPKI (`-----BEGIN PUBLIC KEY-----`); throws a `TypeError` when it is
   * not one. Neither the certificate's dates nor its issuer are checked: where it
   * was fetched from is what vouches for it.
   */
  certificatePublicKey(pem: string): string
  /**
   * A JWS key for `algorithm`: an HMAC secret's bytes (`HS*`, copied), or a
   * public `CryptoKey` imported for the algorithm (by jose, which checks that
   * the key fits it).
   */
  jwsKey(algorithm: JwsAlgorithm, key: Uint8Array | CryptoKey): JwsKey
  /** The UTF-8 text of base64url text (characters already checked); undefined when not base64 or not UTF-8. */
  base64UrlText(text: string): string | undefined
  sha256(data: Uint8Array): Uint8Array | Promise<Uint8Array>
  base64Encode(bytes: Uint8Array): string
  base64Decode(text: string): Uint8Array
}
