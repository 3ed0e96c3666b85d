import { describeDistro, distroFamily } from '../../../../src/builder/rootfs/vm/distro';

describe('distroFamily', () => {
  test.each([
    [{ ID: 'debian' }, 'debian'],
    [{ ID: 'ubuntu', ID_LIKE: 'debian' }, 'ubuntu'],
    [{ ID: 'linuxmint', ID_LIKE: 'ubuntu debian' }, 'ubuntu'],
    [{ ID: 'alpine' }, 'alpine'],
    [{ ID: 'fedora' }, 'fedora'],
    [{ ID: 'centos', ID_LIKE: 'rhel fedora' }, 'fedora'],
    [{ ID: 'rocky', ID_LIKE: 'rhel centos fedora' }, 'fedora'],
    [{ ID: 'almalinux', ID_LIKE: 'rhel centos fedora' }, 'fedora'],
    [{ ID: 'Debian' }, 'debian'],
  ])('%j is %s', (osRelease, family) => {
    // GIVEN an os-release WHEN classified THEN its ID or first known ID_LIKE decides
    expect(distroFamily(osRelease)).toBe(family);
  });

  test.each([[{ ID: 'arch' }], [{ ID: 'nixos' }], [{}]])('%j is unknown', osRelease => {
    // GIVEN a distribution injection has no recipe for, or no os-release at all
    // THEN there is no family
    expect(distroFamily(osRelease)).toBeUndefined();
  });

  test('describeDistro prefers PRETTY_NAME and says when there is no os-release', () => {
    expect(describeDistro({ ID: 'debian', PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)' })).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(describeDistro({ ID: 'arch' })).toBe('ID=arch');
    expect(describeDistro({})).toBe('no /etc/os-release');
  });
});
