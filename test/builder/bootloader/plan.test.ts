import { planBootloader } from '../../../src/builder/bootloader/plan';
import { BootloaderSpec, PartitionTableName } from '../../../src/builder/spec';

const UUID = '11111111-2222-4333-8444-555555555555';
const BOOT_OFFSET = 1024 * 1024;

function spec(extraKernelArgs: string[] = []): BootloaderSpec {
  return {
    stage: 'bootloader',
    extraKernelArgs,
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
});
