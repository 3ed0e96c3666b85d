import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { CacheEntry, StageCache } from './common/cache';
import { canonicalJson, sha256Hex } from './common/digest';
import { checkDockerEngine } from './common/docker-engine';
import { SpecError } from './common/errors';
import { FILE_HASHES, FileHashCache } from './common/hash-cache';
import { Progress } from './common/progress';
import { StageInput, StageInputs } from './common/stage-definition';
import { ToolRunner } from './common/tools';
import { Fingerprints } from './fingerprints';
import { StageSpec } from './spec';
import { definitionOf, requiredTools, rootfsOf, upstreamOf } from './stages';

export interface BuildContext {
  readonly cache: StageCache;
  readonly tools: ToolRunner;
  readonly progress: Progress;
  /** Directory relative spec paths are resolved against. */
  readonly baseDir: string;
  /** Fingerprints of this build's specs, each computed once. */
  readonly fingerprints: Fingerprints;
  /** Cache keys already computed in this build, by spec. */
  readonly cacheKeys: Map<string, string>;
  /** Local image ids of image references, asked of docker once per build. */
  readonly imageIds: Map<string, string>;
  /** Stage entries already resolved in this build, by cache key. */
  readonly entries: Map<string, CacheEntry>;
}

/** A build context for specs relative to `baseDir`, with nothing computed yet. */
export function newBuildContext(cache: StageCache, tools: ToolRunner, progress: Progress, baseDir: string): BuildContext {
  return {
    cache,
    tools,
    progress,
    baseDir,
    fingerprints: new Fingerprints(baseDir, FileHashCache.at(path.join(cache.dir, FILE_HASHES))),
    cacheKeys: new Map(),
    imageIds: new Map(),
    entries: new Map(),
  };
}

export interface BuildResult {
  readonly entry: CacheEntry;
  /** The stage's main file in the cache. */
  readonly artifactPath: string;
  /** The spec's fingerprint: what Terraform's `triggers_replace.fingerprint` holds. */
  readonly fingerprint: string;
  /** The cache entry's key: the fingerprint, plus the local image id for an image given by reference. */
  readonly cacheKey: string;
}

/**
 * Builds a stage and, first, whatever upstream stage is not in the cache.
 * An unchanged stage is a cache hit and runs no tool.
 */
export async function buildStage(spec: StageSpec, ctx: BuildContext): Promise<BuildResult> {
  ctx.tools.require(requiredTools(spec));
  const entry = await stageEntry(spec, ctx);
  return { entry, artifactPath: artifactOf(entry), fingerprint: ctx.fingerprints.of(spec).fingerprint, cacheKey: entry.fingerprint };
}

async function stageEntry(spec: StageSpec, ctx: BuildContext): Promise<CacheEntry> {
  const key = await cacheKey(spec, ctx);
  const seen = ctx.entries.get(key);
  if (seen) return seen;
  let started = Date.now();
  const hit = ctx.cache.lookup(spec.stage, key);
  if (hit) {
    ctx.progress.stageDone({ stage: spec.stage, seconds: (Date.now() - started) / 1000, bytes: hit.files[0].bytes, cacheHit: true, cacheKey: key });
    ctx.entries.set(key, hit);
    return hit;
  }
  const upstream = await upstreamInputs(spec, ctx);
  const definition = definitionOf(spec);
  const entry = await ctx.cache.withLock(spec.stage, key, async () => {
    started = Date.now();
    const built = ctx.cache.lookup(spec.stage, key); // another process may have built it meanwhile
    const result = built ?? await ctx.cache.create(spec.stage, key, async tmpDir => {
      const output = await definition.run(spec, upstream, {
        tmpDir, artifact: path.join(tmpDir, definition.artifact(spec)), baseDir: ctx.baseDir, cacheKey: key, tools: ctx.tools, progress: ctx.progress,
      });
      return { files: [...output.files], meta: output.meta as Record<string, unknown> };
    });
    const seconds = (Date.now() - started) / 1000;
    ctx.progress.stageDone({ stage: spec.stage, seconds, bytes: result.files[0].bytes, cacheHit: built !== undefined, cacheKey: key });
    return result;
  }, () => ctx.progress.step(spec.stage, 'another build of the same fingerprint is running; waiting for it'));
  ctx.entries.set(key, entry);
  return entry;
}

async function upstreamInputs(spec: StageSpec, ctx: BuildContext): Promise<StageInputs<Record<string, unknown>>> {
  const inputs: Record<string, StageInput<unknown>> = {};
  for (const [name, up] of Object.entries(upstreamOf(spec))) {
    const entry = await stageEntry(up, ctx);
    inputs[name] = { entry, artifact: artifactOf(entry), meta: entry.meta };
  }
  return inputs;
}

function artifactOf(entry: CacheEntry): string {
  return path.join(entry.dir, entry.files[0].name);
}

/**
 * The spec fingerprint, except for an image given by reference: the image a
 * tag names today may differ from yesterday's, so its local id joins the key.
 */
async function cacheKey(spec: StageSpec, ctx: BuildContext): Promise<string> {
  const memoKey = canonicalJson(spec);
  const known = ctx.cacheKeys.get(memoKey);
  if (known) return known;
  let key = ctx.fingerprints.of(spec).fingerprint;
  const source = rootfsOf(spec).source;
  if (source.kind === 'image') key = sha256Hex(`${key}:${await localImageId(source.reference, ctx)}`);
  ctx.cacheKeys.set(memoKey, key);
  return key;
}

async function localImageId(reference: string, ctx: BuildContext): Promise<string> {
  const known = ctx.imageIds.get(reference);
  if (known) return known;
  await checkDockerEngine(ctx.tools);
  const id = await ctx.tools.run({ tool: 'docker', args: ['image', 'inspect', '--format', '{{.Id}}', '--', reference] })
    .then(r => r.stdout.trim(), () => 'not-on-this-machine');
  ctx.imageIds.set(reference, id);
  return id;
}

export { requiredTools, rootfsOf };

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
