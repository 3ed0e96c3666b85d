/**
 * The distribution label DigitalOcean shows for a custom image.
 *
 * The constants are the values DigitalOcean documents; use
 * `Distribution.of('...')` for one added later.
 */
export class Distribution {
  /** Arch Linux. */
  public static readonly ARCH_LINUX = new Distribution('Arch Linux');
  /** CentOS. */
  public static readonly CENTOS = new Distribution('CentOS');
  /** CoreOS. */
  public static readonly COREOS = new Distribution('CoreOS');
  /** Debian. */
  public static readonly DEBIAN = new Distribution('Debian');
  /** Fedora. */
  public static readonly FEDORA = new Distribution('Fedora');
  /** Fedora Atomic. */
  public static readonly FEDORA_ATOMIC = new Distribution('Fedora Atomic');
  /** FreeBSD. */
  public static readonly FREEBSD = new Distribution('FreeBSD');
  /** Gentoo. */
  public static readonly GENTOO = new Distribution('Gentoo');
  /** openSUSE. */
  public static readonly OPENSUSE = new Distribution('openSUSE');
  /** RancherOS. */
  public static readonly RANCHEROS = new Distribution('RancherOS');
  /** Rocky Linux. */
  public static readonly ROCKY_LINUX = new Distribution('Rocky Linux');
  /** Ubuntu. */
  public static readonly UBUNTU = new Distribution('Ubuntu');
  /** Unknown. */
  public static readonly UNKNOWN = new Distribution('Unknown');

  /** A distribution label by name, as DigitalOcean spells it. */
  public static of(name: string): Distribution {
    return new Distribution(name);
  }

  /** The label, e.g. `Debian`. */
  public readonly name: string;

  private constructor(name: string) {
    this.name = name;
  }
}
