import { BigIntStats, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { defaultCacheDir } from './cache';
import { sha256FileSync } from './digest';

/** Files changed this recently may change again within the same timestamp tick: not remembered. */
const RACY_WINDOW_MS = 2000;

interface Remembered {
  readonly key: string;
  readonly sha256: string;
}

/**
 * sha256 of files, remembered by path and stat data (size, mtime, ctime,
 * inode, device, in nanoseconds): an unchanged 1 GB build context is hashed
 * again in milliseconds. It only saves time: a hash is taken from the cache
 * only when every stat field is unchanged, so the fingerprint stays a hash of
 * file contents. Files modified in the last 2 s are not remembered (a write in
 * the same clock tick would keep the same stat data).
 */
export class FileHashCache {
  /** One instance per cache file in this process. */
  public static at(file: string): FileHashCache {
    let c = FileHashCache.byFile.get(file);
    if (!c) FileHashCache.byFile.set(file, c = new FileHashCache(file));
    return c;
  }

  /** The cache under the default cache directory (what synth uses). */
  public static default(): FileHashCache {
    return FileHashCache.at(path.join(defaultCacheDir(), FILE_HASHES));
  }

  private static readonly byFile = new Map<string, FileHashCache>();

  private entries: Map<string, Remembered> | undefined;
  private dirty = false;

  /**
   * @param file where the cache is kept; undefined keeps it in memory only
   * @param racyWindowMs files whose ctime is this recent are not remembered
   */
  constructor(private readonly file?: string, private readonly racyWindowMs = RACY_WINDOW_MS) {}

  public sha256(absPath: string, st: BigIntStats = statSync(absPath, { bigint: true })): string {
    const entries = this.load();
    const key = statKey(st);
    const known = entries.get(absPath);
    if (known && known.key === key) return known.sha256;
    const sha256 = sha256FileSync(absPath);
    const racyAfterNs = BigInt(Date.now() - this.racyWindowMs) * 1_000_000n;
    if (st.mtimeNs < racyAfterNs && st.ctimeNs < racyAfterNs) {
      entries.set(absPath, { key, sha256 });
      this.dirty = true;
    }
    return sha256;
  }

  /** Writes the cache if it changed (temp file + rename; failures only cost time next run). */
  public save(): void {
    if (!this.dirty || !this.file || !this.entries) return;
    const tmp = `${this.file}.tmp-${process.pid}`;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      // Files that are gone (deleted temp contexts) are dropped, so the cache does not grow forever.
      const kept = [...this.entries].filter(([p]) => existsSync(p));
      writeFileSync(tmp, JSON.stringify({ version: 1, files: Object.fromEntries(kept) }));
      renameSync(tmp, this.file);
      this.dirty = false;
    } catch {
      // Only a speed-up: a cache dir that cannot be written (the build reports that itself) must not fail here.
      try {
        rmSync(tmp, { force: true });
      } catch {
        // the directory is not there at all
      }
    }
  }

  private load(): Map<string, Remembered> {
    if (this.entries) return this.entries;
    this.entries = new Map();
    if (!this.file) return this.entries;
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { version?: number; files?: Record<string, Remembered> };
      if (parsed.version === 1 && parsed.files) {
        for (const [p, r] of Object.entries(parsed.files)) {
          if (typeof r?.key === 'string' && /^[0-9a-f]{64}$/.test(r.sha256)) this.entries.set(p, r);
        }
      }
    } catch {
      // missing or damaged: start empty
    }
    return this.entries;
  }
}

export const FILE_HASHES = 'file-hashes.json';

function statKey(st: BigIntStats): string {
  return `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}:${st.dev}`;
}
