import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** PEM files for an mTLS test: a CA, a server certificate, a client signed by the CA and a self-signed stranger. */
export interface TestCertificates {
  ca: string
  serverKey: string
  serverCert: string
  clientKey: string
  clientCert: string
  strangerKey: string
  strangerCert: string
}

/** Generates fresh certificates with the `openssl` command (Debian's). */
export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'hookguard-certs-'))
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  try {
    run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Test Sender CA')
    for (const [name, cn] of [
      ['server', 'localhost'],
      ['client', 'webhooks.sender.test'],
    ] as const) {
      run('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}/O=Sender Inc`)
      const extensions = name === 'server' ? ['-extfile', writeSan(dir)] : []
      run(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '2',
        '-out',
        `${name}.pem`,
        ...extensions,
      )
    }
    run(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'stranger.key',
      '-out',
      'stranger.pem',
      '-days',
      '2',
      '-subj',
      '/CN=webhooks.sender.test/O=Sender Inc',
    )
    const read = (file: string) => readFileSync(join(dir, file), 'utf8')
    return {
      ca: read('ca.pem'),
      serverKey: read('server.key'),
      serverCert: read('server.pem'),
      clientKey: read('client.key'),
      clientCert: read('client.pem'),
      strangerKey: read('stranger.key'),
      strangerCert: read('stranger.pem'),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function writeSan(dir: string): string {
  const file = join(dir, 'san.ext')
  writeFileSync(file, 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
  return file
}

/** An RSA key and a self-signed certificate for it (as an SNS signing certificate is), from `openssl`. */
export function makeSigningCertificate(commonName = 'sns.us-east-1.amazonaws.com'): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hookguard-signing-'))
  try {
    const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem']
    execFileSync('openssl', [...args, '-days', '2', '-subj', `/CN=${commonName}`], { cwd: dir, stdio: 'pipe' })
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
