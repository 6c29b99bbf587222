export {
  type BullmqHandoffOptions,
  type BullmqHandoffResult,
  type BullmqQueue,
  bullmqHandoff,
} from './bullmq-handoff.js'
export { bullmqJobId } from './key.js'
