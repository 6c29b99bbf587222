import { memoryStore } from '@hookguard/core'
import { storeContract } from './store-contract.js'

storeContract('memory store', {
  create() {
    let now = 1_000_000
    return {
      store: memoryStore({ now: () => now }),
      advance: async (ms) => {
        now += ms
      },
    }
  },
})
