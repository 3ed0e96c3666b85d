/** What `build` and `run` share once they have a spec: the cache, the build, the output and the result on stdout. */
import * as path from 'node:path';
import { CommandContext } from './command';
import { StageCache, defaultCacheDir } from '../common/cache';
import { pruneCache } from '../common/cache-gc';
import { limitsFromEnv } from '../common/cache-limits';
import { Progress, formatBytes } from '../common/progress';
import { buildStage, newBuildContext, publishArtifact } from '../pipeline';
import { StageSpec } from '../spec';
import { readSpecFile } from '../spec-file';

export interface SpecRun {
  readonly spec: StageSpec;
  /** Where the spec's relative paths start. */
  readonly baseDir: string;
  /** Where to copy the artifact; without it the result names the cache entry. */
  readonly output?: string;
  readonly cache: StageCache;
  /** Print the result as one JSON object instead of the artifact path. */
  readonly json: boolean;
}

/** Builds the spec (and the stages it needs) into the cache, publishes it at `output`, prints the result; returns 0. */
export async function runSpec(run: SpecRun, { io, tools, progress }: CommandContext): Promise<number> {
  const started = Date.now();
  const limits = limitsFromEnv(); // a bad value fails before the build, not after it
  const result = await buildStage(run.spec, newBuildContext(run.cache, tools, progress, run.baseDir));
  if (run.output) {
    await publishArtifact(result.artifactPath, run.output, tools);
    progress.step('output', run.output);
  }
  // The entries this build used are pinned, so the prune keeps them (and those other running builds use).
  autoPrune(run.cache, limits, progress);
  run.cache.releasePins();
  progress.printSummary();
  const artifactPath = run.output ?? result.artifactPath;
  if (run.json) {
    io.stdout.write(JSON.stringify({
      stage: run.spec.stage,
      fingerprint: result.fingerprint,
      cacheKey: result.cacheKey,
      artifactPath,
      bytes: result.entry.files[0].bytes,
      seconds: (Date.now() - started) / 1000,
      stages: progress.stages,
    }) + '\n');
  } else {
    io.stdout.write(`${artifactPath}\n`);
  }
  return 0;
}

/** The cache: --cache-dir, else the spec file's `cacheDir`, else the default; temp dirs of dead builders removed. */
export function openCache(cacheDirFlag: string | undefined, read?: ReturnType<typeof readSpecFile>): StageCache {
  const fromSpec = read?.specFile.cacheDir ? path.resolve(read.baseDir, read.specFile.cacheDir) : undefined;
  const cache = new StageCache(path.resolve(cacheDirFlag ?? fromSpec ?? defaultCacheDir()));
  cache.sweepTemp();
  return cache;
}

/** Bounds the cache after a build; a failure to prune is a warning, the build itself succeeded. */
function autoPrune(cache: StageCache, limits: ReturnType<typeof limitsFromEnv>, progress: Progress): void {
  if (limits.maxBytes === undefined && limits.maxAgeMs === undefined) return;
  try {
    const result = pruneCache(cache, limits);
    if (result.removed.length) {
      progress.step('cache', `removed ${result.removed.length} least recently used entries (${formatBytes(result.freedBytes)}); ` +
        `${formatBytes(result.remainingBytes)} left (limit ${limits.maxBytes === undefined ? 'none' : formatBytes(limits.maxBytes)})`);
    }
  } catch (e) {
    progress.step('cache', `warning: could not prune the cache (${(e as Error).message}); run cdktf-docker-vm cache prune`);
  }
}
