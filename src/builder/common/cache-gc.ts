/**
 * The cache's footprint and its bound: `cache du`, `cache prune` and the
 * automatic prune after each build. Eviction is least recently used first
 * (the `last-used` stamp, see cache.ts), and never removes an entry whose lock
 * a live process holds or that a live process has pinned (looked up or created
 * in its build), so a build never loses an input it is reading.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { LAST_USED, StageCache } from './cache';
import { StageName } from '../spec';

export const CACHE_STAGES: readonly StageName[] = ['rootfs', 'disk', 'bootloader', 'convert'];

/** One complete entry as the disk holds it. */
export interface EntryUsage {
  readonly stage: StageName;
  readonly fingerprint: string;
  readonly dir: string;
  /** Bytes allocated on disk (sparse disk images count what they hold, not their length). */
  readonly bytes: number;
  /** Last lookup hit or creation, ms since the epoch. */
  readonly lastUsedMs: number;
}

export interface StageUsage {
  readonly entries: number;
  readonly bytes: number;
}

export interface CacheUsage {
  readonly dir: string;
  readonly stages: Readonly<Record<StageName, StageUsage>>;
  /** Temp dirs of running builds, locks, pins and the file-hash cache. */
  readonly otherBytes: number;
  /** Everything under the cache directory. */
  readonly totalBytes: number;
}

/** The complete entries (those with a manifest), least recently used first. */
export function listEntries(cache: StageCache): EntryUsage[] {
  const entries: EntryUsage[] = [];
  for (const stage of CACHE_STAGES) {
    const stageDir = path.join(cache.dir, stage);
    if (!existsSync(stageDir)) continue;
    for (const fingerprint of readdirSync(stageDir).sort()) {
      const dir = path.join(stageDir, fingerprint);
      const lastUsedMs = lastUsedOf(dir);
      if (lastUsedMs === undefined) continue; // not an entry, or removed right now
      entries.push({ stage, fingerprint, dir, bytes: allocatedBytes(dir), lastUsedMs });
    }
  }
  return entries.sort((a, b) => a.lastUsedMs - b.lastUsedMs);
}

/** Entries and bytes per stage, and the total. */
export function cacheUsage(cache: StageCache): CacheUsage {
  const stages = Object.fromEntries(CACHE_STAGES.map(s => [s, { entries: 0, bytes: 0 }])) as Record<StageName, { entries: number; bytes: number }>;
  for (const e of listEntries(cache)) {
    stages[e.stage].entries++;
    stages[e.stage].bytes += e.bytes;
  }
  const totalBytes = existsSync(cache.dir) ? allocatedBytes(cache.dir) : 0;
  const entryBytes = Object.values(stages).reduce((sum, s) => sum + s.bytes, 0);
  return { dir: cache.dir, stages, otherBytes: Math.max(0, totalBytes - entryBytes), totalBytes };
}

export interface PruneLimits {
  /** Evict least recently used entries until the entries take at most this many bytes. */
  readonly maxBytes?: number;
  /** Evict entries not used for longer than this. */
  readonly maxAgeMs?: number;
  /** Evict every entry that is not in use. */
  readonly all?: boolean;
}

export interface PruneOptions {
  /** Report what would go, remove nothing. */
  readonly dryRun?: boolean;
  /** The clock, for tests. */
  readonly now?: number;
}

export type EvictReason = 'all' | 'age' | 'size';

export interface PrunedEntry {
  readonly stage: StageName;
  readonly fingerprint: string;
  readonly bytes: number;
  readonly lastUsed: string;
  readonly reason: EvictReason;
}

export interface KeptEntry {
  readonly stage: StageName;
  readonly fingerprint: string;
  readonly bytes: number;
  /** Why an entry due for eviction stayed. */
  readonly why: 'locked' | 'in use';
}

export interface PruneResult {
  readonly removed: readonly PrunedEntry[];
  readonly freedBytes: number;
  /** Entries due for eviction that stayed because a live process locks or uses them. */
  readonly kept: readonly KeptEntry[];
  /** Bytes the entries take after the prune (before it, with dryRun). */
  readonly remainingBytes: number;
  readonly remainingEntries: number;
}

/**
 * Removes entries: with `all` every one; else those older than `maxAgeMs`,
 * then least recently used ones while the entries take more than `maxBytes`.
 * Locked and pinned entries stay (and still count towards the total).
 */
export function pruneCache(cache: StageCache, limits: PruneLimits, options: PruneOptions = {}): PruneResult {
  const now = options.now ?? Date.now();
  const entries = listEntries(cache);
  let total = entries.reduce((sum, e) => sum + e.bytes, 0);
  let count = entries.length;
  const removed: PrunedEntry[] = [];
  const kept: KeptEntry[] = [];
  const pins = cache.livePins();
  for (const e of entries) {
    const reason: EvictReason | undefined = limits.all ? 'all'
      : limits.maxAgeMs !== undefined && now - e.lastUsedMs > limits.maxAgeMs ? 'age'
        : limits.maxBytes !== undefined && total > limits.maxBytes ? 'size' : undefined;
    if (!reason) continue;
    const outcome = pins.has(keyOf(e)) ? 'in use' : evict(cache, e, options.dryRun === true);
    if (outcome !== 'removed') {
      kept.push({ stage: e.stage, fingerprint: e.fingerprint, bytes: e.bytes, why: outcome });
      continue;
    }
    removed.push({ stage: e.stage, fingerprint: e.fingerprint, bytes: e.bytes, lastUsed: new Date(e.lastUsedMs).toISOString(), reason });
    total -= e.bytes;
    count--;
  }
  return { removed, freedBytes: removed.reduce((sum, r) => sum + r.bytes, 0), kept, remainingBytes: total, remainingEntries: count };
}

/**
 * Takes the entry's lock (skips it when a live process holds it), checks the
 * pins again, renames the entry into `tmp/` and then removes it: a concurrent
 * lookup sees the whole entry or none. A pin that appears between the check
 * and the rename (a lookup racing the eviction) moves the entry back.
 */
function evict(cache: StageCache, e: EntryUsage, dryRun: boolean): 'removed' | 'locked' | 'in use' {
  const release = cache.tryLock(e.stage, e.fingerprint);
  if (!release) return 'locked';
  let doomed: string | undefined;
  try {
    if (cache.livePins().has(keyOf(e))) return 'in use';
    if (dryRun) return 'removed';
    // `<stage>-<fp>-<pid>-<random>`, the temp name sweepTemp knows: a crash mid-removal is swept later.
    doomed = path.join(cache.dir, 'tmp', `evict-${e.stage}-${e.fingerprint.slice(0, 16)}-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      renameSync(e.dir, doomed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'removed'; // another prune took it
      throw err;
    }
    if (cache.livePins().has(keyOf(e))) {
      renameSync(doomed, e.dir);
      doomed = undefined;
      return 'in use';
    }
    return 'removed';
  } finally {
    release();
    if (doomed) rmSync(doomed, { recursive: true, force: true });
  }
}

function keyOf(e: { stage: StageName; fingerprint: string }): string {
  return `${e.stage}/${e.fingerprint}`;
}

/** The `last-used` stamp, else the manifest's mtime (an entry made before stamps); undefined when `dir` is no entry. */
function lastUsedOf(dir: string): number | undefined {
  for (const name of [LAST_USED, 'manifest.json']) {
    try {
      return statSync(path.join(dir, name)).mtimeMs;
    } catch {
      // try the next
    }
  }
  return undefined;
}

/** Bytes allocated under `p` (st_blocks), not following symlinks. */
export function allocatedBytes(p: string): number {
  let st;
  try {
    st = lstatSync(p);
  } catch {
    return 0; // removed meanwhile
  }
  let bytes = st.blocks * 512;
  if (st.isDirectory()) {
    let names: string[] = [];
    try {
      names = readdirSync(p);
    } catch {
      // removed meanwhile
    }
    for (const name of names) bytes += allocatedBytes(path.join(p, name));
  }
  return bytes;
}
