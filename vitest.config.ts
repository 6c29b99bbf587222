import { defineConfig } from 'vitest/config'

// `source` points workspace packages at their TypeScript sources, so tests need no build.
const conditions = ['source', 'node', 'development|production']
const packages = [
  'core',
  'express',
  'fastify',
  'nestjs',
  'next',
  'koa',
  'hono',
  'redis',
  'postgres',
  'testing',
  'bullmq',
  'nats',
  'rabbitmq',
]

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // One project per package (`npm test` inside a package runs its own), the cross-adapter suites, the examples.
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: { name, include: [`packages/${name}/src/**/*.test.ts`] },
      })),
      // The Redis store's tests again, on ioredis 6 (what `npm i ioredis` installs today; the store peers on ^5 || ^6).
      {
        extends: true as const,
        resolve: { alias: { ioredis: 'ioredis6' } },
        test: { name: 'redis-ioredis6', include: ['packages/redis/src/**/*.test.ts'] },
      },
      { extends: true as const, test: { name: 'suites', include: ['test/**/*.test.ts'] } },
      { extends: true as const, test: { name: 'examples', include: ['examples/*/**/*.test.ts'] } },
    ],
  },
})
