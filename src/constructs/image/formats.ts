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
  /**
   * OVF 1.0 package (`.ova`) for VMware ESXi/Workstation and VirtualBox: a tar of
   * the OVF descriptor (2 vCPUs, 1 GiB memory, IDE disk, E1000 NIC), a SHA256
   * manifest and the disk as a streamOptimized VMDK. Not compressed; DigitalOcean
   * does not import it.
   */
  OVA = 'ova',
  /**
   * Vagrant box for the libvirt provider (`.box`): a tar of `metadata.json`, a
   * `Vagrantfile` and the disk as a qcow2 `box.img`. Not compressed; DigitalOcean
   * does not import it.
   */
  VAGRANT_LIBVIRT = 'vagrant-libvirt',
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
