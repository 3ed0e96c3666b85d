/** Polls `condition` until it holds; throws after `timeoutMs`. For tests that wait on a server or a child process. */
export async function waitFor(condition: () => boolean, timeoutMs: number, pollMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs / 1000} s`);
    await new Promise(resolve => setTimeout(resolve, pollMs));
  }
}
