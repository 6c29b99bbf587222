/**
 * The broker handoffs for the HTTP benchmark's `hookguard-bullmq`, `-nats` and
 * `-rabbitmq` apps, on the machine's shared brokers (Redis 6379, NATS 4222,
 * RabbitMQ 5672). Each server process gets its own queue or stream, removed
 * again by `close`.
 */
import type { WebhookEvent } from '@hookguard/core'

export interface BenchHandoff {
  enqueue: (event: WebhookEvent) => Promise<unknown>
  close: () => Promise<void>
}

const run = `hookguard-bench-${process.pid}`

export async function brokerHandoff(broker: 'bullmq' | 'nats' | 'rabbitmq'): Promise<BenchHandoff> {
  if (broker === 'bullmq') {
    const [{ bullmqHandoff }, { Queue }] = await Promise.all([import('@hookguard/bullmq'), import('bullmq')])
    const queue = new Queue(run, {
      connection: { host: '127.0.0.1', port: 6379, enableOfflineQueue: false, maxRetriesPerRequest: 0 },
    })
    await queue.waitUntilReady()
    return {
      enqueue: bullmqHandoff(queue),
      close: async () => {
        await queue.obliterate({ force: true })
        await queue.close()
      },
    }
  }
  if (broker === 'nats') {
    const [{ jetstreamHandoff }, { connect, StorageType }] = await Promise.all([
      import('@hookguard/nats'),
      import('nats'),
    ])
    const nc = await connect({ servers: '127.0.0.1:4222' })
    const jsm = await nc.jetstreamManager()
    await jsm.streams.add({ name: run, subjects: [`${run}.>`], storage: StorageType.File })
    return {
      enqueue: jetstreamHandoff(nc.jetstream(), { subject: `${run}.events`, stream: run }),
      close: async () => {
        await jsm.streams.delete(run)
        await nc.close()
      },
    }
  }
  const [{ rabbitmqHandoff }, { connect }] = await Promise.all([import('@hookguard/rabbitmq'), import('amqplib')])
  const enqueue = rabbitmqHandoff({
    connect: () => connect('amqp://guest:guest@127.0.0.1:5672'),
    routingKey: run,
    setup: (channel) => channel.assertQueue(run, { durable: true }),
  })
  return {
    enqueue,
    close: async () => {
      await enqueue.close()
      const connection = await connect('amqp://guest:guest@127.0.0.1:5672')
      const channel = await connection.createChannel()
      await channel.deleteQueue(run)
      await connection.close()
    },
  }
}
