import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { allocatedBytes, sh } from './measure';

export interface VersionFootprint {
  /** The cache's allocated bytes after each version's build. */
  readonly cacheBytes: number[];
  /** The cache's size limit in force (the builder's default unless the environment sets one). */
  readonly limitBytes: number | null;
  /** Files left in the output directory after the last version. */
  readonly outputFiles: number;
}

/**
 * Ten successive image versions, as a user's releases: each is the reference
 * tar plus `/etc/image-version` (appended with GNU tar), built to the same
 * output in one cache. Measures what the cache holds after each build.
 */
export function tenVersionsFootprint(tar: string, work: string, cli: string, versions = 10): VersionFootprint {
  const cacheDir = path.join(work, 'cache-versions');
  const outDir = path.join(work, 'versions-out');
  const scratch = path.join(work, 'versions-tar');
  for (const d of [cacheDir, outDir, scratch]) rmSync(d, { recursive: true, force: true });
  mkdirSync(path.join(scratch, 'etc'), { recursive: true });
  mkdirSync(outDir);
  const cacheBytes: number[] = [];
  for (let v = 1; v <= versions; v++) {
    const versionTar = path.join(scratch, `v${v}.tar`);
    copyFileSync(tar, versionTar);
    writeFileSync(path.join(scratch, 'etc', 'image-version'), `${v}\n`);
    sh('tar', ['-rf', versionTar, '-C', scratch, 'etc/image-version']);
    sh(process.execPath, [cli, 'build', '--tar', versionTar, '--output', path.join(outDir, 'vm.qcow2.gz'), '--cache-dir', cacheDir, '--quiet']);
    rmSync(versionTar);
    cacheBytes.push(allocatedBytes(cacheDir));
  }
  const du = JSON.parse(sh(process.execPath, [cli, 'cache', 'du', '--cache-dir', cacheDir, '--json']).stdout) as { maxBytes: number | null };
  const outputFiles = Number(sh('sh', ['-c', 'ls -A "$1" | wc -l', 'sh', outDir]).stdout.trim());
  for (const d of [cacheDir, outDir, scratch]) rmSync(d, { recursive: true, force: true });
  return { cacheBytes, limitBytes: du.maxBytes, outputFiles };
}
