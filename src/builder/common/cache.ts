import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BuilderError } from './errors';
import { StageName } from '../spec';

export interface CacheFile {
  readonly name: string;
  readonly bytes: number;
}

export interface CacheEntry {
  readonly stage: StageName;
  readonly fingerprint: string;
  readonly dir: string;
  readonly files: readonly CacheFile[];
  /** Stage-specific facts (kernel path, filesystem UUIDs, ...). */
  readonly meta: Readonly<Record<string, unknown>>;
}

const MANIFEST = 'manifest.json';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CDKTF_DOCKER_VM_CACHE_DIR) return env.CDKTF_DOCKER_VM_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'cdktf-docker-vm');
}

/**
 * Content-addressed stage cache: `<dir>/<stage>/<fingerprint>/` holds the
 * artifact files and a manifest. An entry is built in `<dir>/tmp/` and renamed
 * into place only when complete, so a crash or Ctrl-C never leaves a partial
 * entry; a lock keeps two processes from building the same fingerprint.
 */
export class StageCache {
  constructor(public readonly dir: string) {}

  public entryDir(stage: StageName, fingerprint: string): string {
    return path.join(this.dir, stage, fingerprint);
  }

  /** The complete entry, or undefined. An entry whose files do not match its manifest is removed. */
  public lookup(stage: StageName, fingerprint: string): CacheEntry | undefined {
    const dir = this.entryDir(stage, fingerprint);
    const manifestPath = path.join(dir, MANIFEST);
    if (!existsSync(manifestPath)) return undefined;
    try {
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Omit<CacheEntry, 'dir'>;
      for (const f of manifest.files) {
        if (statSync(path.join(dir, f.name)).size !== f.bytes) throw new Error(`${f.name} has the wrong size`);
      }
      return { ...manifest, dir };
    } catch {
      rmSync(dir, { recursive: true, force: true });
      return undefined;
    }
  }

  /**
   * Builds an entry with `produce`, which writes its files into the temp dir it
   * is given and returns their names and stage facts.
   */
  public async create(
    stage: StageName,
    fingerprint: string,
    produce: (tmpDir: string) => Promise<{ files: string[]; meta: Record<string, unknown> }>,
  ): Promise<CacheEntry> {
    const tmpRoot = path.join(this.dir, 'tmp');
    this.ensureWritable(tmpRoot);
    const tmpDir = path.join(tmpRoot, `${stage}-${fingerprint.slice(0, 16)}-${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(tmpDir);
    try {
      const { files, meta } = await produce(tmpDir);
      const entryFiles = files.map(name => ({ name, bytes: statSync(path.join(tmpDir, name)).size }));
      for (const f of entryFiles) fsyncFile(path.join(tmpDir, f.name));
      writeFileSync(path.join(tmpDir, MANIFEST), JSON.stringify({ stage, fingerprint, files: entryFiles, meta }, null, 2));
      fsyncFile(path.join(tmpDir, MANIFEST));
      const finalDir = this.entryDir(stage, fingerprint);
      mkdirSync(path.dirname(finalDir), { recursive: true });
      rmSync(finalDir, { recursive: true, force: true });
      renameSync(tmpDir, finalDir);
      return { stage, fingerprint, files: entryFiles, meta, dir: finalDir };
    } finally {
      rmSync(tmpDir, { recursive: true, force: true });
    }
  }

  /** Holds an exclusive lock on a fingerprint while `fn` runs; waits for another holder. */
  public async withLock<T>(stage: StageName, fingerprint: string, fn: () => Promise<T>, onWait?: () => void): Promise<T> {
    const lockDir = path.join(this.dir, 'locks');
    this.ensureWritable(lockDir);
    const lockFile = path.join(lockDir, `${stage}-${fingerprint}.lock`);
    let waited = false;
    for (;;) {
      try {
        const fd = openSync(lockFile, 'wx');
        writeFileSync(fd, String(process.pid));
        closeSync(fd);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        if (!lockHolderAlive(lockFile)) {
          rmSync(lockFile, { force: true });
          continue;
        }
        if (!waited) onWait?.();
        waited = true;
        await new Promise(r => setTimeout(r, 500));
      }
    }
    try {
      return await fn();
    } finally {
      rmSync(lockFile, { force: true });
    }
  }

  /** Removes temp dirs left by builders that died (their pid is gone). */
  public sweepTemp(): void {
    const tmpRoot = path.join(this.dir, 'tmp');
    if (!existsSync(tmpRoot)) return;
    for (const name of readdirSync(tmpRoot)) {
      const pid = Number(name.split('-').at(-2));
      if (Number.isInteger(pid) && !pidAlive(pid)) rmSync(path.join(tmpRoot, name), { recursive: true, force: true });
    }
  }

  private ensureWritable(dir: string): void {
    try {
      mkdirSync(dir, { recursive: true });
      const probe = path.join(dir, `.probe-${process.pid}`);
      writeFileSync(probe, '');
      rmSync(probe);
    } catch (e) {
      throw new BuilderError(`cache directory ${this.dir} is not writable (${(e as Error).message}); pass --cache-dir DIR with a writable directory`);
    }
  }
}

function lockHolderAlive(lockFile: string): boolean {
  try {
    const pid = Number(readFileSync(lockFile, 'utf8'));
    return Number.isInteger(pid) && pid > 0 && pidAlive(pid);
  } catch {
    return true; // being written right now
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function fsyncFile(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
