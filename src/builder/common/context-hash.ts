import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { sha256Hex } from './digest';
import { canSkipDirectory, isIgnored, parseDockerignore } from './dockerignore';
import { SpecError } from './errors';
import { FileHashCache } from './hash-cache';

/** What `docker build` reads, hashed: the Dockerfile on its own, and the rest of the context. */
export interface BuildContextDigests {
  /** The Dockerfile's path (relative to the context) and content. */
  readonly dockerfile: string;
  /** Every other file docker sends: relative path, type, executable bit and content (or link target), honouring .dockerignore. */
  readonly context: string;
}

export interface BuildContextRef {
  readonly contextDir: string;
  /** Relative to contextDir. */
  readonly dockerfile: string;
}

/**
 * Hashes a build context in one walk. The Dockerfile's content counts only in
 * `dockerfile`, so an edit of the Dockerfile and an edit of another file are
 * told apart; inside the context it is listed by path and mode only.
 */
export function hashBuildContext(src: BuildContextRef, baseDir: string, hashes: FileHashCache = FileHashCache.default()): BuildContextDigests {
  const contextDir = path.resolve(baseDir, src.contextDir);
  if (!existsSync(contextDir) || !statSync(contextDir).isDirectory()) {
    throw new SpecError(`build context ${contextDir} is not a directory; pass an existing directory as the context`);
  }
  const dockerfileRel = toPosix(path.normalize(src.dockerfile));
  const dockerfileAbs = path.resolve(contextDir, src.dockerfile);
  if (!existsSync(dockerfileAbs)) {
    throw new SpecError(`Dockerfile ${dockerfileAbs} does not exist; check the dockerfile path (it is relative to the context ${contextDir})`);
  }
  const ignorePath = path.join(contextDir, '.dockerignore');
  const rules = existsSync(ignorePath) ? parseDockerignore(readFileSync(ignorePath, 'utf8')) : [];
  const context = createHash('sha256');
  const walk = (relDir: string) => {
    for (const name of readdirSync(path.join(contextDir, relDir)).sort()) {
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      const abs = path.join(contextDir, rel);
      const st = lstatSync(abs, { bigint: true });
      const always = rel === dockerfileRel || rel === '.dockerignore';
      if (st.isDirectory()) {
        if (!always && canSkipDirectory(rel, rules)) continue;
        if (!isIgnored(rel, rules)) context.update(`d ${rel}\n`);
        walk(rel);
        continue;
      }
      if (!always && isIgnored(rel, rules)) continue;
      if (st.isSymbolicLink()) {
        context.update(`l ${rel} -> ${readlinkSync(abs)}\n`);
      } else if (st.isFile()) {
        const exec = (Number(st.mode) & 0o111) !== 0 ? 'x' : '-';
        context.update(`f ${rel} ${exec} ${rel === dockerfileRel ? 'dockerfile' : hashes.sha256(abs, st)}\n`);
      } else {
        context.update(`o ${rel}\n`);
      }
    }
  };
  walk('');
  // docker sends the Dockerfile even when it is ignored or outside the context
  return { dockerfile: sha256Hex(`${dockerfileRel}\n${hashes.sha256(dockerfileAbs)}`), context: context.digest('hex') };
}

/** sha256 of an input file the spec names (`what` names it in the error). */
export function hashInputFile(file: string, what: string, hashes: FileHashCache = FileHashCache.default()): string {
  if (!existsSync(file)) throw new SpecError(`${what} ${file} does not exist; pass an existing file`);
  return hashes.sha256(file);
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
