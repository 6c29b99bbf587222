import { describe, expect, test } from 'vitest'
import { WebhookError } from './errors.js'

// An app that mixes `import` and `require` loads the ESM and the CommonJS build of the core: two copies of every
// module. A query string makes the module loader load errors.ts a second time, as such a second copy.
const secondCopyPath = './errors.js?second-copy'
const secondCopy = (await import(/* @vite-ignore */ secondCopyPath)) as typeof import('./errors.js')

describe('WebhookError across copies of the package', () => {
  test('the second copy is a different class', () => {
    expect(secondCopy.WebhookError).not.toBe(WebhookError)
  })

  test('instanceof WebhookError holds for an error made by either copy', () => {
    expect(new secondCopy.WebhookError('invalid_body', 'x')).toBeInstanceOf(WebhookError)
    expect(new WebhookError('invalid_body', 'x')).toBeInstanceOf(secondCopy.WebhookError)
  })

  test('other errors are not WebhookErrors, even with a code', () => {
    expect(Object.assign(new Error('x'), { code: 'invalid_body' })).not.toBeInstanceOf(WebhookError)
    for (const value of [null, undefined, 'invalid_body', { code: 'invalid_body' }])
      expect(WebhookError[Symbol.hasInstance](value)).toBe(false)
  })

  test('a subclass keeps the ordinary instanceof', () => {
    class TenantError extends WebhookError {}
    expect(new TenantError('invalid_token')).toBeInstanceOf(WebhookError)
    expect(new TenantError('invalid_token')).toBeInstanceOf(TenantError)
    expect(new WebhookError('invalid_token')).not.toBeInstanceOf(TenantError)
  })

  test('the mark adds nothing to what is logged or serialised', () => {
    const error = new WebhookError('invalid_body', 'x')
    expect(Object.keys(error).sort()).toEqual(['code', 'detail', 'name', 'status'])
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'WebhookError',
      code: 'invalid_body',
      status: 400,
      detail: 'x',
    })
  })
})
