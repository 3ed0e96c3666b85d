import * as path from 'node:path';
import { Command } from './command';
import { CommandArgs, one } from '../cli-args';
import { StageCache, defaultCacheDir } from '../common/cache';
import { CACHE_STAGES, PruneLimits, PruneResult, cacheUsage, pruneCache } from '../common/cache-gc';
import { MAX_BYTES_VARIABLE, limitsFromEnv, maxSizeFlag, olderThanFlag } from '../common/cache-limits';
import { SpecError } from '../common/errors';
import { Progress, formatBytes } from '../common/progress';

const OPTIONS = `Cache options (cache du | cache prune)
  --cache-dir DIR        the stage cache (default as for build)
  --max-size SIZE        prune: evict least recently used entries until the cache is at most SIZE
                         (like 10G; default $${MAX_BYTES_VARIABLE}, else 20 GiB)
  --older-than AGE       prune: also evict entries not used for AGE (like 7d; s, m, h, d or w)
  --all                  prune: evict every entry not in use
  --dry-run              prune: print what would be removed, remove nothing
  --json                 print the result as one JSON object
  Entries a running build locks or uses are never removed. Every build prunes to
  $${MAX_BYTES_VARIABLE} (bytes or a size like 20G; unlimited turns it off) and
  $CDKTF_DOCKER_VM_CACHE_MAX_AGE (like 30d) when it is done.
`;

const PRUNE_ONLY = ['max-size', 'older-than', 'all', 'dry-run'];

/** `cache du` and `cache prune`: the stage cache's footprint and its bound. */
export const cacheCommand: Command = {
  name: 'cache',
  flags: { 'cache-dir': 'value', 'max-size': 'value', 'older-than': 'value', 'all': 'switch', 'dry-run': 'switch', 'json': 'switch', 'quiet': 'switch' },
  synopsis: 'du|prune [--cache-dir DIR] [--max-size SIZE] [--older-than AGE] [--all] [--dry-run] [--json]',
  options: OPTIONS,
  examples: ['du', 'prune --max-size 10G --older-than 7d --dry-run'],
  run: async (args, { io, progress }) => {
    const [action, extra] = args.positional;
    if (action !== 'du' && action !== 'prune') {
      const what = action === undefined ? 'cache needs du or prune' : `cache ${action} is not a cache command`;
      throw new SpecError(`${what}; run cdktf-docker-vm cache du or cdktf-docker-vm cache prune (see cdktf-docker-vm --help)`);
    }
    if (extra !== undefined) throw new SpecError(`unexpected argument ${extra}; see cdktf-docker-vm --help`);
    const cache = new StageCache(path.resolve(one(args, 'cache-dir') ?? defaultCacheDir()));
    if (action === 'du') {
      const misplaced = PRUNE_ONLY.find(f => args.flags.has(f));
      if (misplaced) throw new SpecError(`--${misplaced} is an option of cache prune, not cache du; leave it out or run cache prune`);
      return du(cache, args, io.stdout);
    }
    return prune(cache, args, io.stdout, progress);
  },
};

function du(cache: StageCache, args: CommandArgs, out: NodeJS.WritableStream): number {
  const usage = cacheUsage(cache);
  const limit = limitsFromEnv().maxBytes;
  if (args.flags.has('json')) {
    out.write(JSON.stringify({ ...usage, maxBytes: limit ?? null }) + '\n');
    return 0;
  }
  const rows = [['stage', 'entries', 'size'], ...CACHE_STAGES.map(s => [s, String(usage.stages[s].entries), formatBytes(usage.stages[s].bytes)]),
    ['other', '', formatBytes(usage.otherBytes)], ['total', '', formatBytes(usage.totalBytes)]];
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
  out.write(`${usage.dir}\n`);
  for (const r of rows) out.write(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ') + '\n');
  out.write(`limit ${limit === undefined ? 'none' : formatBytes(limit)} (${MAX_BYTES_VARIABLE})\n`);
  return 0;
}

function prune(cache: StageCache, args: CommandArgs, out: NodeJS.WritableStream, progress: Progress): number {
  const maxSize = one(args, 'max-size');
  const olderThan = one(args, 'older-than');
  const env = limitsFromEnv();
  const limits: PruneLimits = {
    maxBytes: maxSize !== undefined ? maxSizeFlag(maxSize) : env.maxBytes,
    maxAgeMs: olderThan !== undefined ? olderThanFlag(olderThan) : env.maxAgeMs,
    all: args.flags.has('all'),
  };
  const dryRun = args.flags.has('dry-run');
  cache.sweepTemp();
  const result = pruneCache(cache, limits, { dryRun });
  const verb = dryRun ? 'would remove' : 'removed';
  for (const r of result.removed) progress.step('cache', `${verb} ${r.stage}/${r.fingerprint.slice(0, 12)}, ${formatBytes(r.bytes)} (${reasonText(r.reason)}, last used ${r.lastUsed})`);
  for (const k of result.kept) progress.step('cache', `kept ${k.stage}/${k.fingerprint.slice(0, 12)}, ${formatBytes(k.bytes)}: ${k.why} by a running build`);
  if (args.flags.has('json')) {
    out.write(JSON.stringify({ dir: cache.dir, dryRun, maxBytes: limits.maxBytes ?? null, maxAgeMs: limits.maxAgeMs ?? null, ...result }) + '\n');
  } else {
    for (const r of result.removed) out.write(`${verb} ${r.stage}/${r.fingerprint} ${r.bytes}\n`);
    out.write(`${dryRun ? 'would free' : 'freed'} ${formatBytes(result.freedBytes)} in ${result.removed.length} entries; ${summary(result)}\n`);
  }
  return 0;
}

function reasonText(reason: string): string {
  return reason === 'size' ? 'least recently used, over the size limit' : reason === 'age' ? 'not used within --older-than' : '--all';
}

function summary(result: PruneResult): string {
  return `${result.remainingEntries} entries, ${formatBytes(result.remainingBytes)} left`;
}
