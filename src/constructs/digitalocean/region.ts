import { Token } from 'cdktf';

/**
 * A DigitalOcean region (datacenter) slug.
 *
 * An open set: the constants are the regions known when this library was
 * written; use `Region.of('slug')` for others.
 */
export class Region {
  /** New York 1. */
  public static readonly NYC1 = new Region('nyc1');
  /** New York 2. */
  public static readonly NYC2 = new Region('nyc2');
  /** New York 3. */
  public static readonly NYC3 = new Region('nyc3');
  /** San Francisco 2. */
  public static readonly SFO2 = new Region('sfo2');
  /** San Francisco 3. */
  public static readonly SFO3 = new Region('sfo3');
  /** Amsterdam 3. */
  public static readonly AMS3 = new Region('ams3');
  /** Singapore 1. */
  public static readonly SGP1 = new Region('sgp1');
  /** London 1. */
  public static readonly LON1 = new Region('lon1');
  /** Frankfurt 1. */
  public static readonly FRA1 = new Region('fra1');
  /** Toronto 1. */
  public static readonly TOR1 = new Region('tor1');
  /** Bangalore 1. */
  public static readonly BLR1 = new Region('blr1');
  /** Sydney 1. */
  public static readonly SYD1 = new Region('syd1');
  /** Atlanta 1. */
  public static readonly ATL1 = new Region('atl1');

  /**
   * A region by slug, e.g. `Region.of('nyc3')`.
   */
  public static of(slug: string): Region {
    if (!Token.isUnresolved(slug) && !/^[a-z]{2,5}[0-9]{1,2}$/.test(slug)) {
      throw new Error(`region slug must be lowercase letters followed by digits, like nyc3, got ${JSON.stringify(slug)}; list slugs with: doctl compute region list`);
    }
    return new Region(slug);
  }

  /** The region slug, e.g. `nyc3`. */
  public readonly slug: string;

  private constructor(slug: string) {
    this.slug = slug;
  }

  /** The slug. */
  public toString(): string {
    return this.slug;
  }
}
