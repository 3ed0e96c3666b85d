import { closeSync, openSync, readSync, writeSync } from 'node:fs';

const CHUNK = 4 * 1024 * 1024;

/**
 * Copies `size` bytes at `offset` of the open file `inputFd` into a new file
 * `out` (created with `mode`). A read that ends early throws `shortRead(at)`.
 */
export function copyRangeToFile(
  inputFd: number, offset: number, size: number, out: string, shortRead: (at: number) => Error, mode = 0o644, buf = Buffer.allocUnsafe(CHUNK),
): void {
  const output = openSync(out, 'w', mode);
  try {
    let done = 0;
    while (done < size) {
      const n = readSync(inputFd, buf, 0, Math.min(buf.length, size - done), offset + done);
      if (n <= 0) throw shortRead(offset + done);
      let written = 0;
      while (written < n) written += writeSync(output, buf, written, n - written);
      done += n;
    }
  } finally {
    closeSync(output);
  }
}
