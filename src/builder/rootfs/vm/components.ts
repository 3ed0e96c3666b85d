import { TarEntry } from '../../common/tar-index';
import { resolve } from '../analyze';

/** The parts a container image usually lacks to run as a VM. */
export const COMPONENTS = ['kernel', 'init', 'dhcp', 'cloud-init', 'sshd'] as const;
export type Component = typeof COMPONENTS[number];

export type InitSystem = 'systemd' | 'openrc';

export interface DetectedComponents {
  readonly present: ReadonlySet<Component>;
  /** The init that /sbin/init leads to, when it is one a service can be written for. */
  readonly init?: InitSystem;
}

/**
 * Reads, from the rootfs tar index only, which VM parts are installed.
 * A part counts as present when the files that make it work are there
 * (an enabled network backend, not just a DHCP client binary).
 */
export function detectComponents(byPath: ReadonlyMap<string, TarEntry>, hasKernel: boolean): DetectedComponents {
  const exists = (p: string) => resolve(byPath, p) !== undefined;
  const present = new Set<Component>();
  if (hasKernel) present.add('kernel');
  const init = detectInit(byPath);
  if (init) present.add('init');
  if (exists('usr/bin/cloud-init')) present.add('cloud-init');
  if (exists('usr/sbin/sshd')) present.add('sshd');
  if (hasDhcpBackend(byPath, exists)) present.add('dhcp');
  return { present, init };
}

function detectInit(byPath: ReadonlyMap<string, TarEntry>): InitSystem | undefined {
  const sbinInit = byPath.get('sbin/init') ?? byPath.get('usr/sbin/init');
  const target = resolve(byPath, 'sbin/init');
  if (!sbinInit || !target) return undefined;
  if (target.path.includes('systemd')) return 'systemd';
  // Alpine: /sbin/init is busybox, which hands over to OpenRC through /etc/inittab.
  if (resolve(byPath, 'sbin/openrc') || resolve(byPath, 'usr/sbin/openrc')) return 'openrc';
  return undefined;
}

function hasDhcpBackend(byPath: ReadonlyMap<string, TarEntry>, exists: (p: string) => boolean): boolean {
  const ifupdown = exists('sbin/ifup') || exists('usr/sbin/ifup');
  const dhcpClient = ['sbin/dhclient', 'usr/sbin/dhclient', 'sbin/udhcpc', 'usr/sbin/dhcpcd', 'sbin/dhcpcd'].some(exists);
  if (ifupdown && dhcpClient) return true;
  if (exists('usr/sbin/NetworkManager') || exists('usr/sbin/netplan') || exists('usr/bin/netplan')) return true;
  const networkdEnabled = byPath.has('etc/systemd/system/multi-user.target.wants/systemd-networkd.service');
  const networkFiles = [...byPath.keys()].some(p => /^(etc|usr\/lib|lib)\/systemd\/network\/[^/]+\.network$/.test(p));
  return networkdEnabled && networkFiles;
}
