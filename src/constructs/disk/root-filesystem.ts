/**
 * Root filesystem of a disk image.
 */
export enum RootFilesystem {
  /** ext4, written by mke2fs -d from the rootfs tar: owners, modes, hard links, times and xattrs kept. */
  EXT4 = 'ext4',
  /**
   * XFS, written by mkfs.xfs -p (xfsprogs) from a protofile made from the rootfs tar:
   * owners, modes (setuid, setgid, sticky), symlinks and device nodes kept; hard links
   * become separate copies, every file time is the build's, no extended attributes.
   * Not importable by DigitalOcean (ext3/ext4 only).
   */
  XFS = 'xfs',
}
