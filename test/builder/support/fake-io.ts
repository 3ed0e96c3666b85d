import type { main } from '../../../src/builder/cli';

/** An Io for `main` that collects stdout and stderr as strings. */
export function fakeIo() {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: { write: (chunk: string) => { out.stdout += chunk; return true; } },
    stderr: { write: (chunk: string) => { out.stderr += chunk; return true; } },
  } as unknown as Parameters<typeof main>[1];
  return { io, out };
}
