import { createHash } from 'node:crypto';
import { SizeTooSmallError, SpecError } from '../../../src/builder/common/errors';
import { MIB, planDisk, planIds, planLayout, RootfsSizing } from '../../../src/builder/disk/plan';
import { DiskSpec, PartitionTableName } from '../../../src/builder/spec';

const FP = 'a'.repeat(64);

function diskSpec(props: Partial<DiskSpec> = {}): DiskSpec {
  return {
    stage: 'disk',
    rootfs: { stage: 'rootfs', source: { kind: 'image', reference: 'debian:bookworm' } },
    partitionTable: 'mbr',
    bootPartitionMiB: 128,
    ...props,
  };
}

// Worked examples of the formula in planLayout's comment:
//   minimum = data + inodes*256 + journal + ceil(2% data) + 4 MiB, rounded up to 1 MiB
//   auto    = minimum + max(30% data, 256 MiB), rounded up to 64 MiB
// A: 100 MiB, 5000 entries: inodes 16384 (4 MiB), journal 16, 2% = 2 MiB
//    minimum 100+4+16+2+4 = 126 MiB; auto 126+256 = 382 -> 384 MiB
// B: 1000 MiB, 40000 entries: inodes 60000 (15 360 000 B = 14.65 MiB), journal 64, 2% = 20 MiB
//    minimum 1000+14.65+64+20+4 = 1102.65 -> 1103 MiB; auto 1103+300 (30%) = 1403 -> 1408 MiB
// C: 256 MiB exactly, 10 entries: inodes 16384 (4 MiB), journal 64, 2% = 5.12 MiB
//    minimum 256+4+64+5.12+4 = 333.12 -> 334 MiB; auto 334+256 = 590 -> 640 MiB
// D: 255 MiB, 20000 entries: inodes 30000 (7.32 MiB), journal 16, 2% = 5.1 MiB
//    minimum 255+7.32+16+5.1+4 = 287.42 -> 288 MiB; auto 288+256 = 544 -> 576 MiB
const A: RootfsSizing = { dataBytes: 100 * MIB, entries: 5000 };
const B: RootfsSizing = { dataBytes: 1000 * MIB, entries: 40000 };
const C: RootfsSizing = { dataBytes: 256 * MIB, entries: 10 };
const D: RootfsSizing = { dataBytes: 255 * MIB, entries: 20000 };

describe('planLayout', () => {
  test.each([
    ['A (100 MiB)', A, 16384, 16, 126, 384],
    ['B (1000 MiB, 30% free wins)', B, 60000, 64, 1103, 1408],
    ['C (256 MiB, large journal)', C, 16384, 64, 334, 640],
    ['D (255 MiB, small journal)', D, 30000, 16, 288, 576],
  ])('sizes the root filesystem of rootfs %s by the documented formula', (_name, rootfs, inodes, journalMiB, minMiB, autoMiB) => {
    // WHEN
    const layout = planLayout(diskSpec(), rootfs);
    // THEN
    expect(layout.inodes).toBe(inodes);
    expect(layout.journalMiB).toBe(journalMiB);
    expect(layout.minRootBytes).toBe(minMiB * MIB);
    expect(layout.rootBytes).toBe(autoMiB * MIB);
  });

  test.each([
    [0, 16384],
    [10922, 16384], // 16383 -> the minimum
    [10923, 16385], // 16384.5 rounds up
    [40000, 60000],
  ])('gives %i rootfs entries %i inodes', (entries, inodes) => {
    expect(planLayout(diskSpec(), { dataBytes: MIB, entries }).inodes).toBe(inodes);
  });

  test('places the boot partition at 1 MiB and the root partition right after it', () => {
    // WHEN
    const layout = planLayout(diskSpec({ bootPartitionMiB: 200 }), A);
    // THEN
    expect(layout.bootOffsetBytes).toBe(MIB);
    expect(layout.bootBytes).toBe(200 * MIB);
    expect(layout.rootOffsetBytes).toBe(201 * MIB);
    expect(layout.totalBytes).toBe((201 + 384) * MIB);
  });

  test.each([[A], [B], [C], [D]])('aligns every partition to 1 MiB (%#)', (rootfs) => {
    for (const partitionTable of ['mbr', 'gpt'] as PartitionTableName[]) {
      const layout = planLayout(diskSpec({ partitionTable, bootPartitionMiB: 33 }), rootfs);
      for (const n of [layout.bootOffsetBytes, layout.bootBytes, layout.rootOffsetBytes, layout.rootBytes, layout.totalBytes]) {
        expect(n % MIB).toBe(0);
      }
    }
  });

  test('adds 1 MiB at the end of a GPT disk for the backup table', () => {
    // WHEN
    const mbr = planLayout(diskSpec({ partitionTable: 'mbr' }), B);
    const gpt = planLayout(diskSpec({ partitionTable: 'gpt' }), B);
    // THEN
    expect(mbr.totalBytes).toBe((1 + 128 + 1408) * MIB);
    expect(gpt.totalBytes).toBe((1 + 128 + 1408 + 1) * MIB);
    expect(gpt.rootBytes).toBe(mbr.rootBytes);
  });

  test.each([
    ['mbr', 1024, 1024 - 129],
    ['gpt', 1024, 1024 - 130],
    ['mbr', 255, 126], // exactly the minimum: 126 MiB root + 129 MiB overhead
  ] as Array<[PartitionTableName, number, number]>)('accepts an explicit %s size of %i MiB that holds the rootfs', (partitionTable, sizeMiB, rootMiB) => {
    // WHEN
    const layout = planLayout(diskSpec({ partitionTable, sizeMiB }), A);
    // THEN
    expect(layout.totalBytes).toBe(sizeMiB * MIB);
    expect(layout.rootBytes).toBe(rootMiB * MIB);
  });

  test('fails when an explicit size is too small', () => {
    // 126 MiB root filesystem + 1 MiB + 128 MiB boot = 255 MiB
    expect(() => planLayout(diskSpec({ sizeMiB: 254 }), A)).toThrow(SizeTooSmallError);
    expect(() => planLayout(diskSpec({ sizeMiB: 254 }), A)).toThrow(
      'disk size 254 MiB is too small: this rootfs needs a disk of at least 255 MiB (126 MiB for the root filesystem plus 129 MiB for the partition table and boot partition); use --size auto or --size 1G',
    );
  });

  test('fails when an explicit GPT size is too small, naming the size in GiB', () => {
    // 1103 MiB root filesystem + 130 MiB overhead = 1233 MiB = 1.2 GiB
    expect(() => planLayout(diskSpec({ partitionTable: 'gpt', sizeMiB: 1024 }), B)).toThrow(
      /at least 1\.2 GiB \(1233 MiB\).*use --size auto or --size 2G/,
    );
  });

  test('a too small size error exits with the usage code 2', () => {
    try {
      planLayout(diskSpec({ sizeMiB: 100 }), A);
      throw new Error('no error');
    } catch (e) {
      expect((e as SizeTooSmallError).exitCode).toBe(2);
    }
  });
});

describe('planDisk', () => {
  const plan = (props: Partial<DiskSpec> = {}, rootfs = A, fp = FP) => planDisk(diskSpec(props), rootfs, fp, '/tmp/disk.raw', '/tmp/rootfs.tar');

  test('fails when the boot partition is smaller than 32 MiB', () => {
    expect(() => plan({ bootPartitionMiB: 31 })).toThrow(SpecError);
    expect(() => plan({ bootPartitionMiB: 31 })).toThrow(/boot partition size 31 MiB is too small; use at least 32 MiB/);
  });

  test('accepts a 32 MiB boot partition', () => {
    expect(plan({ bootPartitionMiB: 32 }).layout.bootBytes).toBe(32 * MIB);
  });

  test('writes an MBR sfdisk script with a bootable FAT16 partition and a Linux partition', () => {
    // WHEN
    const p = plan();
    // THEN: A is 1 MiB + 128 MiB boot + 384 MiB root, in 512-byte sectors
    expect(p.sfdiskScript.split('\n')).toEqual([
      'label: dos',
      `label-id: 0x${p.ids.diskId}`,
      'unit: sectors',
      '',
      'start=2048, size=262144, type=e, bootable',
      'start=264192, size=786432, type=83',
      '',
    ]);
  });

  test('writes a GPT sfdisk script with GUIDs and the LegacyBIOSBootable attribute', () => {
    // WHEN
    const p = plan({ partitionTable: 'gpt' });
    // THEN
    expect(p.sfdiskScript.split('\n')).toEqual([
      'label: gpt',
      `label-id: ${p.ids.gptDiskGuid.toUpperCase()}`,
      'unit: sectors',
      'first-lba: 2048',
      '',
      `start=2048, size=262144, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, uuid=${p.ids.gptBootGuid.toUpperCase()}, name="boot", attrs="LegacyBIOSBootable"`,
      `start=264192, size=786432, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=${p.ids.gptRootGuid.toUpperCase()}, name="root"`,
      '',
    ]);
  });

  test('mounts the root and boot filesystems by UUID in fstab', () => {
    // WHEN
    const p = plan();
    // THEN
    const serial = p.ids.bootSerial.toUpperCase();
    expect(p.fstab.split('\n')).toEqual([
      '# written by cdktf-docker-vm',
      `UUID=${p.ids.rootUuid} / ext4 defaults,errors=remount-ro 0 1`,
      `UUID=${serial.slice(0, 4)}-${serial.slice(4)} /boot vfat defaults,nofail,umask=0077 0 2`,
      '',
    ]);
  });

  test('writes the root filesystem at its partition offset from the rootfs tar', () => {
    // WHEN
    const { calls, ids } = plan();
    // THEN: root at 129 MiB = 135266304 bytes, 384 MiB = 393216 KiB long
    const args = calls.formatRoot.args;
    expect(calls.formatRoot.tool).toBe('mke2fs');
    expect(args[args.indexOf('-E') + 1]).toBe(`offset=135266304,hash_seed=${ids.rootHashSeed},lazy_itable_init=0,nodiscard`);
    expect(args[args.indexOf('-d') + 1]).toBe('/tmp/rootfs.tar');
    expect(args[args.indexOf('-U') + 1]).toBe(ids.rootUuid);
    expect(args[args.indexOf('-N') + 1]).toBe('16384');
    expect(args[args.indexOf('-J') + 1]).toBe('size=16');
    expect(args.slice(-2)).toEqual(['/tmp/disk.raw', '393216k']);
  });

  test('formats the boot partition as FAT16 at sector 2048 with the derived serial', () => {
    // WHEN
    const { calls, ids } = plan();
    // THEN: 128 MiB = 131072 KiB
    expect(calls.formatBoot).toEqual({
      tool: 'mkfs.fat',
      args: ['--invariant', '-F', '16', '-n', 'BOOT', '-i', ids.bootSerial, '--offset', '2048', '/tmp/disk.raw', '131072'],
    });
    expect(calls.partition.args.at(-1)).toBe('/tmp/disk.raw');
  });
});

describe('planIds', () => {
  test('gives the same ids for the same fingerprint', () => {
    expect(planIds(FP)).toEqual(planIds('a'.repeat(64)));
  });

  test('gives different ids for different fingerprints', () => {
    // WHEN
    const one = planIds(FP);
    const two = planIds('b'.repeat(64));
    // THEN
    for (const key of Object.keys(one) as Array<keyof typeof one>) expect(two[key]).not.toBe(one[key]);
  });

  test('gives each purpose its own id', () => {
    const ids = planIds(FP);
    expect(new Set(Object.values(ids)).size).toBe(Object.keys(ids).length);
  });

  test('derives the root UUID from sha256 of "<fingerprint>:root-fs" as a version 4 UUID', () => {
    // GIVEN
    const b = createHash('sha256').update(`${FP}:root-fs`).digest();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = b.subarray(0, 16).toString('hex');
    // THEN
    expect(planIds(FP).rootUuid).toBe(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`);
    expect(planIds(FP).rootUuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('derives 32-bit hex ids for the FAT serial and the MBR disk id', () => {
    const ids = planIds(FP);
    expect(ids.bootSerial).toBe(createHash('sha256').update(`${FP}:boot-fat-serial`).digest('hex').slice(0, 8));
    expect(ids.diskId).toMatch(/^[0-9a-f]{8}$/);
  });
});
