/** Package-manager families injection knows how to extend. */
export type DistroFamily = 'debian' | 'ubuntu' | 'alpine' | 'fedora';

const FAMILY_BY_ID: Readonly<Record<string, DistroFamily>> = {
  debian: 'debian',
  ubuntu: 'ubuntu',
  alpine: 'alpine',
  fedora: 'fedora',
  centos: 'fedora',
  rhel: 'fedora',
  rocky: 'fedora',
  almalinux: 'fedora',
};

/**
 * The family of an os-release: its ID, else the first known ID_LIKE
 * (so Linux Mint is Ubuntu-like, and a Debian derivative is Debian).
 */
export function distroFamily(osRelease: Readonly<Record<string, string>>): DistroFamily | undefined {
  const ids = [osRelease.ID, ...(osRelease.ID_LIKE ?? '').split(/\s+/)].filter(Boolean).map(s => s.toLowerCase());
  for (const id of ids) {
    const family = FAMILY_BY_ID[id];
    if (family) return family;
  }
  return undefined;
}

export function describeDistro(osRelease: Readonly<Record<string, string>>): string {
  if (osRelease.PRETTY_NAME) return osRelease.PRETTY_NAME;
  if (osRelease.ID) return `ID=${osRelease.ID}`;
  return 'no /etc/os-release';
}
