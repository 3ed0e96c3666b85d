/** The bootloader stage's meta. */
export interface BootloaderMeta {
  readonly kernelCmdline: string;
  /** Kernel path in the rootfs (no leading '/'). */
  readonly kernel: string;
  readonly initrd: string | null;
  /** Present only for UEFI. */
  readonly firmware?: 'uefi';
}
