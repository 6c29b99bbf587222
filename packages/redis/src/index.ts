export { RedisStoreError, type RedisStoreErrorCode } from './errors.js'
export { type RedisStoreOptions, redisStore } from './redis-store.js'
