let secondStartMs = Number.NaN
let secondText = ''

/**
 * `new Date(ms).toISOString()`, made cheaply: under load deliveries arrive
 * every few hundred microseconds, so the date and time up to the second are
 * formatted once per second and only the milliseconds per call.
 */
export function isoTime(ms: number): string {
  const whole = Math.trunc(ms)
  const millis = ((whole % 1000) + 1000) % 1000
  const start = whole - millis
  if (start !== secondStartMs) {
    // Everything but the trailing `000Z`, whatever the year's width.
    secondText = new Date(start).toISOString().slice(0, -4)
    secondStartMs = start
  }
  return `${secondText}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`
}
