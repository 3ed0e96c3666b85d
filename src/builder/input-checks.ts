/**
 * Checks of the files and directories a user names on the command line,
 * made before any work so a wrong one gets a plain message naming it, not a
 * tool's error or a stack trace later. Flag values are read in flag-values.ts.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { dirname as pathDirname, join as pathJoin } from 'node:path';
import { SpecError } from './common/errors';

/** `what` is how the message names the input, e.g. `--tar` or `image`; `fix` says what to give instead. */
export function requireFile(file: string, what: string, fix: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (e) {
    throw new SpecError(`${what} ${file} ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(e as Error).message})`}; ${fix}`);
  }
  if (!isFile) throw new SpecError(`${what} ${file} is a directory, not a file; ${fix}`);
  try {
    closeSync(openSync(file, 'r'));
  } catch (e) {
    throw new SpecError(`${what} ${file} cannot be read (${(e as NodeJS.ErrnoException).code}); ${fix}`);
  }
}

/** A disk image to boot (`boot`, `preview`). */
export function requireDiskImage(image: string): void {
  requireFile(image, 'image', 'build one with: cdktf-docker-vm build --dockerfile Dockerfile --output vm.qcow2, or give the path of a disk image');
}

export function requireDirectory(dir: string, what: string, fix: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new SpecError(`${what} ${dir} does not exist; ${fix}`);
  }
  if (!isDir) throw new SpecError(`${what} ${dir} is a file, not a directory; ${fix}`);
}

/** The first `bytes` bytes of a file (fewer when it is shorter). */
export function readHead(file: string, bytes: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(bytes);
    return head.subarray(0, readSync(fd, head, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/** An --output path must name a file whose nearest existing parent is a directory. */
export function requireOutputPath(output: string): void {
  let existing = output;
  while (!exists(existing) && existing !== '/' && existing !== '.') existing = pathDirname(existing);
  if (existing === output ? statSync(output).isDirectory() : !statSync(existing).isDirectory()) {
    throw new SpecError(existing === output
      ? `--output ${output} is a directory; give a file name like --output ${pathJoin(output, 'vm.qcow2')}`
      : `--output ${output} is inside ${existing}, which is a file, not a directory; choose an --output in a directory`);
  }
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
