/** Why a fetch() failed, in a word: the network error's code (ECONNREFUSED, ENOTFOUND, ...) or fetch's own message. */
export function fetchFailure(e: unknown): string {
  const cause = (e as { cause?: NodeJS.ErrnoException }).cause;
  return cause?.code ?? (e as Error).message;
}
