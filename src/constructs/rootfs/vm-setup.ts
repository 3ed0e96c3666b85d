/**
 * What the builder may add to an image that lacks the parts a VM needs.
 */
export enum Inject {
  /** Add only what is missing (kernel, init; with the DigitalOcean profile also DHCP, cloud-init, sshd). */
  AUTO = 'auto',
  /** Add nothing: the image must already boot. A missing kernel fails the build. */
  NEVER = 'never',
  /** Install every part of the profile with the distribution's package manager, even when present. */
  ALWAYS = 'always',
}

/**
 * Where the VM will run, which decides the parts it needs and the clean-up it gets.
 */
export enum VmProfile {
  /** A local VM: a kernel and an init system. */
  GENERIC = 'generic',
  /**
   * A DigitalOcean Droplet: also cloud-init (ConfigDrive before NoCloud), DHCP networking, an SSH
   * server with keys only, a locked root password, no SSH host keys, an empty machine-id, and
   * the root filesystem grown to the Droplet's disk at first boot.
   */
  DIGITALOCEAN = 'digitalocean',
}
