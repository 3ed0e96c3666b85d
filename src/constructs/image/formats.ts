/**
 * File format of a VM image.
 */
export enum DiskFormat {
  /** Raw disk (`.img`): largest file, runs anywhere. */
  RAW = 'raw',
  /** QEMU copy-on-write v2 (`.qcow2`): sparse, the usual choice for QEMU/KVM and DigitalOcean. */
  QCOW2 = 'qcow2',
  /** VMware (`.vmdk`). */
  VMDK = 'vmdk',
  /** Hyper-V (`.vhdx`). */
  VHDX = 'vhdx',
  /** VirtualBox (`.vdi`). */
  VDI = 'vdi',
  /** Virtual PC / Azure (`.vhd`). DigitalOcean does not import it. */
  VHD = 'vhd',
}

/**
 * Compression of a VM image file.
 */
export enum Compression {
  /** Not compressed. */
  NONE = 'none',
  /** gzip (`.gz`). */
  GZIP = 'gzip',
  /** bzip2 (`.bz2`): smaller, slower. */
  BZIP2 = 'bzip2',
}
