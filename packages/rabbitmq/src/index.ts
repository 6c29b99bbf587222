export { amqpMessageId } from './key.js'
export { type RabbitmqHandoff, type RabbitmqHandoffOptions, rabbitmqHandoff } from './rabbitmq-handoff.js'
