import { TarEntry } from '../../../../src/builder/common/tar-index';
import { detectComponents } from '../../../../src/builder/rootfs/vm/components';

let offset = 0;
function e(p: string, type: TarEntry['type'], linkTarget = ''): TarEntry {
  offset += 1024;
  return { path: p, type, size: type === 'file' ? 100 : 0, mode: 0o755, linkTarget, mtime: 1_700_000_000, dataOffset: offset };
}
const file = (p: string) => e(p, 'file');
const link = (p: string, target: string) => e(p, 'symlink', target);
const byPath = (entries: TarEntry[]) => new Map(entries.map(x => [x.path, x]));

const DEBIAN_APP = [file('bin/sh'), file('usr/bin/apt-get'), file('etc/os-release')];
const DEBIAN_VM = [
  ...DEBIAN_APP,
  file('lib/systemd/systemd'),
  link('sbin/init', '/lib/systemd/systemd'),
  file('usr/bin/cloud-init'),
  file('usr/sbin/sshd'),
  file('lib/systemd/systemd-networkd'),
  link('etc/systemd/system/multi-user.target.wants/systemd-networkd.service', '/lib/systemd/system/systemd-networkd.service'),
  file('etc/systemd/network/90-dhcp.network'),
];

describe('detectComponents', () => {
  test('an application image has none of the VM parts', () => {
    // GIVEN a Debian image with a shell and apt only
    // WHEN its parts are detected
    const d = detectComponents(byPath(DEBIAN_APP), false);
    // THEN nothing is present and there is no init to write a service for
    expect([...d.present]).toEqual([]);
    expect(d.init).toBeUndefined();
  });

  test('a full Debian VM has every part, with systemd as init', () => {
    // GIVEN a rootfs with systemd as /sbin/init, cloud-init, sshd and networkd enabled with a .network file
    // WHEN detected, with a kernel found by the rootfs analysis
    const d = detectComponents(byPath(DEBIAN_VM), true);
    // THEN all five parts are there
    expect([...d.present].sort()).toEqual(['cloud-init', 'dhcp', 'init', 'kernel', 'sshd']);
    expect(d.init).toBe('systemd');
  });

  test('systemd installed without /sbin/init is not an init (the kernel would not find it)', () => {
    // GIVEN systemd's binary but no systemd-sysv link
    const d = detectComponents(byPath([...DEBIAN_APP, file('lib/systemd/systemd')]), false);
    // THEN init is missing
    expect(d.present.has('init')).toBe(false);
  });

  test('Alpine: busybox /sbin/init counts only with OpenRC', () => {
    // GIVEN Alpine's busybox init, first without then with OpenRC
    const base = [file('bin/busybox'), link('sbin/init', '/bin/busybox')];
    // THEN busybox alone is no init a service can be written for; with openrc it is OpenRC
    expect(detectComponents(byPath(base), false).init).toBeUndefined();
    expect(detectComponents(byPath([...base, file('sbin/openrc')]), false).init).toBe('openrc');
  });

  test.each([
    ['ifupdown with dhclient', [file('sbin/ifup'), file('sbin/dhclient')], true],
    ['ifupdown with no DHCP client', [file('sbin/ifup')], false],
    ['NetworkManager', [file('usr/sbin/NetworkManager')], true],
    ['netplan', [file('usr/sbin/netplan')], true],
    ['networkd enabled but no .network file', [
      link('etc/systemd/system/multi-user.target.wants/systemd-networkd.service', '/lib/systemd/system/systemd-networkd.service'),
      file('lib/systemd/system/systemd-networkd.service'),
    ], false],
    ['a .network file but networkd not enabled', [file('etc/systemd/network/dhcp.network')], false],
  ])('DHCP networking: %s -> %s', (_name, entries, expected) => {
    // GIVEN a rootfs with only this network setup
    // WHEN detected
    const d = detectComponents(byPath([...DEBIAN_APP, ...entries]), false);
    // THEN dhcp is present only for a backend that would bring the NIC up
    expect(d.present.has('dhcp')).toBe(expected);
  });
});
