import { Token } from 'cdktf';

/**
 * A Droplet size slug.
 *
 * An open set: the constants are common Basic sizes; use
 * `DropletSize.of('c-4')` for any other (`doctl compute size list`). The
 * Droplet's disk must be at least as large as the image's disk.
 */
export class DropletSize {
  /** 1 vCPU, 512 MiB, 10 GiB disk. */
  public static readonly S_1VCPU_512MB_10GB = new DropletSize('s-1vcpu-512mb-10gb');
  /** 1 vCPU, 1 GiB, 25 GiB disk. */
  public static readonly S_1VCPU_1GB = new DropletSize('s-1vcpu-1gb');
  /** 1 vCPU, 2 GiB, 50 GiB disk. */
  public static readonly S_1VCPU_2GB = new DropletSize('s-1vcpu-2gb');
  /** 2 vCPU, 2 GiB, 60 GiB disk. */
  public static readonly S_2VCPU_2GB = new DropletSize('s-2vcpu-2gb');
  /** 2 vCPU, 4 GiB, 80 GiB disk. */
  public static readonly S_2VCPU_4GB = new DropletSize('s-2vcpu-4gb');
  /** 4 vCPU, 8 GiB, 160 GiB disk. */
  public static readonly S_4VCPU_8GB = new DropletSize('s-4vcpu-8gb');
  /** 8 vCPU, 16 GiB, 320 GiB disk. */
  public static readonly S_8VCPU_16GB = new DropletSize('s-8vcpu-16gb');

  /**
   * A size by slug, e.g. `DropletSize.of('s-1vcpu-1gb')`.
   */
  public static of(slug: string): DropletSize {
    if (!Token.isUnresolved(slug) && !/^[a-z0-9][a-z0-9-]*$/.test(slug)) {
      throw new Error(`size slug must be lowercase letters, digits and '-', like s-1vcpu-1gb, got ${JSON.stringify(slug)}; list slugs with: doctl compute size list`);
    }
    return new DropletSize(slug);
  }

  /** The size slug, e.g. `s-1vcpu-1gb`. */
  public readonly slug: string;

  private constructor(slug: string) {
    this.slug = slug;
  }

  /** The slug. */
  public toString(): string {
    return this.slug;
  }
}
