export { type RetryOptions, retryDelays } from './backoff.js'
export type { AttemptRecord } from './deliver.js'
export { type GeneratedSecret, type GenerateSecretOptions, generateSecret } from './generate-secret.js'
export {
  type HandshakeName,
  type HandshakeOptions,
  type HandshakeRequest,
  handshakeNames,
  handshakeRequest,
} from './handshake-request.js'
export { newEventId } from './ids.js'
export { isPresetName, type PresetName, presetNames } from './presets.js'
export { signRequest } from './sign-request.js'
export {
  type EventReport,
  type SenderEvent,
  type SenderReport,
  type SimulateSenderOptions,
  simulateSender,
} from './simulate-sender.js'
export { type SnsSigningKey, snsSigningKey } from './sns-certificate.js'
export type { Body, PrivateKeyInput, SignedRequest, SignOptions, SnsSignOptions } from './types.js'
