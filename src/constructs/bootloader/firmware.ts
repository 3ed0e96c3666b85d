/**
 * Firmware a disk image boots with.
 */
export enum Firmware {
  /** BIOS: syslinux in the FAT boot partition and its MBR boot code. The only firmware DigitalOcean boots. */
  BIOS = 'bios',
  /** UEFI: syslinux.efi as EFI/BOOT/BOOTX64.EFI on an EFI System Partition; no MBR boot code. Not for DigitalOcean. */
  UEFI = 'uefi',
}
