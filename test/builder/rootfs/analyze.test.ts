import * as path from 'node:path';
import { TarEntry, indexTar } from '../../../src/builder/common/tar-index';
import { analyzeRootfs, parseOsRelease, resolve } from '../../../src/builder/rootfs/analyze';
import { tempDir, writeTar } from '../support/tar';

const NO_TAR = '/nonexistent/never-read.tar';

let offset = 0;
function e(p: string, type: TarEntry['type'], props: Partial<TarEntry> = {}): TarEntry {
  offset += 1024;
  return { path: p, type, size: type === 'file' ? 1000 : 0, mode: 0o644, linkTarget: '', mtime: 1_700_000_000, dataOffset: offset, ...props };
}
const file = (p: string, props: Partial<TarEntry> = {}) => e(p, 'file', props);
const dir = (p: string) => e(p, 'dir');
const link = (p: string, target: string) => e(p, 'symlink', { linkTarget: target });
const byPath = (entries: TarEntry[]) => new Map(entries.map(x => [x.path, x]));

describe('analyzeRootfs kernel detection', () => {
  test.each([
    ['Debian (root symlinks into /boot)', [
      dir('boot'),
      file('boot/vmlinuz-6.1.0-18-amd64'),
      file('boot/initrd.img-6.1.0-18-amd64'),
      link('vmlinuz', 'boot/vmlinuz-6.1.0-18-amd64'),
      link('initrd.img', 'boot/initrd.img-6.1.0-18-amd64'),
    ], 'boot/vmlinuz-6.1.0-18-amd64', 'boot/initrd.img-6.1.0-18-amd64'],
    ['Alpine (vmlinuz-virt + initramfs-virt)', [
      dir('boot'),
      file('boot/vmlinuz-virt'),
      file('boot/initramfs-virt'),
      file('boot/config-6.6.1-0-virt'),
    ], 'boot/vmlinuz-virt', 'boot/initramfs-virt'],
    ['Fedora (kernel under modules, merged /usr)', [
      link('lib', 'usr/lib'),
      dir('usr'),
      dir('usr/lib'),
      dir('usr/lib/modules'),
      dir('usr/lib/modules/6.5.6-300.fc39.x86_64'),
      file('usr/lib/modules/6.5.6-300.fc39.x86_64/vmlinuz'),
      dir('boot'),
      file('boot/initramfs-6.5.6-300.fc39.x86_64.img'),
    ], 'usr/lib/modules/6.5.6-300.fc39.x86_64/vmlinuz', 'boot/initramfs-6.5.6-300.fc39.x86_64.img'],
    ['two versioned kernels (numeric order: -10 is newer than -9)', [
      dir('boot'),
      file('boot/vmlinuz-6.1.0-9-amd64'),
      file('boot/initrd.img-6.1.0-9-amd64'),
      file('boot/vmlinuz-6.1.0-10-amd64'),
      file('boot/initrd.img-6.1.0-10-amd64'),
    ], 'boot/vmlinuz-6.1.0-10-amd64', 'boot/initrd.img-6.1.0-10-amd64'],
    ['a kernel without an initrd', [
      file('boot/vmlinuz-6.1.0-9-amd64'),
    ], 'boot/vmlinuz-6.1.0-9-amd64', undefined],
    ['a dangling vmlinuz symlink and an empty kernel file next to a real one', [
      link('vmlinuz', 'boot/vmlinuz-gone'),
      file('boot/vmlinuz-6.2.0-1', { size: 0 }),
      file('boot/vmlinuz-6.1.0-1'),
    ], 'boot/vmlinuz-6.1.0-1', undefined],
  ])('finds the kernel and initrd of %s', (_name, entries, kernel, initrd) => {
    // WHEN
    const facts = analyzeRootfs(NO_TAR, entries);
    // THEN
    expect(facts.kernel).toBe(kernel);
    expect(facts.initrd).toBe(initrd);
  });

  test('reports no kernel and no initrd for a rootfs without a kernel', () => {
    // WHEN
    const facts = analyzeRootfs(NO_TAR, [dir('etc'), file('etc/hostname'), file('boot/initrd.img-6.1'), link('vmlinuz', 'nowhere')]);
    // THEN
    expect(facts.kernel).toBeUndefined();
    expect(facts.initrd).toBeUndefined();
  });
});

describe('analyzeRootfs sizing', () => {
  test('counts file data, directories and long symlinks in 4 KiB blocks, hard links once', () => {
    // GIVEN
    const entries = [
      dir('etc'), // 4096
      file('etc/a', { size: 1 }), // 4096
      file('etc/b', { size: 4097 }), // 8192
      file('etc/empty', { size: 0 }), // 0
      e('etc/a-again', 'hardlink', { linkTarget: 'etc/a' }), // 0
      link('etc/short', 'a'), // 0: fits in the inode
      link('etc/long', 'x'.repeat(60)), // 4096
      link('etc/almost', 'x'.repeat(59)), // 0
    ];
    // WHEN
    const facts = analyzeRootfs(NO_TAR, entries);
    // THEN
    expect(facts.dataBytes).toBe(4096 + 4096 + 8192 + 4096);
    expect(facts.entries).toBe(8);
  });

  test('reports the newest mtime', () => {
    const facts = analyzeRootfs(NO_TAR, [file('a', { mtime: 5 }), file('b', { mtime: 1_800_000_000 }), file('c', { mtime: 7 })]);
    expect(facts.newestMtime).toBe(1_800_000_000);
  });
});

describe('analyzeRootfs os-release', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => { tmp = tempDir(); });
  afterEach(() => tmp.cleanup());

  test('reads os-release through the etc/os-release symlink from the tar', () => {
    // GIVEN: Debian's layout, /etc/os-release -> ../usr/lib/os-release
    const tar = path.join(tmp.dir, 'rootfs.tar');
    writeTar(tar, [
      { path: 'etc', type: 'dir' },
      { path: 'etc/os-release', type: 'symlink', linkTarget: '../usr/lib/os-release' },
      { path: 'usr', type: 'dir' },
      { path: 'usr/lib', type: 'dir' },
      { path: 'usr/lib/os-release', content: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n' },
    ]);
    // WHEN
    const facts = analyzeRootfs(tar, indexTar(tar));
    // THEN
    expect(facts.osRelease).toEqual({ PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)', ID: 'debian', VERSION_ID: '12' });
  });

  test('falls back to usr/lib/os-release and to {} when there is none', () => {
    // GIVEN
    const tar = path.join(tmp.dir, 'rootfs.tar');
    writeTar(tar, [{ path: 'usr/lib/os-release', content: 'ID=alpine\n' }]);
    // THEN
    expect(analyzeRootfs(tar, indexTar(tar)).osRelease).toEqual({ ID: 'alpine' });
    expect(analyzeRootfs(NO_TAR, [file('etc/hostname')]).osRelease).toEqual({});
  });
});

describe('parseOsRelease', () => {
  test('strips matching double or single quotes and skips comments and blank lines', () => {
    // GIVEN
    const text = [
      '# a comment',
      'NAME="Fedora Linux"',
      "VERSION='39 (Container Image)'",
      'ID=fedora',
      '',
      '  ID_LIKE="rhel centos"  ',
      'MIXED="not closed\'',
      'EMPTY=',
      'lower=ignored',
    ].join('\n');
    // THEN
    expect(parseOsRelease(text)).toEqual({
      NAME: 'Fedora Linux',
      VERSION: '39 (Container Image)',
      ID: 'fedora',
      ID_LIKE: 'rhel centos',
      MIXED: '"not closed\'',
      EMPTY: '',
    });
  });
});

describe('resolve', () => {
  test.each([
    ['a relative symlink', [link('vmlinuz', 'boot/k'), file('boot/k')], 'vmlinuz', 'boot/k'],
    ['an absolute symlink', [link('vmlinuz', '/boot/k'), file('boot/k')], 'vmlinuz', 'boot/k'],
    ['a symlink with ..', [link('etc/os-release', '../usr/lib/os-release'), file('usr/lib/os-release')], 'etc/os-release', 'usr/lib/os-release'],
    ['a chain of symlinks', [link('a', 'b'), link('b', 'c'), file('c')], 'a', 'c'],
    ['a hard link', [e('x', 'hardlink', { linkTarget: './boot/k' }), file('boot/k')], 'x', 'boot/k'],
    ['a symlinked parent directory', [link('lib', 'usr/lib'), dir('usr/lib'), file('usr/lib/modules/6/vmlinuz')], 'lib/modules/6/vmlinuz', 'usr/lib/modules/6/vmlinuz'],
  ])('follows %s', (_name, entries, p, target) => {
    expect(resolve(byPath(entries), p)?.path).toBe(target);
  });

  test.each([
    ['a missing path', [file('a')], 'b'],
    ['a dangling symlink', [link('a', 'gone')], 'a'],
    ['a symlink loop', [link('a', 'b'), link('b', 'a')], 'a'],
  ])('gives undefined for %s', (_name, entries, p) => {
    expect(resolve(byPath(entries), p)).toBeUndefined();
  });
});
