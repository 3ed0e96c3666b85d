/**
 * `build`'s files and directories, checked before any work: a --tar that is a
 * directory or no tar, a --context that is a file, an --output that is a directory.
 */
import * as path from 'node:path';
import { SpecError } from './common/errors';
import { readHead, requireDirectory, requireFile, requireOutputPath } from './input-checks';
import { rootfsOf } from './pipeline';
import { RootfsSourceSpec, StageSpec } from './spec';

const TAR_FIX = 'give a root filesystem tar, made with: docker export CONTAINER > rootfs.tar';

export function checkBuildInputs(source: RootfsSourceSpec, output: string): void {
  if (source.kind === 'dockerfile') {
    requireFile(path.join(source.contextDir, source.dockerfile), '--dockerfile', 'give the path of a Dockerfile');
    requireDirectory(source.contextDir, '--context', 'give the build context directory (default: the Dockerfile\'s directory)');
  } else if (source.kind === 'tar') {
    requireRootfsTar(source.path, '--tar');
  }
  requireOutputPath(output);
}

/** `run --spec`: the spec's rootfs tar (other sources are checked by the rootfs stage). */
export function checkSpecInputs(spec: StageSpec, baseDir: string): void {
  const source = rootfsOf(spec).source;
  if (source.kind === 'tar') requireRootfsTar(path.resolve(baseDir, source.path), 'the spec\'s rootfs tar');
}

/** A readable file that starts with a tar header (ustar or GNU magic at byte 257); `what` names it in the message. */
export function requireRootfsTar(file: string, what: string): void {
  requireFile(file, what, TAR_FIX);
  const head = readHead(file, 512);
  if (head.length === 0) throw new SpecError(`${what} ${file} is empty; ${TAR_FIX}`);
  if (head.length < 512 || head.subarray(257, 262).toString('latin1') !== 'ustar') {
    const compressed = head[0] === 0x1f && head[1] === 0x8b ? ' (it is gzip-compressed: gunzip it first)' : '';
    throw new SpecError(`${what} ${file} is not a tar file${compressed}; ${TAR_FIX}`);
  }
}
