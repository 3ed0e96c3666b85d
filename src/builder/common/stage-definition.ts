import type { CacheEntry } from './cache';
import type { FileHashCache } from './hash-cache';
import type { Progress } from './progress';
import type { ToolRunner } from './tools';
import type { StageSpec } from '../spec';

/** An upstream stage's result as a stage reads it. */
export interface StageInput<M> {
  readonly entry: CacheEntry;
  /** The upstream stage's main file in the cache. */
  readonly artifact: string;
  readonly meta: M;
}

/** Upstream stages by the name a stage gives them, each with the meta type it reads. */
export type StageInputs<U> = { readonly [K in keyof U]: StageInput<U[K]> };

export interface StageRunContext {
  /** Where the stage writes its files; renamed into the cache when the stage succeeds. */
  readonly tmpDir: string;
  /** Where the stage writes its artifact: tmpDir and the definition's artifact name. */
  readonly artifact: string;
  /** Directory relative spec paths are resolved against. */
  readonly baseDir: string;
  /** The stage's cache key (the fingerprint, plus the local image id for an image given by reference). */
  readonly cacheKey: string;
  readonly tools: ToolRunner;
  readonly progress: Progress;
}

export interface StageOutput<M> {
  /** Files the stage wrote into tmpDir; the first is its artifact. */
  readonly files: readonly string[];
  /** Facts later stages read (kept in the cache entry's manifest as JSON). */
  readonly meta: M;
}

/** What fingerprinting may read: files named by the spec, relative to baseDir. */
export interface InputFiles {
  readonly baseDir: string;
  readonly hashes: FileHashCache;
}

/**
 * Everything the builder and the constructs know about one stage. The pipeline,
 * the fingerprints and the path mapping loop over these (see src/builder/stages.ts);
 * adding a stage is one folder with one of these in its stage.ts.
 *
 * @typeParam S the stage's spec
 * @typeParam U the upstream stages it reads, name to meta type
 * @typeParam M the meta it writes
 */
export interface StageDefinition<S extends StageSpec, U, M> {
  readonly name: S['stage'];
  /** The upstream stages' specs by name. Their fingerprints make this stage's `upstream` input. */
  upstream(spec: S): { readonly [K in keyof U]: StageSpec };
  /** Host tools this stage runs itself (the registry adds its upstream's). */
  tools(spec: S): readonly string[];
  /**
   * What decides the stage's output besides its upstream, by name (snake_case: the
   * names appear in `terraform plan`). Each value is hashed into a digest.
   */
  inputs(spec: S, files: InputFiles): Readonly<Record<string, unknown>>;
  /** File name of the stage's artifact in its cache entry. */
  artifact(spec: S): string;
  /** The spec with its own paths passed through `map` and its upstream specs through `mapUpstream`. */
  mapPaths(spec: S, map: (p: string) => string, mapUpstream: <T extends StageSpec>(upstream: T) => T): S;
  run(spec: S, upstream: StageInputs<U>, ctx: StageRunContext): Promise<StageOutput<M>>;
}
