import { bootloaderTools, planBootloader } from '../../../src/builder/bootloader/plan';
import { SpecError } from '../../../src/builder/common/errors';
import { BootloaderSpec, FirmwareName, PartitionTableName } from '../../../src/builder/spec';

const UUID = '11111111-2222-4333-8444-555555555555';
const BOOT_OFFSET = 1024 * 1024;

function spec(extraKernelArgs: string[] = [], firmware?: FirmwareName): BootloaderSpec {
  return {
    stage: 'bootloader',
    extraKernelArgs,
    ...(firmware ? { firmware } : {}),
    disk: {
      stage: 'disk',
      rootfs: { stage: 'rootfs', source: { kind: 'image', reference: 'debian:bookworm' } },
      partitionTable: 'mbr',
      bootPartitionMiB: 128,
    },
  };
}

const FILES = { kernel: '/t/vmlinuz-6.1', initrd: '/t/initrd-6.1', syslinuxCfg: '/t/syslinux.cfg' };

describe('planBootloader', () => {
  test.each([
    [[], `root=UUID=${UUID} rw console=tty0 console=ttyS0`],
    [['quiet', 'net.ifnames=0'], `root=UUID=${UUID} rw console=tty0 console=ttyS0 quiet net.ifnames=0`],
  ])('boots the root filesystem by UUID on both consoles with extra args %j', (extra, cmdline) => {
    expect(planBootloader(spec(extra), UUID, 'mbr', '/t/disk.raw', BOOT_OFFSET, FILES).kernelCmdline).toBe(cmdline);
  });

  test('writes a syslinux.cfg that loads the kernel and initrd on the serial console', () => {
    // WHEN
    const plan = planBootloader(spec(['quiet']), UUID, 'mbr', '/t/disk.raw', BOOT_OFFSET, FILES);
    // THEN
    expect(plan.syslinuxCfg.split('\n')).toEqual([
      'SERIAL 0 115200',
      'DEFAULT linux',
      'PROMPT 0',
      'TIMEOUT 0',
      'LABEL linux',
      '  LINUX /vmlinuz',
      '  INITRD /initrd.img',
      `  APPEND root=UUID=${UUID} rw console=tty0 console=ttyS0 quiet`,
      '',
    ]);
  });

  test('leaves out the INITRD line and the initrd copy when the rootfs has no initrd', () => {
    // WHEN
    const plan = planBootloader(spec(), UUID, 'mbr', '/t/disk.raw', BOOT_OFFSET, { kernel: '/t/k', syslinuxCfg: '/t/cfg' });
    // THEN
    expect(plan.syslinuxCfg).not.toContain('INITRD');
    expect(plan.syslinuxCfg).toContain('  LINUX /vmlinuz\n  APPEND ');
    expect(plan.copies).toEqual([{ local: '/t/k', target: 'vmlinuz' }, { local: '/t/cfg', target: 'syslinux.cfg' }]);
    expect(plan.calls[0].args).toEqual(['-o', '-m', '-i', `/t/disk.raw@@${BOOT_OFFSET}`, '/t/k', '/t/cfg', '::/']);
  });

  test.each([
    ['mbr', 'mbr.bin'],
    ['gpt', 'gptmbr.bin'],
  ] as Array<[PartitionTableName, string]>)('uses the %s boot code %s', (table, code) => {
    expect(planBootloader(spec(), UUID, table, '/t/disk.raw', BOOT_OFFSET, FILES).mbrCode).toBe(code);
  });

  test('copies the files into the FAT partition and installs syslinux at its byte offset', () => {
    // WHEN: boot partition at 2 MiB
    const plan = planBootloader(spec(), UUID, 'gpt', '/t/disk.raw', 2097152, FILES);
    // THEN
    expect(plan.copies).toEqual([
      { local: '/t/vmlinuz-6.1', target: 'vmlinuz' },
      { local: '/t/initrd-6.1', target: 'initrd.img' },
      { local: '/t/syslinux.cfg', target: 'syslinux.cfg' },
    ]);
    expect(plan.calls).toEqual([
      { tool: 'mcopy', args: ['-o', '-m', '-i', '/t/disk.raw@@2097152', '/t/vmlinuz-6.1', '/t/initrd-6.1', '/t/syslinux.cfg', '::/'] },
      { tool: 'syslinux', args: ['--install', '--offset', '2097152', '/t/disk.raw'] },
    ]);
  });

  describe('firmware uefi', () => {
    const EFI_FILES = { ...FILES, efi: { loader: '/t/BOOTX64.EFI', ldlinux: '/t/ldlinux.e64' } };
    const IMAGE = `/t/disk.raw@@${BOOT_OFFSET}`;

    test.each([
      ['mbr', 'ef'],
      ['gpt', 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B'],
    ] as Array<[PartitionTableName, string]>)('retypes partition 1 of the %s disk as an EFI System Partition (%s)', (table, type) => {
      // WHEN
      const plan = planBootloader(spec([], 'uefi'), UUID, table, '/t/disk.raw', BOOT_OFFSET, EFI_FILES);
      // THEN
      expect(plan.calls[0]).toEqual({ tool: 'sfdisk', args: ['--quiet', '--no-reread', '--no-tell-kernel', '--part-type', '/t/disk.raw', '1', type] });
    });

    test('puts syslinux.efi, ldlinux.e64 and syslinux.cfg in EFI/BOOT and the kernel and initrd at the root', () => {
      // WHEN
      const plan = planBootloader(spec([], 'uefi'), UUID, 'gpt', '/t/disk.raw', BOOT_OFFSET, EFI_FILES);
      // THEN
      expect(plan.calls.slice(1)).toEqual([
        { tool: 'mcopy', args: ['-o', '-m', '-i', IMAGE, '/t/vmlinuz-6.1', '/t/initrd-6.1', '::/'] },
        { tool: 'mmd', args: ['-i', IMAGE, '::/EFI', '::/EFI/BOOT'] },
        { tool: 'mcopy', args: ['-o', '-m', '-i', IMAGE, '/t/BOOTX64.EFI', '::/EFI/BOOT/BOOTX64.EFI'] },
        { tool: 'mcopy', args: ['-o', '-m', '-i', IMAGE, '/t/ldlinux.e64', '::/EFI/BOOT/ldlinux.e64'] },
        { tool: 'mcopy', args: ['-o', '-m', '-i', IMAGE, '/t/syslinux.cfg', '::/EFI/BOOT/syslinux.cfg'] },
      ]);
      expect(plan.copies.map(c => c.target)).toEqual(['vmlinuz', 'initrd.img', 'EFI/BOOT/BOOTX64.EFI', 'EFI/BOOT/ldlinux.e64', 'EFI/BOOT/syslinux.cfg']);
    });

    test('installs no BIOS syslinux and no MBR boot code', () => {
      // WHEN
      const plan = planBootloader(spec([], 'uefi'), UUID, 'gpt', '/t/disk.raw', BOOT_OFFSET, EFI_FILES);
      // THEN
      expect(plan.mbrCode).toBeUndefined();
      expect(plan.calls.map(c => c.tool)).not.toContain('syslinux');
      expect(bootloaderTools(spec([], 'uefi'))).toEqual(['sfdisk', 'mcopy', 'mmd', 'debugfs', 'fallocate']);
    });

    test('writes the same syslinux.cfg as BIOS, with absolute kernel and initrd paths', () => {
      // WHEN
      const uefi = planBootloader(spec(['quiet'], 'uefi'), UUID, 'gpt', '/t/disk.raw', BOOT_OFFSET, EFI_FILES);
      const bios = planBootloader(spec(['quiet']), UUID, 'gpt', '/t/disk.raw', BOOT_OFFSET, FILES);
      // THEN
      expect(uefi.syslinuxCfg).toBe(bios.syslinuxCfg);
      expect(uefi.syslinuxCfg).toContain('  LINUX /vmlinuz\n  INITRD /initrd.img\n');
    });

    test('an explicit bios plans exactly what an absent firmware plans', () => {
      expect(planBootloader(spec([], 'bios'), UUID, 'mbr', '/t/disk.raw', BOOT_OFFSET, FILES))
        .toEqual(planBootloader(spec([]), UUID, 'mbr', '/t/disk.raw', BOOT_OFFSET, FILES));
    });

    test('an XFS root needs no debugfs: its copies of the kernel and initrd stay', () => {
      const xfs: BootloaderSpec = { ...spec(), disk: { ...spec().disk, rootFilesystem: 'xfs' } };
      expect(bootloaderTools(xfs)).toEqual(['mcopy', 'syslinux']);
      expect(bootloaderTools(spec())).toEqual(['mcopy', 'syslinux', 'debugfs', 'fallocate']);
    });

    test('fails when the firmware is unknown', () => {
      const bad = { ...spec(), firmware: 'efi' } as unknown as BootloaderSpec;
      expect(() => planBootloader(bad, UUID, 'mbr', '/t/disk.raw', BOOT_OFFSET, FILES)).toThrow(SpecError);
      expect(() => bootloaderTools(bad)).toThrow('bootloader firmware "efi" is not supported; use one of bios, uefi');
    });
  });
});
