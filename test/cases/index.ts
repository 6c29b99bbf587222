import { addressCases } from './address.js'
import { beforeHookguardCases } from './before-hookguard.js'
import { bodyCases } from './body.js'
import { dedupeCases } from './dedupe.js'
import { enqueueCases } from './enqueue.js'
import { eventCases } from './event.js'
import { methodCases } from './method.js'
import { respondCases } from './respond.js'
import type { ConformanceCase } from './support.js'
import { tenantSenderCases } from './tenant-senders.js'
import { tenantCases } from './tenants.js'
import { firstHourCases, typedEventCases } from './typed-events.js'
import { verifyCases } from './verify.js'

/** Every conformance case, in DESIGN's pipeline order, then what the app runs before hookguard. */
export const conformanceCases: readonly ConformanceCase[] = [
  ...methodCases, // 1. method
  ...addressCases, // 2. client IP
  ...bodyCases, // 3. declared size, 4. raw body
  ...verifyCases, // 5. authenticate
  ...tenantCases, // 3. the tenant named, 5. its keys looked up
  ...tenantSenderCases, // 5. a tenant's keys: a signed handshake, a key-set URL
  ...eventCases, // 6. event
  ...typedEventCases, // 6. event: types taken, payloads validated
  ...dedupeCases, // 7. dedupe claim
  ...enqueueCases, // 8. enqueue, answer
  ...respondCases, // 8. the answer respond shapes
  ...beforeHookguardCases,
  ...firstHourCases,
]
