import { hmacKey } from '#crypto'
import { safeEqual } from './constant-time.js'

/** What a failed Standard Webhooks check knows, for the developer log. */
export interface SignatureFailure {
  id: string
  timestampText: string
  timestamp: number
  nowMs: number
  body: Uint8Array
  /** The signature entries that were inspected. */
  entries: readonly string[]
  /** The configured secrets as the user wrote them. */
  secrets: readonly string[]
}

const encoder = new TextEncoder()
const maxDiagnosedBody = 64 * 1024

async function signs(secret: Uint8Array, parts: readonly (string | Uint8Array)[], candidates: readonly string[]) {
  const digest = await hmacKey('sha256', secret).digest(parts, 'base64')
  return candidates.some((candidate) => safeEqual(candidate, digest))
}

function reserializations(body: Uint8Array): string[] {
  if (body.byteLength > maxDiagnosedBody) return []
  let parsed: unknown
  const text = new TextDecoder().decode(body)
  try {
    parsed = JSON.parse(text)
    return [JSON.stringify(parsed), JSON.stringify(parsed, null, 2), JSON.stringify(parsed, null, 4)].filter(
      (form) => form !== text,
    )
  } catch {
    // Not JSON, or JSON nested too deep to write back (RangeError): no re-serialization to try.
    return []
  }
}

/**
 * Says the likely cause of a signature mismatch: the secret used as text
 * instead of base64, a body re-serialized on the way, a signature made with
 * another endpoint's secret, or no `v1` entry at all; always with the
 * measured clock offset. Runs only on failures, and the caller rate-limits
 * it, so forged requests cannot turn it into extra work.
 */
export async function diagnoseSignature(failure: SignatureFailure): Promise<string> {
  const offset = Math.floor(failure.nowMs / 1000) - failure.timestamp
  const clock = `clock offset ${offset} s (sender behind if positive)`
  const candidates = failure.entries.filter((e) => e.startsWith('v1,')).map((e) => e.slice(3))
  if (candidates.length === 0) {
    const versions = [...new Set(failure.entries.map((e) => e.split(',')[0]?.slice(0, 8)))].join(', ') || 'none'
    return `no v1 signature entries (versions present: ${versions}); ${clock}`
  }
  const prefix = `${failure.id}.${failure.timestampText}.`
  for (const secret of failure.secrets) {
    const texts = secret.startsWith('whsec_') ? [secret, secret.slice(6)] : [secret, `whsec_${secret}`]
    for (const text of texts) {
      if (await signs(encoder.encode(text), [prefix, failure.body], candidates)) {
        return `the sender signs with the secret's text as UTF-8 bytes, not its base64-decoded value: check the secret's prefix and encoding; ${clock}`
      }
    }
  }
  for (const form of reserializations(failure.body)) {
    for (const secret of failure.secrets) {
      const key = secret.startsWith('whsec_') ? secret.slice(6) : secret
      const bytes = Uint8Array.from(atob(key), (c) => c.charCodeAt(0))
      if (await signs(bytes, [prefix, form], candidates)) {
        return `the body was re-serialized between the sender and hookguard (a body parser or proxy reformatted the JSON): mount hookguard before any body parser; ${clock}`
      }
    }
  }
  const wellFormed = candidates.some((c) => /^[A-Za-z0-9+/]{43}=$/.test(c))
  if (wellFormed) {
    return `well-formed v1 signatures made with another secret: is this the secret of this endpoint (each endpoint has its own)? ${clock}`
  }
  return `no well-formed v1 signature (expected 44 base64 characters); ${clock}`
}

/** Lets one call through per `intervalMs`: diagnosis is for developers, not a cost an attacker can multiply. */
export function rateGate(intervalMs: number, now: () => number = Date.now): () => boolean {
  let next = 0
  return () => {
    const current = now()
    if (current < next) return false
    next = current + intervalMs
    return true
  }
}
