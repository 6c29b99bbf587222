// sns-validator ships no types; what the tests use of it.
declare module 'sns-validator' {
  export default class MessageValidator {
    constructor(hostPattern?: RegExp, encoding?: string)
    validate(message: object | string, callback: (error: Error | null, message?: object) => void): void
  }
}
