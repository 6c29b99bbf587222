/**
 * A sender's published list of the addresses it sends webhooks from: a
 * snapshot bundled in the package and, where the sender publishes the list
 * in a machine-readable form, where to fetch it and how to read it.
 */
export interface ProviderList {
  /** The name `providerIps()` takes. */
  name: string
  /** The rules as of `snapshotDate`. */
  snapshot: readonly string[]
  /** When the snapshot was taken (YYYY-MM-DD). */
  snapshotDate: string
  /** The machine-readable list; absent when the sender only documents it on a web page. */
  url?: string
  /** Headers the list's server wants (GitHub's API requires a User-Agent). */
  headers?: Readonly<Record<string, string>>
  /** The rules in the parsed JSON document; anything but an array of strings is refused. */
  extract?: (json: unknown) => unknown
}
