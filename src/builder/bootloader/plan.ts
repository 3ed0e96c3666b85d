import { ToolCall } from '../common/tools';
import { BootloaderSpec, PartitionTableName } from '../spec';

export const SYSLINUX_DIRS = ['/usr/lib/syslinux', '/usr/share/syslinux', '/usr/lib/SYSLINUX'];

export interface BootloaderPlan {
  readonly kernelCmdline: string;
  readonly syslinuxCfg: string;
  /** Files copied into the FAT boot partition: local path -> name in the partition. */
  readonly copies: ReadonlyArray<{ readonly local: string; readonly target: string }>;
  readonly calls: readonly ToolCall[];
  /** MBR boot code file name (first 440 bytes of the disk). */
  readonly mbrCode: 'mbr.bin' | 'gptmbr.bin';
}

export interface BootFiles {
  readonly kernel: string;
  readonly initrd?: string;
  readonly syslinuxCfg: string;
}

/** BIOS boot with syslinux installed through mtools: no mount, no loop device. */
export function planBootloader(
  spec: BootloaderSpec, rootUuid: string, partitionTable: PartitionTableName,
  diskFile: string, bootOffsetBytes: number, files: BootFiles,
): BootloaderPlan {
  const kernelCmdline = [`root=UUID=${rootUuid}`, 'rw', 'console=tty0', 'console=ttyS0', ...spec.extraKernelArgs].join(' ');
  const syslinuxCfg = [
    'SERIAL 0 115200',
    'DEFAULT linux',
    'PROMPT 0',
    'TIMEOUT 0',
    'LABEL linux',
    '  LINUX /vmlinuz',
    ...(files.initrd ? ['  INITRD /initrd.img'] : []),
    `  APPEND ${kernelCmdline}`,
    '',
  ].join('\n');
  const image = `${diskFile}@@${bootOffsetBytes}`;
  const copies = [
    { local: files.kernel, target: 'vmlinuz' },
    ...(files.initrd ? [{ local: files.initrd, target: 'initrd.img' }] : []),
    { local: files.syslinuxCfg, target: 'syslinux.cfg' },
  ];
  return {
    kernelCmdline,
    syslinuxCfg,
    copies,
    mbrCode: partitionTable === 'gpt' ? 'gptmbr.bin' : 'mbr.bin',
    calls: [
      { tool: 'mcopy', args: ['-o', '-m', '-i', image, ...copies.map(c => c.local), '::/'] },
      { tool: 'syslinux', args: ['--install', '--offset', String(bootOffsetBytes), diskFile] },
    ],
  };
}
