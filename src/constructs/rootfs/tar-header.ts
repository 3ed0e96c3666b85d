import { closeSync, openSync, readSync } from 'node:fs';

/** Whether a file starts with a POSIX or GNU tar header (`ustar` at byte 257), as `docker export` writes. */
export function startsWithTarHeader(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(512);
    return readSync(fd, head, 0, 512, 0) === 512 && head.subarray(257, 262).toString('latin1') === 'ustar';
  } finally {
    closeSync(fd);
  }
}
