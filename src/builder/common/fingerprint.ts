import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, readdirSync, lstatSync, readlinkSync, existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { canSkipDirectory, isIgnored, parseDockerignore } from './dockerignore';
import { SpecError } from './errors';
import { FileHashCache } from './hash-cache';
import { BUILDER_FORMAT_VERSION, DockerfileSourceSpec, RootfsSourceSpec, StageSpec } from '../spec';

/**
 * A stage fingerprint: sha256 of everything that decides the stage's output
 * (file contents, never mtimes or absolute paths), the upstream stage's
 * fingerprint and the builder format version. Same inputs, same fingerprint,
 * on any machine.
 *
 * @param baseDir directory that relative paths in the spec are resolved against
 * @param hashes file hashes remembered by stat data (saves time only; never changes the result)
 */
export function fingerprintSpec(spec: StageSpec, baseDir: string, hashes: FileHashCache = FileHashCache.default()): string {
  const fingerprint = sha256Hex(canonicalJson(fingerprintInputs(spec, baseDir, hashes)));
  hashes.save();
  return fingerprint;
}

function fingerprintInputs(spec: StageSpec, baseDir: string, hashes: FileHashCache): unknown {
  const common = { builderFormatVersion: BUILDER_FORMAT_VERSION, stage: spec.stage };
  switch (spec.stage) {
    case 'rootfs':
      // the VM layer (injection, profile, app service) is part of the rootfs
      return { ...rootfsSourceInputs(spec.source, common, baseDir, hashes), ...(spec.vm ? { vm: spec.vm } : {}) };
    case 'disk':
      return {
        ...common,
        upstream: fingerprintSpec(spec.rootfs, baseDir, hashes),
        sizeMiB: spec.sizeMiB ?? 'auto',
        partitionTable: spec.partitionTable,
        bootPartitionMiB: spec.bootPartitionMiB,
      };
    case 'bootloader':
      return {
        ...common,
        upstream: fingerprintSpec(spec.disk, baseDir, hashes),
        extraKernelArgs: spec.extraKernelArgs,
        // absent and 'bios' make the same image: only another firmware joins the hash (BIOS fingerprints stay as they were)
        ...(spec.firmware !== undefined && spec.firmware !== 'bios' ? { firmware: spec.firmware } : {}),
      };
    case 'convert':
      return {
        ...common,
        upstream: fingerprintSpec(spec.bootloader, baseDir, hashes),
        format: spec.format,
        compression: spec.compression,
        // a checked artifact is a different cache entry: an unchecked one must not satisfy a checked build
        ...(spec.preflight ? { preflight: spec.preflight } : {}),
      };
  }
  throw new SpecError(`unknown stage in spec: ${JSON.stringify((spec as { stage?: unknown }).stage)}`);
}

function rootfsSourceInputs(src: RootfsSourceSpec, common: object, baseDir: string, hashes: FileHashCache): object {
  switch (src.kind) {
    case 'dockerfile':
      return {
        ...common,
        kind: src.kind,
        dockerfile: toPosix(path.normalize(src.dockerfile)),
        buildArgs: src.buildArgs,
        target: src.target ?? null,
        context: hashBuildContext(src, baseDir, hashes),
      };
    case 'image':
      return { ...common, kind: src.kind, reference: src.reference };
    case 'tar':
      return { ...common, kind: src.kind, sha256: hashFileSync(resolvePath(baseDir, src.path), 'source.path', hashes) };
  }
  throw new SpecError(`unknown rootfs source kind in spec: ${JSON.stringify((src as { kind?: unknown }).kind)}`);
}

export function resolvePath(baseDir: string, p: string): string {
  return path.resolve(baseDir, p);
}

/**
 * Hash of the files docker would send as build context: relative path, type,
 * executable bit and content (or link target), sorted, honouring .dockerignore.
 */
export function hashBuildContext(src: DockerfileSourceSpec, baseDir: string, hashes: FileHashCache = FileHashCache.default()): string {
  const contextDir = resolvePath(baseDir, src.contextDir);
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
  const hash = createHash('sha256');
  // docker sends the Dockerfile even when it is ignored or outside the context: hash it on its own.
  const entries: string[] = [`dockerfile ${sha256Hex(readFileSync(dockerfileAbs))}`];
  const walk = (relDir: string) => {
    const names = readdirSync(path.join(contextDir, relDir)).sort();
    for (const name of names) {
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      const abs = path.join(contextDir, rel);
      const st = lstatSync(abs, { bigint: true });
      const always = rel === dockerfileRel || rel === '.dockerignore';
      if (st.isDirectory()) {
        if (!always && canSkipDirectory(rel, rules)) continue;
        if (!isIgnored(rel, rules)) entries.push(`d ${rel}`);
        walk(rel);
        continue;
      }
      if (!always && isIgnored(rel, rules)) continue;
      if (st.isSymbolicLink()) {
        entries.push(`l ${rel} -> ${readlinkSync(abs)}`);
      } else if (st.isFile()) {
        const exec = (Number(st.mode) & 0o111) !== 0 ? 'x' : '-';
        entries.push(`f ${rel} ${exec} ${hashes.sha256(abs, st)}`);
      } else {
        entries.push(`o ${rel}`);
      }
    }
  };
  walk('');
  for (const e of entries) hash.update(e + '\n');
  return hash.digest('hex');
}

export function hashFileSync(file: string, what: string, hashes: FileHashCache = FileHashCache.default()): string {
  if (!existsSync(file)) throw new SpecError(`${what} ${file} does not exist; pass an existing file`);
  return hashes.sha256(file);
}

export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted at every level, so key order never changes a hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter(k => obj[k] !== undefined).sort();
  return `{${keys.map(k => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
