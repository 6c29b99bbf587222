import type { PushEvent } from '@octokit/webhooks-types'
import type Stripe from 'stripe'
import { expect, expectTypeOf, test } from 'vitest'
import { makeSecret } from '../../test-support/sign.js'
import { createGuard } from '../guard.js'
import { github } from '../presets/github.js'
import { stripe } from '../presets/stripe.js'
import type { GitHubEvents, GitHubEventType } from './github.js'
import type { StripeEventPayload, StripeEvents, StripeEventType } from './stripe.js'

// `npm run typecheck` checks these; the runtime part only creates the guards.

test("the Stripe pack lists exactly the installed stripe package's event types (regenerate with scripts/gen-stripe-event-types.mjs)", () => {
  expectTypeOf<StripeEventType>().toEqualTypeOf<Stripe.Event.Type>()
  expectTypeOf<Stripe.Event['type']>().toEqualTypeOf<StripeEventType>()
})

test('createGuard<StripeEvents>: event.type autocompletes Stripe types and narrows the payload', () => {
  const guard = createGuard<StripeEvents>({
    verify: [stripe({ secret: 'whsec_test' })],
    allowTypes: ['invoice.paid', 'checkout.session.completed'],
    enqueue: (event) => {
      expectTypeOf(event.type).toEqualTypeOf<StripeEventType>()
      if (event.type === 'invoice.paid') {
        expectTypeOf(event.payload).toEqualTypeOf<StripeEventPayload<'invoice.paid'>>()
        expectTypeOf(event.payload.type).toEqualTypeOf<'invoice.paid'>()
      }
      // @ts-expect-error not a Stripe event type
      if (event.type === 'invoice.payed') return
    },
  })
  expect(guard.counters.storeErrors).toBe(0)
  // The stripe package's own union maps the same way, for its full object types.
  createGuard<{ [E in Stripe.Event as E['type']]: E }>({
    verify: [stripe({ secret: 'whsec_test' })],
    enqueue: (event) => {
      if (event.type === 'invoice.paid') expectTypeOf(event.payload.data.object).toEqualTypeOf<Stripe.Invoice>()
    },
  })
})

test('createGuard<GitHubEvents>: X-GitHub-Event names narrow to @octokit/webhooks-types payloads', () => {
  createGuard<GitHubEvents>({
    verify: [github({ secret: makeSecret().whsec })],
    allowTypes: ['push', 'pull_request'],
    enqueue: (event) => {
      expectTypeOf(event.type).toEqualTypeOf<GitHubEventType>()
      if (event.type === 'push') {
        expectTypeOf(event.payload).toEqualTypeOf<PushEvent>()
        expectTypeOf(event.payload.ref).toEqualTypeOf<string>()
      }
    },
  })
  expectTypeOf<'push' | 'pull_request' | 'issues'>().toMatchTypeOf<GitHubEventType>()
})
