import { SpecError } from '../common/errors';
import { ToolCall } from '../common/tools';
import { BootloaderSpec, FIRMWARES, FirmwareName, PartitionTableName } from '../spec';

export const SYSLINUX_DIRS = ['/usr/lib/syslinux', '/usr/share/syslinux', '/usr/lib/SYSLINUX'];

/** Where distributions keep syslinux's 64-bit EFI loader (Debian: syslinux-efi; Fedora: syslinux-efi64). */
export const SYSLINUX_EFI_DIRS = ['/usr/lib/SYSLINUX.EFI/efi64', '/usr/share/syslinux/efi64'];
/** Where distributions keep ldlinux.e64, the core module syslinux.efi loads (Debian: syslinux-common). */
export const LDLINUX_E64_DIRS = ['/usr/lib/syslinux/modules/efi64', '/usr/lib/SYSLINUX.EFI/efi64', '/usr/share/syslinux/efi64'];

/** Partition type of an EFI System Partition, per partition table. */
export const EFI_SYSTEM_PARTITION_TYPE: Readonly<Record<PartitionTableName, string>> = {
  mbr: 'ef',
  gpt: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
};

/** The removable-media path UEFI firmware boots when it has no boot entry (x86-64). */
export const EFI_BOOT_DIR = 'EFI/BOOT';

export interface BootloaderPlan {
  readonly firmware: FirmwareName;
  readonly kernelCmdline: string;
  readonly syslinuxCfg: string;
  /** Files copied into the FAT boot partition: local path -> path in the partition. */
  readonly copies: ReadonlyArray<{ readonly local: string; readonly target: string }>;
  readonly calls: readonly ToolCall[];
  /** MBR boot code file name (first 440 bytes of the disk); absent for UEFI, which needs none. */
  readonly mbrCode?: 'mbr.bin' | 'gptmbr.bin';
}

export interface BootFiles {
  readonly kernel: string;
  readonly initrd?: string;
  readonly syslinuxCfg: string;
  /** UEFI only: local copies of syslinux.efi and ldlinux.e64. */
  readonly efi?: { readonly loader: string; readonly ldlinux: string };
}

/** The firmware a spec asks for (absent: bios); fails on a value this builder does not know. */
export function firmwareOf(spec: BootloaderSpec): FirmwareName {
  const firmware = spec.firmware ?? 'bios';
  if (!(FIRMWARES as readonly string[]).includes(firmware)) {
    throw new SpecError(`bootloader firmware ${JSON.stringify(firmware)} is not supported; use one of ${FIRMWARES.join(', ')}`);
  }
  return firmware;
}

/** Host tools the bootloader stage runs for this spec. */
export function bootloaderTools(spec: BootloaderSpec): string[] {
  const firmwareTools = firmwareOf(spec) === 'uefi' ? ['sfdisk', 'mcopy', 'mmd'] : ['mcopy', 'syslinux'];
  // ext4: the root's copies of the kernel and initrd are removed (shadowed-copies.ts)
  return spec.disk.rootFilesystem === 'xfs' ? firmwareTools : [...firmwareTools, 'debugfs', 'fallocate'];
}

/**
 * BIOS: syslinux installed through mtools and its MBR boot code. UEFI: syslinux.efi
 * as EFI/BOOT/BOOTX64.EFI with ldlinux.e64 and syslinux.cfg beside it, the boot
 * partition retyped as an EFI System Partition. No mount, no loop device either way.
 */
export function planBootloader(
  spec: BootloaderSpec, rootUuid: string, partitionTable: PartitionTableName,
  diskFile: string, bootOffsetBytes: number, files: BootFiles,
): BootloaderPlan {
  const firmware = firmwareOf(spec);
  // rootfstype: the initramfs then loads xfs.ko before mounting, instead of probing
  const rootFsType = spec.disk.rootFilesystem === 'xfs' ? ['rootfstype=xfs'] : [];
  const kernelCmdline = [`root=UUID=${rootUuid}`, ...rootFsType, 'rw', 'console=tty0', 'console=ttyS0', ...spec.extraKernelArgs].join(' ');
  // Absolute paths: EFI syslinux reads its config from EFI/BOOT but resolves /vmlinuz from the partition's root.
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
  const kernelCopies = [
    { local: files.kernel, target: 'vmlinuz' },
    ...(files.initrd ? [{ local: files.initrd, target: 'initrd.img' }] : []),
  ];
  if (firmware === 'bios') {
    const copies = [...kernelCopies, { local: files.syslinuxCfg, target: 'syslinux.cfg' }];
    return {
      firmware,
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
  if (!files.efi) throw new Error('planBootloader: UEFI needs the EFI loader files (this is a bug)');
  const efiCopies = [
    { local: files.efi.loader, target: `${EFI_BOOT_DIR}/BOOTX64.EFI` },
    { local: files.efi.ldlinux, target: `${EFI_BOOT_DIR}/ldlinux.e64` },
    { local: files.syslinuxCfg, target: `${EFI_BOOT_DIR}/syslinux.cfg` },
  ];
  return {
    firmware,
    kernelCmdline,
    syslinuxCfg,
    copies: [...kernelCopies, ...efiCopies],
    calls: [
      // partition 1 becomes an EFI System Partition; sfdisk rewrites the table deterministically and keeps GPT's protective MBR
      { tool: 'sfdisk', args: ['--quiet', '--no-reread', '--no-tell-kernel', '--part-type', diskFile, '1', EFI_SYSTEM_PARTITION_TYPE[partitionTable]] },
      { tool: 'mcopy', args: ['-o', '-m', '-i', image, ...kernelCopies.map(c => c.local), '::/'] },
      { tool: 'mmd', args: ['-i', image, '::/EFI', `::/${EFI_BOOT_DIR}`] },
      ...efiCopies.map(c => ({ tool: 'mcopy', args: ['-o', '-m', '-i', image, c.local, `::/${c.target}`] })),
    ],
  };
}
