import { describe, expect, test } from 'vitest'
import { looksLikeJson } from './event.js'

const bytes = (text: string) => new TextEncoder().encode(text)

describe('looksLikeJson', () => {
  test('an object or array after JSON whitespace, and nothing else', () => {
    for (const text of ['{}', '[1]', ' \t\r\n{"a":1}', '{broken']) expect(looksLikeJson(bytes(text))).toBe(true)
    for (const text of ['', '   ', '"text"', '42', 'null', 'a=1&b={}', '\u00a0{}', '\ufeff{}']) {
      expect(looksLikeJson(bytes(text))).toBe(false)
    }
  })
})
