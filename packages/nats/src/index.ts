export { type JetstreamHandoffOptions, jetstreamHandoff } from './jetstream-handoff.js'
export { natsMsgId } from './key.js'
