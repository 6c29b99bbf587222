/**
 * Compares two strings in time that depends only on their lengths. Use it for
 * values whose length is public (encoded digests); for secrets of secret
 * length compare fixed-size digests instead.
 */
export function safeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/**
 * Whether `text` holds `expected` at `offset`, in time that depends only on
 * `expected.length`: {@link safeEqual} on a part of a string, without cutting
 * it out first.
 */
export function safeEqualAt(text: string, offset: number, expected: string): boolean {
  if (offset < 0 || offset + expected.length > text.length) return false
  let diff = 0
  for (let i = 0; i < expected.length; i++) diff |= text.charCodeAt(offset + i) ^ expected.charCodeAt(i)
  return diff === 0
}

/** Compares two byte arrays in time that depends only on their lengths. */
export function safeEqualBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number)
  return diff === 0
}

/**
 * Whether `input` equals `secret`, in time that depends only on
 * `input.length`, which its sender knows already: for a secret whose length
 * is secret too (a verify token), where {@link safeEqual} would tell it.
 */
export function safeEqualSecret(input: string, secret: string): boolean {
  let diff = input.length ^ secret.length
  for (let i = 0; i < input.length; i++) diff |= input.charCodeAt(i) ^ (secret.charCodeAt(i % secret.length) | 0)
  return diff === 0
}
