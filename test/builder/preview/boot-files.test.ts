import { planBootloader } from '../../../src/builder/bootloader/plan';
import { bootPartitionOffset, planBootFileCopies, syslinuxCfgHasInitrd } from '../../../src/builder/preview/boot-files';
import { kernelCmdlineFromSyslinuxCfg } from '../../../src/builder/preview/qemu-args';
import { BootloaderSpec } from '../../../src/builder/spec';

const UUID = '11111111-2222-4333-8444-555555555555';

function sfdisk(partitions: object[]): string {
  return JSON.stringify({ partitiontable: { label: 'dos', unit: 'sectors', sectorsize: 512, partitions } });
}

describe('bootPartitionOffset', () => {
  test('finds the bootable MBR partition', () => {
    // GIVEN
    const dump = sfdisk([
      { node: 'd1', start: 2048, size: 262144, type: 'e', bootable: true },
      { node: 'd2', start: 264192, size: 2000000, type: '83' },
    ]);
    // THEN
    expect(bootPartitionOffset(dump, 'd')).toBe(2048 * 512);
  });

  test('finds the LegacyBIOSBootable GPT partition', () => {
    // GIVEN
    const dump = sfdisk([
      { node: 'd1', start: 4096, size: 262144, type: 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7', attrs: 'LegacyBIOSBootable' },
      { node: 'd2', start: 266240, size: 2000000, type: '0FC63DAF-8483-4772-8E79-3D69D8477DE4' },
    ]);
    // THEN
    expect(bootPartitionOffset(dump, 'd')).toBe(4096 * 512);
  });

  test('fails when no partition is bootable', () => {
    expect(() => bootPartitionOffset(sfdisk([{ node: 'd1', start: 2048, size: 10, type: '83' }]), 'x.img'))
      .toThrow(/x\.img has no bootable partition.*without --direct-kernel/);
  });

  test('fails when the output is not sfdisk JSON', () => {
    expect(() => bootPartitionOffset('sfdisk: cannot open', 'x.img')).toThrow(/cannot read the partition table of x\.img/);
  });
});

describe('reading the bootloader stage back', () => {
  test('takes the same kernel command line and initrd that the bootloader stage wrote', () => {
    // GIVEN
    const spec: BootloaderSpec = {
      stage: 'bootloader',
      extraKernelArgs: ['quiet'],
      disk: { stage: 'disk', rootfs: { stage: 'rootfs', source: { kind: 'image', reference: 'x' } }, partitionTable: 'mbr', bootPartitionMiB: 128 },
    };
    const written = planBootloader(spec, UUID, 'mbr', '/t/disk.raw', 1048576, { kernel: '/t/k', initrd: '/t/i', syslinuxCfg: '/t/c' });
    // THEN
    expect(kernelCmdlineFromSyslinuxCfg(written.syslinuxCfg)).toBe(written.kernelCmdline);
    expect(syslinuxCfgHasInitrd(written.syslinuxCfg)).toBe(true);
    const names = planBootFileCopies('/w/disk.raw', 1048576, '/w/boot').calls.map(c => c.args[3]);
    expect(names).toEqual(expect.arrayContaining(written.copies.filter(c => c.target !== 'initrd.img').map(c => `::/${c.target}`)));
  });

  test('knows when the bootloader stage wrote no initrd', () => {
    // GIVEN
    const spec: BootloaderSpec = {
      stage: 'bootloader',
      extraKernelArgs: [],
      disk: { stage: 'disk', rootfs: { stage: 'rootfs', source: { kind: 'image', reference: 'x' } }, partitionTable: 'mbr', bootPartitionMiB: 128 },
    };
    const written = planBootloader(spec, UUID, 'mbr', '/t/disk.raw', 1048576, { kernel: '/t/k', syslinuxCfg: '/t/c' });
    // THEN
    expect(syslinuxCfgHasInitrd(written.syslinuxCfg)).toBe(false);
  });

  test('reads from the FAT partition at its offset with mcopy', () => {
    // WHEN
    const copies = planBootFileCopies('/w/disk.raw', 1048576, '/w/boot');
    // THEN
    expect(copies.calls[0]).toEqual({ tool: 'mcopy', args: ['-n', '-i', '/w/disk.raw@@1048576', '::/vmlinuz', '/w/boot/vmlinuz'] });
  });
});
