import { Component, InitSystem } from './components';
import { DistroFamily } from './distro';

/** How one distro family installs and switches on each VM part. */
export interface FamilyRecipe {
  readonly family: DistroFamily;
  readonly packageManager: 'apt' | 'apk' | 'dnf';
  /** The init the family gets when it has none. */
  readonly init: InitSystem;
  readonly packages: Readonly<Record<Component, readonly string[]>>;
  /** Shell lines that install the packages (all arguments are ours, never the user's). */
  readonly install: (packages: readonly string[]) => string[];
  /** Shell lines that make a part work once installed (services on, initramfs made...). */
  readonly enable: Readonly<Partial<Record<Component, readonly string[]>>>;
  /** The SSH daemon's service name, enabled for the DigitalOcean profile. */
  readonly sshService: string;
}

const aptRecipe = (family: 'debian' | 'ubuntu'): FamilyRecipe => ({
  family,
  packageManager: 'apt',
  init: 'systemd',
  packages: {
    'kernel': family === 'debian' ? ['linux-image-amd64'] : ['linux-image-virtual'],
    'init': ['systemd-sysv'],
    // systemd-networkd is part of systemd; resolved gives DNS from DHCP.
    'dhcp': ['systemd-resolved'],
    // growpart (cloud-guest-utils) uses sfdisk for MBR and sgdisk for GPT; resize2fs is in e2fsprogs.
    'cloud-init': ['cloud-init', 'cloud-guest-utils', 'fdisk', 'gdisk', 'e2fsprogs'],
    'sshd': ['openssh-server'],
  },
  install: packages => [
    'export DEBIAN_FRONTEND=noninteractive',
    'apt-get update',
    `apt-get install -y --no-install-recommends ${packages.join(' ')}`,
    'apt-get clean',
    'rm -rf /var/lib/apt/lists/*',
  ],
  enable: {
    dhcp: ['systemctl enable systemd-networkd.service systemd-resolved.service'],
  },
  sshService: 'ssh',
});

const alpineRecipe: FamilyRecipe = {
  family: 'alpine',
  packageManager: 'apk',
  init: 'openrc',
  packages: {
    'kernel': ['linux-virt'],
    'init': ['openrc', 'busybox-openrc', 'busybox-mdev-openrc'],
    'dhcp': ['ifupdown-ng'],
    'cloud-init': ['cloud-init', 'cloud-utils-growpart', 'e2fsprogs-extra', 'sfdisk', 'sgdisk'],
    'sshd': ['openssh-server'],
  },
  install: packages => [`apk add --no-cache ${packages.join(' ')}`],
  enable: {
    'init': [
      'for s in devfs dmesg mdev hwdrivers; do rc-update add $s sysinit; done',
      'for s in modules sysctl hostname bootmisc syslog; do rc-update add $s boot; done',
      'for s in mount-ro killprocs savecache; do rc-update add $s shutdown; done',
      'grep -q "^ttyS0" /etc/inittab || echo "ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100" >> /etc/inittab',
    ],
    'dhcp': ['rc-update add networking boot'],
    'cloud-init': ['setup-cloud-init'],
  },
  sshService: 'sshd',
};

const dnfRecipe: FamilyRecipe = {
  family: 'fedora',
  packageManager: 'dnf',
  init: 'systemd',
  packages: {
    'kernel': ['kernel-core', 'dracut'],
    'init': ['systemd'],
    'dhcp': ['NetworkManager'],
    'cloud-init': ['cloud-init', 'cloud-utils-growpart', 'e2fsprogs', 'util-linux', 'gdisk'],
    'sshd': ['openssh-server'],
  },
  install: packages => [
    `dnf install -y --setopt=install_weak_deps=False ${packages.join(' ')}`,
    'dnf clean all',
  ],
  enable: {
    // In a container the kernel's scriptlets may skip the initramfs or leave vmlinuz under /lib/modules.
    kernel: [
      'for kver in $(ls /lib/modules); do',
      '  [ -e "/boot/vmlinuz-$kver" ] || cp "/lib/modules/$kver/vmlinuz" "/boot/vmlinuz-$kver"',
      '  [ -e "/boot/initramfs-$kver.img" ] || dracut --no-hostonly --force "/boot/initramfs-$kver.img" "$kver"',
      'done',
    ],
    dhcp: ['systemctl enable NetworkManager.service'],
  },
  sshService: 'sshd',
};

const RECIPES: Readonly<Record<DistroFamily, FamilyRecipe>> = {
  debian: aptRecipe('debian'),
  ubuntu: aptRecipe('ubuntu'),
  alpine: alpineRecipe,
  fedora: dnfRecipe,
};

export function recipeFor(family: DistroFamily): FamilyRecipe {
  return RECIPES[family];
}
