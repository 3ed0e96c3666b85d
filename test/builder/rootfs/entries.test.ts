import { closeSync, openSync, readSync } from 'node:fs';
import { StageInput } from '../../../src/builder/common/stage-definition';
import { indexTar } from '../../../src/builder/common/tar-index';
import { recordEntries, recordedEntries, requiredEntry } from '../../../src/builder/rootfs/entries';
import type { RootfsMeta } from '../../../src/builder/rootfs/meta';
import { tempDir, writeTar } from '../support/tar';

function readAt(file: string, offset: number, size: number): string {
  const buf = Buffer.alloc(size);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, size, offset);
  } finally {
    closeSync(fd);
  }
  return buf.toString('utf8');
}

const tmp = tempDir('entries-test-');
afterAll(() => tmp.cleanup());
let n = 0;
function tarOf(entries: Parameters<typeof writeTar>[1]): string {
  const file = `${tmp.dir}/t${n++}.tar`;
  writeTar(file, entries);
  return file;
}

describe('recordEntries', () => {
  test('records the fixup paths that exist and the kernel and initrd with their data offsets', () => {
    // GIVEN
    const tar = tarOf([
      { path: '.dockerenv' },
      { path: 'etc', type: 'dir' },
      { path: 'etc/hosts' },
      { path: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' },
      { path: 'boot', type: 'dir' },
      { path: 'boot/vmlinuz-6.1', content: 'KERNEL' },
      { path: 'boot/initrd.img-6.1', content: 'INITRD!' },
    ]);
    // WHEN
    const entries = recordEntries(indexTar(tar), { kernel: 'boot/vmlinuz-6.1', initrd: 'boot/initrd.img-6.1' });
    // THEN
    expect(Object.keys(entries).sort()).toEqual(['.dockerenv', 'boot/initrd.img-6.1', 'boot/vmlinuz-6.1', 'etc', 'etc/hosts']);
    expect(entries['etc/hosts']).toMatchObject({ type: 'file', size: 0 });
    expect(entries.etc.type).toBe('dir');
    const kernel = entries['boot/vmlinuz-6.1'];
    expect(readAt(tar, kernel.dataOffset, kernel.size)).toBe('KERNEL');
    const initrd = entries['boot/initrd.img-6.1'];
    expect(readAt(tar, initrd.dataOffset, initrd.size)).toBe('INITRD!');
  });

  test('records nothing for a rootfs without the paths', () => {
    const tar = tarOf([{ path: 'bin', type: 'dir' }, { path: 'bin/sh', content: '#!' }]);
    expect(recordEntries(indexTar(tar), {})).toEqual({});
  });
});

describe('recordedEntries', () => {
  const entry = (meta: Record<string, unknown>): StageInput<RootfsMeta> => ({
    entry: { stage: 'rootfs', fingerprint: 'f', dir: '/cache/rootfs/f', files: [], meta },
    artifact: '/cache/rootfs/f/rootfs.tar',
    meta: meta as unknown as RootfsMeta,
  });

  test('fails when a rootfs cache entry has no recorded entries, saying to rebuild it', () => {
    expect(() => recordedEntries(entry({}))).toThrow(/\/cache\/rootfs\/f has no recorded entries; remove it and build again/);
  });

  test('fails when the kernel is not recorded', () => {
    const e = entry({ tarEntries: {} });
    expect(() => requiredEntry(recordedEntries(e), 'boot/vmlinuz', e)).toThrow(/does not record \/boot\/vmlinuz/);
  });
});
