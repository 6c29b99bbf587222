import { WebhookError } from '../errors.js'
import { optionError } from './option-checks.js'
import type { VerifyContext } from './verifier.js'

/**
 * The request URL as the sender saw it, for signatures that cover it
 * (`{url}`): the configured public base URL joined with the request's path
 * and raw query, or, without one, the origin a trusted proxy forwarded
 * (`VerifyContext.forwardedOrigin`) joined with them. The path is the one the
 * adapter reports, the query exactly as it arrived (not decoded).
 */

/** Checks a `publicUrl` option: an absolute `http:`/`https:` URL without query or fragment; returned without a trailing `/`. */
export function publicBaseUrl(value: unknown, where: string, option: string): string {
  const what = "an absolute http(s) URL without a query or fragment, e.g. 'https://example.com'"
  if (typeof value !== 'string' || !/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/i.test(value)) {
    throw optionError(where, option, what)
  }
  try {
    new URL(value)
  } catch {
    throw optionError(where, option, what)
  }
  return value.endsWith('/') ? value.slice(0, -1) : value
}

/** The path and query of the request as it arrived: `/hooks?x=1`, or `/hooks` without a query. */
export function pathAndQuery(ctx: VerifyContext): string {
  const path = ctx.path ?? ''
  const query = ctx.query ?? ''
  return query === '' ? path : `${path}?${query}`
}

/** The full request URL: the public base URL (when given) or the trusted proxy's origin, with path and query. */
export function requestUrl(ctx: VerifyContext, publicUrl: string | undefined): string {
  const base = publicUrl ?? ctx.forwardedOrigin
  if (base === undefined) {
    throw new WebhookError(
      'invalid_signature',
      'the signature covers the request URL, but publicUrl is not set and the request did not come through a trusted proxy with X-Forwarded-Proto/Host or Forwarded',
    )
  }
  return base + pathAndQuery(ctx)
}
