import { closeSync, openSync, readSync } from 'node:fs';
import * as path from 'node:path';
import { TarEntry, entriesByPath } from '../common/tar-index';

/** What the later stages need to know about a rootfs, read from its tar index. */
export interface RootfsFacts {
  /** Kernel path inside the rootfs (no leading '/'), if any. */
  readonly kernel?: string;
  readonly initrd?: string;
  /** Bytes the files need in 4 KiB blocks, hard links counted once. */
  readonly dataBytes: number;
  readonly entries: number;
  /** Newest mtime in the rootfs: the default SOURCE_DATE_EPOCH, which then clamps nothing. */
  readonly newestMtime: number;
  readonly osRelease: Readonly<Record<string, string>>;
}

const BLOCK = 4096;

export function analyzeRootfs(tarFile: string, index: readonly TarEntry[]): RootfsFacts {
  const byPath = entriesByPath(index);
  let dataBytes = 0;
  let newestMtime = 0;
  for (const e of index) {
    newestMtime = Math.max(newestMtime, e.mtime);
    if (e.type === 'file') dataBytes += Math.ceil(e.size / BLOCK) * BLOCK;
    else if (e.type === 'dir') dataBytes += BLOCK;
    else if (e.type === 'symlink' && Buffer.byteLength(e.linkTarget) >= 60) dataBytes += BLOCK;
  }
  const kernelEntry = findKernel(byPath);
  const initrdEntry = kernelEntry ? findInitrd(byPath, kernelEntry) : undefined;
  const osReleaseEntry = resolve(byPath, 'etc/os-release') ?? resolve(byPath, 'usr/lib/os-release');
  return {
    kernel: kernelEntry?.path,
    initrd: initrdEntry?.path,
    dataBytes,
    entries: index.length,
    newestMtime,
    osRelease: osReleaseEntry ? parseOsRelease(readEntry(tarFile, osReleaseEntry).toString('utf8')) : {},
  };
}

/** Follows symlinks (relative or absolute, inside the rootfs) and hard links to the entry holding data. */
export function resolve(byPath: ReadonlyMap<string, TarEntry>, p: string, hops = 0): TarEntry | undefined {
  if (hops > 20) return undefined;
  const resolvedPath = resolveParents(byPath, p, hops);
  const e = resolvedPath === undefined ? undefined : byPath.get(resolvedPath);
  if (!e) return undefined;
  if (e.type === 'symlink') {
    const target = e.linkTarget.startsWith('/') ? e.linkTarget.slice(1) : path.posix.join(path.posix.dirname(e.path), e.linkTarget);
    return resolve(byPath, path.posix.normalize(target).replace(/^\/+/, ''), hops + 1);
  }
  if (e.type === 'hardlink') return resolve(byPath, e.linkTarget.replace(/^(\.\/|\/)+/, ''), hops + 1);
  return e;
}

// Resolves symlinked directories on the way (e.g. /lib -> usr/lib on merged-/usr systems).
function resolveParents(byPath: ReadonlyMap<string, TarEntry>, p: string, hops: number): string | undefined {
  const parts = p.split('/');
  let current = '';
  for (let i = 0; i < parts.length - 1; i++) {
    current = current ? `${current}/${parts[i]}` : parts[i];
    const e = byPath.get(current);
    if (e?.type === 'symlink') {
      const dir = resolve(byPath, current, hops + 1);
      if (!dir) return undefined;
      current = dir.path;
    }
  }
  return current ? `${current}/${parts[parts.length - 1]}` : p;
}

const KERNEL_LINKS = ['vmlinuz', 'boot/vmlinuz', 'boot/vmlinuz-virt', 'boot/vmlinuz-lts'];

function findKernel(byPath: ReadonlyMap<string, TarEntry>): TarEntry | undefined {
  for (const link of KERNEL_LINKS) {
    const e = resolve(byPath, link);
    if (e?.type === 'file' && e.size > 0) return e;
  }
  const versioned = [...byPath.values()]
    .filter(e => /^boot\/vmlinuz-[^/]+$/.test(e.path) || /^(usr\/)?lib\/modules\/[^/]+\/vmlinuz$/.test(e.path))
    .map(e => resolve(byPath, e.path))
    .filter((e): e is TarEntry => e?.type === 'file' && e.size > 0)
    .sort((a, b) => compareVersions(kernelVersion(a.path), kernelVersion(b.path)));
  return versioned.at(-1);
}

function findInitrd(byPath: ReadonlyMap<string, TarEntry>, kernel: TarEntry): TarEntry | undefined {
  const version = kernelVersion(kernel.path);
  const candidates = [
    `boot/initrd.img-${version}`, `boot/initramfs-${version}.img`, `boot/initramfs-${version}`,
    `lib/modules/${version}/initramfs.img`, `usr/lib/modules/${version}/initramfs.img`,
    'initrd.img', 'boot/initrd.img', 'boot/initramfs-virt', 'boot/initramfs-lts',
  ];
  for (const c of candidates) {
    const e = resolve(byPath, c);
    if (e?.type === 'file' && e.size > 0) return e;
  }
  return undefined;
}

function kernelVersion(p: string): string {
  const m = /vmlinuz-(.+)$/.exec(p) ?? /modules\/([^/]+)\/vmlinuz$/.exec(p);
  return m ? m[1] : '';
}

function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

export function readEntry(tarFile: string, entry: TarEntry): Buffer {
  const fd = openSync(tarFile, 'r');
  try {
    const buf = Buffer.alloc(entry.size);
    readSync(fd, buf, 0, entry.size, entry.dataOffset);
    return buf;
  } finally {
    closeSync(fd);
  }
}

export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}
