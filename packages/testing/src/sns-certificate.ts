import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto'

/** A signing key with a self-signed X.509 certificate for it, as SNS serves at `SigningCertURL`. */
export interface SnsSigningKey {
  /** The RSA private key, PEM (PKCS#8): pass it to `signRequest('sns', { privateKey })`. */
  privateKey: string
  /** The certificate, PEM. */
  certificate: string
  /**
   * A fetch that answers every URL with the certificate, without a network:
   * pass it to `sns({ fetch })` so the guard verifies messages signed with this
   * key while `SigningCertURL` keeps its real SNS form. Its `confirmed` lists
   * the subscription URLs the guard fetched (anything not ending `.pem`).
   */
  fetch: ((url: string) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>) & { confirmed: string[] }
}

/**
 * A fresh 2048-bit RSA key and a self-signed certificate for it (made with
 * `node:crypto`, no `openssl` needed), to test an `sns()` endpoint.
 *
 * @example
 * ```ts
 * const key = snsSigningKey()
 * const guard = createGuard({ verify: [sns({ topicArns: topic, fetch: key.fetch })], enqueue })
 * const signed = await signRequest('sns', { privateKey: key.privateKey, body: 'hello', sns: { topicArn: topic } })
 * ```
 */
export function snsSigningKey(commonName = 'sns.amazonaws.com'): SnsSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const certificate = selfSignedCertificate(privateKey, publicKey, commonName)
  const confirmed: string[] = []
  const fetch = Object.assign(
    async (url: string) => {
      if (!new URL(url).pathname.endsWith('.pem')) {
        confirmed.push(url)
        return { ok: true, status: 200, text: async () => '<ConfirmSubscriptionResponse/>' }
      }
      return { ok: true, status: 200, text: async () => certificate }
    },
    { confirmed },
  )
  return { privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, certificate, fetch }
}

/** One DER element: tag, definite length, content. */
function der(tag: number, content: Buffer): Buffer {
  if (content.length < 0x80) return Buffer.concat([Buffer.from([tag, content.length]), content])
  const length: number[] = []
  for (let n = content.length; n > 0; n = Math.floor(n / 256)) length.unshift(n % 256)
  return Buffer.concat([Buffer.from([tag, 0x80 | length.length, ...length]), content])
}

const sequence = (...parts: Buffer[]) => der(0x30, Buffer.concat(parts))

function objectId(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]]
  const bytes = [first * 40 + second]
  for (const arc of rest) {
    const chunk = [arc % 128]
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(0x80 | (n % 128))
    bytes.push(...chunk)
  }
  return der(0x06, Buffer.from(bytes))
}

function integer(value: Buffer): Buffer {
  return der(0x02, (value[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value)
}

function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14)
  return der(0x17, Buffer.from(`${text}Z`))
}

/** An X.509 v3 certificate (RFC 5280) for `publicKey`, signed sha256WithRSAEncryption by its own key. */
function selfSignedCertificate(privateKey: KeyObject, publicKey: KeyObject, commonName: string): string {
  const algorithm = sequence(objectId('1.2.840.113549.1.1.11'), der(0x05, Buffer.alloc(0)))
  const name = sequence(der(0x31, sequence(objectId('2.5.4.3'), der(0x0c, Buffer.from(commonName)))))
  const now = Date.now()
  const tbs = sequence(
    der(0xa0, integer(Buffer.from([2]))),
    integer(randomBytes(8)),
    algorithm,
    name,
    sequence(utcTime(new Date(now - 86_400_000)), utcTime(new Date(now + 365 * 86_400_000))),
    name,
    publicKey.export({ format: 'der', type: 'spki' }),
  )
  const signature = sign('sha256', tbs, privateKey)
  const certificate = sequence(tbs, algorithm, der(0x03, Buffer.concat([Buffer.from([0]), signature])))
  const lines = certificate.toString('base64').match(/.{1,64}/g) as string[]
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`
}
