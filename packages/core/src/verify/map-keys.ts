import { andThen } from '../lib/maybe-promise.js'
import { type KeyEntry, type KeyLookup, type Keys, lookupOf } from './key-resolver.js'
import { isDated } from './keyring.js'
import { oneOrMore } from './option-checks.js'

/**
 * A key option with each key rewritten into what the verifier under a preset
 * takes (Polar's secret text into the base64 Standard Webhooks decodes,
 * SendGrid's bare base64 key into PEM, a Postmark password into a Basic
 * credential): static keys now, each keeping its window; a resolver's keys as
 * it returns them, with its cache settings kept. `rewrite` throws a
 * `TypeError` naming `label` (`secret[0]`, `resolved secret[0]`) for a key
 * that is not one; for a resolved key that is a failed lookup (503
 * `keys_unavailable`).
 *
 * @example
 * ```ts
 * const secret = mapKeys(options.secret, 'polar', 'secret', (text, label) => base64Encode(encoder.encode(text)))
 * return standardWebhooksAs({ secret }, 'polar')
 * ```
 */
export function mapKeys<K, L>(
  keys: Keys<K>,
  where: string,
  option: string,
  rewrite: (key: K, label: string) => L,
): Keys<L> {
  const lookup = lookupOf(keys)
  if (lookup !== undefined) {
    const resolve: KeyLookup<L>['resolve'] = (context) =>
      andThen(lookup.resolve(context), (found) =>
        found === null || found === undefined
          ? null
          : rewriteAll(Array.isArray(found) ? found : [found as KeyEntry<K>], `resolved ${option}`, rewrite),
      )
    return { ...lookup, resolve }
  }
  return rewriteAll(oneOrMore(keys as KeyEntry<K> | readonly KeyEntry<K>[], where, option), option, rewrite)
}

/** Each entry rewritten, its window kept. */
function rewriteAll<K, L>(
  list: readonly KeyEntry<K>[],
  option: string,
  rewrite: (key: K, label: string) => L,
): KeyEntry<L>[] {
  return list.map((entry, i) =>
    isDated(entry)
      ? { ...entry, key: rewrite(entry.key, `${option}[${i}].key`) }
      : rewrite(entry as K, `${option}[${i}]`),
  )
}
