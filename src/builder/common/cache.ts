import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpecError } from './errors';
import { sparseDigest, sparseDigestSync } from './sparse-digest';
import { StageName } from '../spec';

export interface CacheFile {
  readonly name: string;
  readonly bytes: number;
  /** The content's digest (sparse-digest.ts: sha256 of the non-zero 1 MiB blocks and the size), hex, recorded when the entry was made. */
  readonly digest: string;
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
/**
 * Touched (mtime set to now) on every lookup hit and creation: the entry's last
 * use for least-recently-used eviction. Filesystem atime is not used: relatime
 * and noatime mounts do not keep it.
 */
export const LAST_USED = 'last-used';
/** Bump when the manifest layout changes: entries of another version are rebuilt, not trusted. */
export const MANIFEST_VERSION = 3;

/** The stat facts that change whenever a file's content is written or replaced. */
interface FileStamp {
  readonly ino: string;
  readonly mtimeNs: string;
  readonly ctimeNs: string;
}

interface ManifestFile extends CacheFile {
  readonly stamp: FileStamp;
}

interface Manifest {
  readonly manifestVersion: number;
  readonly stage: StageName;
  readonly fingerprint: string;
  readonly files: readonly ManifestFile[];
  readonly meta: Readonly<Record<string, unknown>>;
}

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
  /** `stage/fingerprint` of each entry this process has looked up or created: pinned against eviction. */
  private readonly pinned = new Set<string>();
  private pinFile: string | undefined;

  constructor(public readonly dir: string) {}

  public entryDir(stage: StageName, fingerprint: string): string {
    return path.join(this.dir, stage, fingerprint);
  }

  /**
   * The complete entry, or undefined. An entry whose files do not match its
   * manifest (or whose manifest is of another version) is removed.
   *
   * Verification cost: the size is checked on every lookup; the digest only
   * when a file's inode, mtime or ctime differ from those recorded at creation.
   * Any write to the file (even one flipping a byte in place) changes mtime and
   * ctime, and ctime cannot be set back from user space, so an unchanged stamp
   * means unchanged content short of disk-level bit rot, which is the
   * filesystem's job. That keeps a cache hit on a 1 GB disk at a few stat calls
   * instead of a second of hashing. A file that passes a re-hash (e.g. a cache
   * restored by a CI system, with new inodes) gets its stamp refreshed.
   */
  public lookup(stage: StageName, fingerprint: string): CacheEntry | undefined {
    const dir = this.entryDir(stage, fingerprint);
    // Pinned before it is read, so an eviction that starts now sees the pin (see cache-gc.ts).
    this.pin(stage, fingerprint);
    const manifestPath = path.join(dir, MANIFEST);
    if (!existsSync(manifestPath)) return undefined;
    try {
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
      if (manifest.manifestVersion !== MANIFEST_VERSION) throw new Error(`manifest version ${manifest.manifestVersion}`);
      let restamped = false;
      const files = manifest.files.map(f => {
        const file = path.join(dir, f.name);
        if (statSync(file).size !== f.bytes) throw new Error(`${f.name} has the wrong size`);
        const stamp = stampOf(file);
        if (sameStamp(stamp, f.stamp)) return f;
        if (sparseDigestSync(file) !== f.digest) throw new Error(`${f.name} has the wrong digest`);
        restamped = true;
        return { ...f, stamp };
      });
      if (restamped) tryWriteManifest(dir, { ...manifest, files });
      touchLastUsed(dir);
      return { stage: manifest.stage, fingerprint: manifest.fingerprint, files: files.map(publicFile), meta: manifest.meta, dir };
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
    this.pin(stage, fingerprint);
    const tmpDir = path.join(tmpRoot, `${stage}-${fingerprint.slice(0, 16)}-${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(tmpDir);
    try {
      const { files, meta } = await produce(tmpDir);
      const entryFiles: ManifestFile[] = [];
      for (const name of files) {
        // The tools write the files, so the digest costs one extra read of their data (holes are skipped), paid once per build.
        const file = path.join(tmpDir, name);
        fsyncFile(file);
        const digest = await sparseDigest(file);
        entryFiles.push({ name, bytes: statSync(file).size, digest, stamp: stampOf(file) });
      }
      const manifest: Manifest = { manifestVersion: MANIFEST_VERSION, stage, fingerprint, files: entryFiles, meta };
      writeFileSync(path.join(tmpDir, MANIFEST), JSON.stringify(manifest, null, 2));
      fsyncFile(path.join(tmpDir, MANIFEST));
      writeFileSync(path.join(tmpDir, LAST_USED), '');
      const finalDir = this.entryDir(stage, fingerprint);
      mkdirSync(path.dirname(finalDir), { recursive: true });
      rmSync(finalDir, { recursive: true, force: true });
      renameSync(tmpDir, finalDir); // renaming the directory leaves the files' inode, mtime and ctime as stamped
      return { stage, fingerprint, files: entryFiles.map(publicFile), meta, dir: finalDir };
    } finally {
      rmSync(tmpDir, { recursive: true, force: true });
    }
  }

  /** Holds an exclusive lock on a fingerprint while `fn` runs; waits for another holder. */
  public async withLock<T>(stage: StageName, fingerprint: string, fn: () => Promise<T>, onWait?: () => void): Promise<T> {
    let waited = false;
    let release: (() => void) | undefined;
    while (!(release = this.tryLock(stage, fingerprint))) {
      if (!waited) onWait?.();
      waited = true;
      await new Promise(r => setTimeout(r, 500));
    }
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /**
   * The lock `withLock` takes, without waiting: a function that releases it, or
   * undefined while a live process holds it (a dead holder's lock is taken over).
   */
  public tryLock(stage: StageName, fingerprint: string): (() => void) | undefined {
    const lockDir = path.join(this.dir, 'locks');
    this.ensureWritable(lockDir);
    const lockFile = path.join(lockDir, `${stage}-${fingerprint}.lock`);
    for (;;) {
      try {
        const fd = openSync(lockFile, 'wx');
        writeFileSync(fd, String(process.pid));
        closeSync(fd);
        return () => rmSync(lockFile, { force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        if (lockHolderAlive(lockFile)) return undefined;
        rmSync(lockFile, { force: true });
      }
    }
  }

  /** `stage/fingerprint` of the entries live processes (this one too) have pinned: in use, never evicted. */
  public livePins(): Set<string> {
    const pins = new Set<string>(this.pinned);
    const pinDir = path.join(this.dir, PINS);
    if (!existsSync(pinDir)) return pins;
    for (const name of readdirSync(pinDir)) {
      if (!pidAlive(pinPid(name))) continue;
      try {
        for (const key of JSON.parse(readFileSync(path.join(pinDir, name), 'utf8')) as string[]) pins.add(key);
      } catch {
        // being replaced right now: its new content is read by the re-check after the rename
      }
    }
    return pins;
  }

  /** Drops this process's pins (at the end of a build; a dead process's pins are ignored and swept anyway). */
  public releasePins(): void {
    if (this.pinFile) rmSync(this.pinFile, { force: true });
    this.pinFile = undefined;
    this.pinned.clear();
  }

  /** Records that this process uses an entry, in `<dir>/pins/<pid>-<random>.json`, replaced atomically. */
  private pin(stage: StageName, fingerprint: string): void {
    const key = `${stage}/${fingerprint}`;
    if (this.pinned.has(key)) return;
    this.pinned.add(key);
    try {
      const pinDir = path.join(this.dir, PINS);
      mkdirSync(pinDir, { recursive: true });
      this.pinFile ??= path.join(pinDir, `${process.pid}-${randomBytes(4).toString('hex')}.json`);
      const tmp = `${this.pinFile}.tmp`;
      writeFileSync(tmp, JSON.stringify([...this.pinned]));
      renameSync(tmp, this.pinFile);
    } catch {
      // a read-only cache: nobody who cannot write it can evict from it either
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
    const pinDir = path.join(this.dir, PINS);
    if (!existsSync(pinDir)) return;
    for (const name of readdirSync(pinDir)) {
      if (!pidAlive(pinPid(name))) rmSync(path.join(pinDir, name), { force: true });
    }
  }

  private ensureWritable(dir: string): void {
    try {
      mkdirSync(dir, { recursive: true });
      const probe = path.join(dir, `.probe-${process.pid}`);
      writeFileSync(probe, '');
      rmSync(probe);
    } catch (e) {
      // bad input (exit 2): the fix is another --cache-dir, not another try
      throw new SpecError(`cache directory ${this.dir} is not writable (${(e as Error).message}); pass --cache-dir DIR with a writable directory`);
    }
  }
}

/** Folder of the pin files: which entries each running builder uses. */
export const PINS = 'pins';

/** The pid in a pin file's name (`<pid>-<random>.json`); NaN when it is not one. */
function pinPid(name: string): number {
  return Number(name.split('-')[0]);
}

/** Marks an entry as used now; a read-only cache keeps working, its order just does not change. */
function touchLastUsed(dir: string): void {
  const file = path.join(dir, LAST_USED);
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    try {
      writeFileSync(file, '');
    } catch {
      // read-only
    }
  }
}

/** A lock whose pid is not written yet: its holder is between open and write, unless it died there long ago. */
const UNWRITTEN_LOCK_GRACE_MS = 10_000;

function lockHolderAlive(lockFile: string): boolean {
  try {
    const text = readFileSync(lockFile, 'utf8');
    if (text === '') return Date.now() - statSync(lockFile).mtimeMs < UNWRITTEN_LOCK_GRACE_MS;
    const pid = Number(text);
    return Number.isInteger(pid) && pid > 0 && pidAlive(pid);
  } catch {
    return true; // being written or removed right now
  }
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
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

function stampOf(file: string): FileStamp {
  const st = statSync(file, { bigint: true });
  return { ino: String(st.ino), mtimeNs: String(st.mtimeNs), ctimeNs: String(st.ctimeNs) };
}

function sameStamp(a: FileStamp, b: FileStamp | undefined): boolean {
  return b !== undefined && a.ino === b.ino && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

function publicFile(f: ManifestFile): CacheFile {
  return { name: f.name, bytes: f.bytes, digest: f.digest };
}

/** Refreshes the recorded stamps; a read-only cache keeps working, it only re-hashes next time too. */
function tryWriteManifest(dir: string, manifest: Manifest): void {
  const tmp = path.join(dir, `.${MANIFEST}.${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(tmp, JSON.stringify(manifest, null, 2));
    renameSync(tmp, path.join(dir, MANIFEST));
  } catch {
    rmSync(tmp, { force: true });
  }
}
