import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { VIRTIOFS_TAG } from './virtiofs';
import { CacheEntry } from '../common/cache';
import { ToolCall, ToolRunner } from '../common/tools';
import { rootFixupWrites } from '../disk/run';

/** The exported rootfs directory, inside the rootfs stage's cache entry beside rootfs.tar. */
export const EXPORT_DIR = 'virtiofs-root';

export interface ExportPlan {
  /** Where the finished export lives: `<entry>/virtiofs-root`. */
  readonly target: string;
  /** Extraction dir in the cache's tmp dir (swept when its process is gone), renamed to `target` when complete. */
  readonly tmp: string;
  readonly extract: ToolCall;
}

/**
 * Extracting the rootfs tar into a temp dir in the same cache, then renaming
 * it into place, so a half-written export is never seen. As root, tar keeps
 * owners, modes and setuid bits (--same-owner, numeric ids). As another user
 * tar cannot chown: every file becomes the caller's, which virtiofsd in a
 * user namespace shows the guest as root's.
 */
export function planRootfsExport(entry: CacheEntry, cacheDir: string, root: boolean, pid = process.pid, nonce = randomBytes(4).toString('hex')): ExportPlan {
  const tar = path.join(entry.dir, entry.files[0].name);
  const tmp = path.join(cacheDir, 'tmp', `virtiofs-${entry.fingerprint.slice(0, 16)}-${pid}-${nonce}`);
  const owners = root ? ['--same-owner', '--numeric-owner'] : ['--no-same-owner'];
  return {
    target: path.join(entry.dir, EXPORT_DIR),
    tmp,
    extract: { tool: 'tar', args: ['-x', '-p', ...owners, '--xattrs', '--xattrs-include=*', '-f', tar, '-C', tmp] },
  };
}

/** The cached export of a rootfs entry, made once (atomically) and reused while the entry lives. */
export async function exportRootfs(
  entry: CacheEntry, cacheDir: string, tools: ToolRunner, onStep: (message: string) => void, root = process.getuid?.() === 0,
): Promise<string> {
  const plan = planRootfsExport(entry, cacheDir, root);
  if (existsSync(plan.target)) return plan.target;
  onStep(`exporting the rootfs to ${plan.target} for virtiofs${root ? '' : ' (not root: every file will be owned by you)'}`);
  mkdirSync(plan.tmp, { recursive: true });
  try {
    await tools.run({ ...plan.extract, failureHint: `could not extract ${entry.files[0].name} for virtiofs; is there room in ${cacheDir}?` });
    applyExportFixups(plan.tmp, root);
    try {
      renameSync(plan.tmp, plan.target);
    } catch (e) {
      // another preview exported the same entry meanwhile: theirs is as good as ours
      if (!existsSync(plan.target)) throw e;
    }
  } finally {
    rmSync(plan.tmp, { recursive: true, force: true });
  }
  return plan.target;
}

/**
 * The guest writes to its root, so each session boots a private copy of the
 * cached export (a reflink where the filesystem can, else a full copy):
 * the cache stays as built and every boot is a first boot, as with a disk's overlay.
 */
export function planSessionCopy(exported: string, sessionRoot: string): ToolCall {
  return { tool: 'cp', args: ['-a', '--reflink=auto', '--', `${exported}/.`, sessionRoot] };
}

/** There is no block device or partition to grow under a virtiofs root: cloud-init's growpart and resizefs would only warn. */
export const CLOUD_CFG_NO_RESIZE = 'etc/cloud/cloud.cfg.d/90-cdktf-docker-vm-virtiofs.cfg';
const NO_RESIZE = '# cdktf-docker-vm preview --virtiofs: the root is virtiofs, with no disk to grow\ngrowpart:\n  mode: "off"\nresize_rootfs: false\n';

/** The root's fstab: the virtiofs tag, as the kernel command line mounts it. */
export const VIRTIOFS_FSTAB = `${VIRTIOFS_TAG} / virtiofs defaults 0 0\n`;

/**
 * What the disk stage fixes in the filesystem it writes, done to the export:
 * no /.dockerenv (systemd and cloud-init would think they run in a
 * container), an fstab for the virtiofs root, and sane /etc/hosts and
 * /etc/hostname where docker left them empty for its bind mounts, and
 * cloud-init told not to grow a root that has no disk.
 */
export function applyExportFixups(dir: string, root: boolean): void {
  rmSync(path.join(dir, '.dockerenv'), { force: true });
  mkdirSync(path.join(dir, 'etc'), { recursive: true, mode: 0o755 });
  const writes = rootFixupWrites(VIRTIOFS_FSTAB, p => emptyOrMissing(path.join(dir, p)));
  if (existsSync(path.join(dir, 'etc/cloud/cloud.cfg.d'))) writes[CLOUD_CFG_NO_RESIZE] = NO_RESIZE;
  for (const [p, content] of Object.entries(writes)) {
    const file = path.join(dir, p);
    rmSync(file, { force: true }); // a symlink is replaced, never followed out of the export
    writeFileSync(file, content);
    chmodSync(file, 0o644);
    if (root) chownSync(file, 0, 0);
  }
}

function emptyOrMissing(file: string): boolean {
  try {
    const st = lstatSync(file);
    return st.isFile() && st.size === 0;
  } catch {
    return true;
  }
}
