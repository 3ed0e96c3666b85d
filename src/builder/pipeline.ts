import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { bootloaderTools } from './bootloader/plan';
import { runBootloader } from './bootloader/run';
import { CacheEntry, StageCache } from './common/cache';
import { SpecError } from './common/errors';
import { canonicalJson, fingerprintSpec, sha256Hex } from './common/fingerprint';
import { FILE_HASHES, FileHashCache } from './common/hash-cache';
import { Progress } from './common/progress';
import { ToolRunner } from './common/tools';
import { runConvert } from './convert/run';
import { runDisk } from './disk/run';
import { checkDockerEngine, runRootfs } from './rootfs/run';
import { RootfsSpec, StageSpec } from './spec';

export interface BuildContext {
  readonly cache: StageCache;
  readonly tools: ToolRunner;
  readonly progress: Progress;
  /** Directory relative spec paths are resolved against. */
  readonly baseDir: string;
  /** Fingerprints already computed in this build (hashing a build context once is enough). */
  readonly memo: Map<string, string>;
  /** Stage entries already resolved in this build, by cache key. */
  readonly entries: Map<string, CacheEntry>;
}

export interface BuildResult {
  readonly entry: CacheEntry;
  /** The stage's main file in the cache. */
  readonly artifactPath: string;
}

/**
 * Builds a stage and, first, whatever upstream stage is not in the cache.
 * An unchanged stage is a cache hit and runs no tool.
 */
export async function buildStage(spec: StageSpec, ctx: BuildContext): Promise<BuildResult> {
  ctx.tools.require(requiredTools(spec));
  const entry = await stageEntry(spec, ctx);
  return { entry, artifactPath: path.join(entry.dir, entry.files[0].name) };
}

async function stageEntry(spec: StageSpec, ctx: BuildContext): Promise<CacheEntry> {
  const fingerprint = await cacheKey(spec, ctx);
  const seen = ctx.entries.get(fingerprint);
  if (seen) return seen;
  let started = Date.now();
  const hit = ctx.cache.lookup(spec.stage, fingerprint);
  if (hit) {
    ctx.progress.stageDone({ stage: spec.stage, seconds: (Date.now() - started) / 1000, bytes: hit.files[0].bytes, cacheHit: true, fingerprint });
    ctx.entries.set(fingerprint, hit);
    return hit;
  }
  const upstream = await upstreamEntries(spec, ctx);
  const entry = await ctx.cache.withLock(spec.stage, fingerprint, async () => {
    started = Date.now();
    const built = ctx.cache.lookup(spec.stage, fingerprint); // another process may have built it meanwhile
    const result = built ?? await ctx.cache.create(spec.stage, fingerprint, tmpDir => runOne(spec, fingerprint, upstream, tmpDir, ctx));
    const seconds = (Date.now() - started) / 1000;
    ctx.progress.stageDone({ stage: spec.stage, seconds, bytes: result.files[0].bytes, cacheHit: built !== undefined, fingerprint });
    return result;
  }, () => ctx.progress.step(spec.stage, 'another build of the same fingerprint is running; waiting for it'));
  ctx.entries.set(fingerprint, entry);
  return entry;
}

async function upstreamEntries(spec: StageSpec, ctx: BuildContext): Promise<CacheEntry[]> {
  switch (spec.stage) {
    case 'rootfs': return [];
    case 'disk': return [await stageEntry(spec.rootfs, ctx)];
    case 'bootloader': {
      const rootfs = await stageEntry(spec.disk.rootfs, ctx);
      return [rootfs, await stageEntry(spec.disk, ctx)];
    }
    case 'convert': return [await stageEntry(spec.bootloader, ctx)];
  }
}

function runOne(spec: StageSpec, fingerprint: string, upstream: CacheEntry[], tmpDir: string, ctx: BuildContext) {
  switch (spec.stage) {
    case 'rootfs': return runRootfs(spec, ctx.baseDir, tmpDir, ctx.tools, ctx.progress);
    case 'disk': return runDisk(spec, fingerprint, upstream[0], tmpDir, ctx.tools, ctx.progress);
    case 'bootloader': return runBootloader(spec, upstream[0], upstream[1], tmpDir, ctx.tools, ctx.progress);
    case 'convert': return runConvert(spec, upstream[0], tmpDir, ctx.tools, ctx.progress);
  }
}

/**
 * The spec fingerprint, except for an image given by reference: the image a
 * tag names today may differ from yesterday's, so its local id joins the key.
 */
async function cacheKey(spec: StageSpec, ctx: BuildContext): Promise<string> {
  const memoKey = canonicalJson(spec);
  const known = ctx.memo.get(memoKey);
  if (known) return known;
  let key = fingerprintSpec(spec, ctx.baseDir, FileHashCache.at(path.join(ctx.cache.dir, FILE_HASHES)));
  const source = rootfsOf(spec).source;
  if (source.kind === 'image') {
    await checkDockerEngine(ctx.tools);
    const id = await ctx.tools.run({ tool: 'docker', args: ['image', 'inspect', '--format', '{{.Id}}', '--', source.reference] })
      .then(r => r.stdout.trim(), () => 'not-on-this-machine');
    key = sha256Hex(`${key}:${id}`);
  }
  ctx.memo.set(memoKey, key);
  return key;
}

/** Every host tool the chain up to this stage may need, checked before any work starts. */
export function requiredTools(spec: StageSpec): string[] {
  switch (spec.stage) {
    case 'rootfs': {
      // a tar only meets docker when a VM layer may have to be built on it
      const injects = spec.vm !== undefined && spec.vm.inject !== 'never';
      return spec.source.kind === 'tar' && !injects ? ['cp'] : ['docker', 'cp'];
    }
    case 'disk': return [...requiredTools(spec.rootfs), 'sfdisk', 'mkfs.fat', 'mke2fs', 'debugfs'];
    case 'bootloader': return [...new Set([...requiredTools(spec.disk), ...bootloaderTools(spec)])];
    case 'convert': {
      const compressor = spec.compression === 'bzip2' ? ['bzip2'] : spec.compression === 'gzip' ? ['gzip'] : [];
      const preflight = spec.preflight ? ['qemu-img', 'sfdisk', 'debugfs', 'mdir'] : [];
      return [...new Set([...requiredTools(spec.bootloader), ...(spec.format === 'raw' ? [] : ['qemu-img']), ...compressor, ...preflight])];
    }
  }
}

/** The rootfs stage at the bottom of a spec's chain. */
export function rootfsOf(spec: StageSpec): RootfsSpec {
  switch (spec.stage) {
    case 'rootfs': return spec;
    case 'disk': return spec.rootfs;
    case 'bootloader': return spec.disk.rootfs;
    case 'convert': return spec.bootloader.disk.rootfs;
  }
}

/**
 * Fails before any work when `output` cannot be written: its directory (or the
 * nearest existing parent, when it is still to be made) must be writable.
 */
export function checkOutputWritable(output: string): void {
  let dir = path.dirname(path.resolve(output));
  while (!existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new SpecError(`output ${output} is not writable (no write permission on ${dir}); choose an --output in a writable directory`);
  }
}

/** Copies the artifact to `output` through a temp file in the same directory and a rename. */
export async function publishArtifact(artifactPath: string, output: string, tools: ToolRunner): Promise<void> {
  const dir = path.dirname(path.resolve(output));
  if (!existsSync(dir)) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new SpecError(`cannot create output directory ${dir} (${(e as Error).message}); choose an --output in a writable directory`);
    }
  }
  const tmp = path.join(dir, `.${path.basename(output)}.tmp-${process.pid}`);
  try {
    await tools.run({ tool: 'cp', args: ['--reflink=auto', '--sparse=always', '--', artifactPath, tmp] });
    renameSync(tmp, output);
  } catch (e) {
    rmSync(tmp, { force: true });
    if (e instanceof Error && /Permission denied|Read-only/i.test(e.message)) {
      throw new SpecError(`output ${output} is not writable; choose an --output in a writable directory`);
    }
    throw e;
  }
}
