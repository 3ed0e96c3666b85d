/**
 * Partition table of a disk image.
 */
export enum PartitionTable {
  /** MBR (msdos): BIOS boot, disks up to 2 TiB. */
  MBR = 'mbr',
  /** GPT: BIOS boot through a protective MBR, any size. */
  GPT = 'gpt',
}
