// The DedupeStore contract (test/store-contract.ts) against postgresStore on the shared Postgres: two stores
// on two pools, as two receiver processes would have, in a schema of this file's own, dropped after.
import { postgresStore } from '@hookguard/postgres'
import type pg from 'pg'
import { afterAll, beforeAll, describe } from 'vitest'
import { createPool, createSchema, dropSchema, postgresAvailable } from './postgres-helpers.js'
import { storeContract } from './store-contract.js'

const postgresUp = await postgresAvailable('the Postgres store contract')
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

describe.skipIf(!postgresUp)('postgres store', () => {
  const pools: pg.Pool[] = []
  let table = ''

  beforeAll(async () => {
    pools.push(createPool(), createPool())
    table = `${await createSchema(pools[0]!, 'contract')}.dedupe`
    await postgresStore({ pool: pools[0]!, table }).migrate()
  })
  afterAll(async () => {
    await dropSchema(pools[0]!, table.split('.')[0]!)
    await Promise.all(pools.map((pool) => pool.end()))
  })

  storeContract('postgres store contract', {
    create: () => ({
      store: postgresStore({ pool: pools[0]!, table }),
      peer: postgresStore({ pool: pools[1]!, table }),
      advance: sleep,
    }),
  })
})
