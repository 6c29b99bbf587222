/** An error's name and message for the developer log; never its stack, never a value it carries. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown'
}
