import { describe, expect, test } from 'vitest'
import { makeSecret } from '../../test-support/sign.js'
import { discord } from './discord.js'
import { dropbox } from './dropbox.js'
import { github } from './github.js'
import { googlePubSub } from './google-pubsub.js'
import { meta } from './meta.js'
import { qstash } from './qstash.js'
import { shopify } from './shopify.js'
import { slack } from './slack.js'
import { stripe } from './stripe.js'
import { svix } from './svix.js'
import { zoom } from './zoom.js'

/** A bad option fails at creation with a TypeError saying `<preset>: <option> must be …`. */
function expectRefused(create: () => unknown, prefix: string): void {
  let thrown: unknown
  try {
    create()
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(TypeError)
  expect((thrown as Error).message.startsWith(`${prefix} must be`), (thrown as Error).message).toBe(true)
}

const notNumbers = [Number.NaN, Infinity, -1, '60']
const audience = 'https://hooks.example/pubsub'
const serviceAccountEmail = 'pusher@project.iam.gserviceaccount.com'
const keys = { currentSigningKey: 'sig_current', nextSigningKey: 'sig_next' }

describe('presets: bad options fail at creation, named by the preset', () => {
  const cases: [string, () => unknown][] = [
    ['github: secret', () => github({} as never)],
    ['github: secret[0]', () => github({ secret: '' })],
    ['shopify: secret', () => shopify({ secret: [] })],
    ['stripe: secret[0]', () => stripe({ secret: [''] })],
    ...[0, ...notNumbers].map((v): [string, () => unknown] => [
      'stripe: toleranceSeconds',
      () => stripe({ secret: 'whsec_x', toleranceSeconds: v as number }),
    ]),
    ['slack: signingSecret', () => slack({} as never)],
    ['slack: signingSecret[0]', () => slack({ signingSecret: '' })],
    ...[0, ...notNumbers].map((v): [string, () => unknown] => [
      'slack: toleranceSeconds',
      () => slack({ signingSecret: 'shh', toleranceSeconds: v as number }),
    ]),
    ['meta: appSecret', () => meta({ verifyToken: 'tok' } as never)],
    ['meta: appSecret[0]', () => meta({ appSecret: [''], verifyToken: 'tok' })],
    ['meta: verifyToken', () => meta({ appSecret: 'shh', verifyToken: '' })],
    ['meta: verifyToken', () => meta({ appSecret: 'shh' } as never)],
    ['discord: publicKey', () => discord({} as never)],
    ['discord: publicKey[0]', () => discord({ publicKey: 'ab'.repeat(31) })],
    ['discord: publicKey[0]', () => discord({ publicKey: `base64:${'A'.repeat(57)}` })],
    [
      'discord: publicKey',
      () =>
        discord({ publicKey: ['ab'.repeat(32), 'cd'.repeat(32), 'ef'.repeat(32), 'ab'.repeat(32), 'cd'.repeat(32)] }),
    ],
    ['discord: toleranceSeconds', () => discord({ publicKey: 'ab'.repeat(32), toleranceSeconds: 0 })],
    ['dropbox: appSecret', () => dropbox({} as never)],
    ['dropbox: appSecret[0]', () => dropbox({ appSecret: '' })],
    ['zoom: secretToken', () => zoom({} as never)],
    ['zoom: secretToken[0]', () => zoom({ secretToken: [''] })],
    ['zoom: toleranceSeconds', () => zoom({ secretToken: 'shh', toleranceSeconds: 0 })],
    ['svix: maxSignatures', () => svix({ secret: makeSecret().whsec, maxSignatures: 0 })],
    ['svix: toleranceSeconds', () => svix({ secret: makeSecret().whsec, toleranceSeconds: Number.NaN })],
    ['svix: secret', () => svix({ secret: [] })],
    ['googlePubSub: audience', () => googlePubSub({ audience: [], serviceAccountEmail })],
    ['googlePubSub: audience[0]', () => googlePubSub({ audience: [''], serviceAccountEmail })],
    ...notNumbers.map((v): [string, () => unknown] => [
      'googlePubSub: clockToleranceSeconds',
      () => googlePubSub({ audience, serviceAccountEmail, clockToleranceSeconds: v as number }),
    ]),
    ['qstash: currentSigningKey', () => qstash({ ...keys, currentSigningKey: '' })],
    ['qstash: url', () => qstash({ ...keys, url: '' })],
    ...notNumbers.map((v): [string, () => unknown] => [
      'qstash: clockToleranceSeconds',
      () => qstash({ ...keys, clockToleranceSeconds: v as number }),
    ]),
  ]
  test.each(cases)('%s', (prefix, create) => {
    expectRefused(create, prefix)
  })

  test.each([
    ['github', () => github(undefined as never)],
    ['shopify', () => shopify(null as never)],
    ['stripe', () => stripe(undefined as never)],
    ['slack', () => slack(undefined as never)],
    ['svix', () => svix(undefined as never)],
    ['googlePubSub', () => googlePubSub(undefined as never)],
    ['qstash', () => qstash(undefined as never)],
    ['meta', () => meta(undefined as never)],
    ['zoom', () => zoom(undefined as never)],
    ['dropbox', () => dropbox(undefined as never)],
    ['discord', () => discord(undefined as never)],
  ])('%s without an options object', (name, create) => {
    expect(create).toThrow(`${name} needs an options object`)
  })
})
