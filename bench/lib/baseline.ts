import { mkdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { sh } from './measure';

/** Step times of the classic loop-device route, in the order they run. */
export interface BaselineTimes {
  readonly partition: number;
  readonly mkfs: number;
  readonly extract: number;
  readonly bootloader: number;
  readonly unmount: number;
  readonly convertCompress: number;
}

const MIB = 1024 * 1024;
const ROOT_UUID = '5f0b3c52-8f4e-4c3e-9d0a-2b6a3c1e7d11';

/**
 * The route most docker-to-VM guides and scripts take (docker-to-linux,
 * d2vm's syslinux path), scripted faithfully: needs root, a loop device and a
 * mount. Writes `disk.img` (bootable raw) and `disk.qcow2` (qemu-img convert -c)
 * into `dir`.
 */
export function baselineBuild(tar: string, diskBytes: number, dir: string, mbrBin: string): BaselineTimes {
  mkdirSync(dir, { recursive: true });
  const disk = path.join(dir, 'disk.img');
  const mnt = path.join(dir, 'mnt');
  mkdirSync(mnt, { recursive: true });
  rmSync(disk, { force: true });
  let loop: string | undefined;
  let mounted = false;
  try {
    const partition = sh('truncate', ['-s', String(diskBytes), disk]).seconds
      + sh('sfdisk', ['--quiet', disk], { input: 'label: dos\nstart=2048, type=83, bootable\n' }).seconds;
    const attach = sh('losetup', ['-f', '--show', '-o', String(MIB), '--sizelimit', String(diskBytes - MIB), disk]);
    loop = attach.stdout.trim();
    // syslinux 6.04 cannot boot from ext4 with the 64bit feature
    const mkfs = attach.seconds + sh('mkfs.ext4', ['-q', '-F', '-O', '^64bit', '-U', ROOT_UUID, loop]).seconds;
    const mount = sh('mount', [loop, mnt]);
    mounted = true;
    const untar = sh('tar', ['-xpf', tar, '-C', mnt, '--numeric-owner']);
    rmSync(path.join(mnt, '.dockerenv'), { force: true });
    writeFileSync(path.join(mnt, 'etc/fstab'), `UUID=${ROOT_UUID} / ext4 defaults 0 1\n`);
    const extract = mount.seconds + untar.seconds;
    const kernel = '/' + readlinkSync(path.join(mnt, 'vmlinuz')).replace(/^\/+/, '');
    const initrd = '/' + readlinkSync(path.join(mnt, 'initrd.img')).replace(/^\/+/, '');
    mkdirSync(path.join(mnt, 'boot/extlinux'), { recursive: true });
    writeFileSync(path.join(mnt, 'boot/extlinux/extlinux.conf'), [
      'DEFAULT linux', 'PROMPT 0', 'TIMEOUT 0', 'LABEL linux', `  LINUX ${kernel}`, `  INITRD ${initrd}`,
      `  APPEND root=UUID=${ROOT_UUID} rw console=tty0 console=ttyS0`, '',
    ].join('\n'));
    const bootloader = sh('extlinux', ['--install', path.join(mnt, 'boot/extlinux')]).seconds
      + sh('dd', [`if=${mbrBin}`, `of=${disk}`, 'bs=440', 'count=1', 'conv=notrunc', 'status=none']).seconds;
    const unmount = sh('umount', [mnt]).seconds + sh('losetup', ['-d', loop]).seconds;
    mounted = false;
    loop = undefined;
    const convertCompress = sh('qemu-img', ['convert', '-c', '-O', 'qcow2', disk, path.join(dir, 'disk.qcow2')]).seconds;
    return { partition, mkfs, extract, bootloader, unmount, convertCompress };
  } finally {
    if (mounted) sh('umount', ['-l', mnt]);
    if (loop) sh('losetup', ['-d', loop]);
  }
}

/** The floor: mke2fs populating ext4 from the tar, nothing else. */
export function floorBuild(tar: string, fsBytes: number, dir: string): number {
  mkdirSync(dir, { recursive: true });
  const img = path.join(dir, 'floor.img');
  rmSync(img, { force: true });
  sh('truncate', ['-s', '0', img]);
  return sh('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', tar, img, `${Math.floor(fsBytes / 1024)}k`], { env: { ...process.env, LC_ALL: 'C.UTF-8' } }).seconds;
}
