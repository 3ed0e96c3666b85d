import { TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { DropletResource } from './bindings/droplet-resource';
import { SshKey } from './bindings/ssh-key';
import { dropletNameOf } from './droplet-name';
import { DropletSize } from './droplet-size';
import { ICustomImage } from './i-custom-image';
import { readinessGate } from './readiness-gate';
import { Region } from './region';
import { DROPLET_RULES, isValidDropletName } from './validate-droplet';
import { isToken, requireProps, validate } from '../private/validate';
import { TerraformData } from '../terraform/terraform-data';

/**
 * Properties of a Droplet.
 */
export interface DropletProps {
  /** The custom image the Droplets boot: a CustomImage, or one from CustomImage.fromUrl. */
  readonly image: ICustomImage;

  /**
   * Number of Droplets.
   *
   * @default 1
   */
  readonly count?: number;

  /**
   * Droplet name (a hostname: letters, digits, '.' and '-'). With a count above
   * 1 the Droplets are named `<name>-1`, `<name>-2`, ...
   *
   * @default - the construct path below the stack, lowercased, with '-' between the parts
   */
  readonly name?: string;

  /**
   * Droplet size. Its disk must hold the image's disk.
   *
   * @default DropletSize.S_1VCPU_1GB
   */
  readonly size?: DropletSize;

  /**
   * Region; one of the image's regions.
   *
   * @default - the image's first region
   */
  readonly region?: Region;

  /**
   * SSH keys already in the DigitalOcean account, by id or fingerprint.
   * At least one key is required between `sshKeyIds` and `sshKeys`.
   *
   * @default - none
   */
  readonly sshKeyIds?: string[];

  /**
   * SSH keys managed in this stack. At least one key is required between
   * `sshKeyIds` and `sshKeys`.
   *
   * @default - none
   */
  readonly sshKeys?: SshKey[];

  /**
   * cloud-init user data, at most 64 KiB.
   *
   * @default - none
   */
  readonly userData?: string;

  /**
   * Tags of the Droplets.
   *
   * @default - none
   */
  readonly tags?: string[];

  /**
   * UUID of the VPC to put the Droplets in.
   *
   * @default - the region's default VPC
   */
  readonly vpcUuid?: string;

  /**
   * IPv6. DigitalOcean does not support it on Droplets from custom images:
   * setting it to true is an error.
   *
   * @default false
   */
  readonly ipv6?: boolean;

  /**
   * Monitoring at creation. DigitalOcean does not support it on Droplets from
   * custom images: setting it to true is an error.
   *
   * @default false
   */
  readonly monitoring?: boolean;

  /**
   * Readiness gate: after each new Droplet is created, `terraform apply` waits
   * until it accepts a TCP connection on this port (or answers `readinessHttpPath`
   * on it with 2xx/3xx). On a rollover the old Droplets are destroyed only after
   * every gate of the new ones has passed, so the service has no gap.
   *
   * Without a gate, Terraform destroys the old Droplets as soon as the new ones
   * are `active` (about 20 s after the create call), while they still boot: for
   * one to three minutes no Droplet serves.
   *
   * @default - no gate
   */
  readonly readinessPort?: number;

  /**
   * HTTP path (starting with '/') the gate GETs on `readinessPort`, wanting a
   * 2xx or 3xx answer; needs `readinessPort`.
   *
   * @default - a TCP connection to `readinessPort` is enough
   */
  readonly readinessHttpPath?: string;

  /**
   * How long a gate waits before `terraform apply` fails (the old Droplets are
   * then kept; the next apply waits again).
   *
   * @default 10
   */
  readonly readinessTimeoutMinutes?: number;
}

/**
 * One or more DigitalOcean Droplets booting a CustomImage.
 *
 * Child IDs are `Droplet1`, `Droplet2`, ...: lowering `count` destroys the
 * highest-numbered Droplets. A new image replaces the Droplets, each new one
 * created before the old one is destroyed (their IP addresses change).
 */
export class Droplet extends Construct {
  /** The ids of the Droplets, in order. */
  public readonly dropletIds: string[];

  /** The public IPv4 addresses of the Droplets, in order. */
  public readonly ipv4Addresses: string[];

  /** The names of the Droplets, in order. */
  public readonly names: string[];

  /** The region of the Droplets. */
  public readonly region: Region;

  /** The `digitalocean_droplet` resources. */
  public readonly droplets: DropletResource[];

  /** The cloud-init user data the Droplets get, if any. */
  public readonly userData?: string;

  /** The SSH keys managed in this stack that the Droplets get (keys by id are not listed). */
  public readonly sshKeys: SshKey[];

  /** The readiness gates (`terraform_data`), one per Droplet in order; empty without `readinessPort`. */
  public readonly readinessGates: TerraformData[];

  constructor(scope: Construct, id: string, props: DropletProps) {
    super(scope, id);
    requireProps('Droplet', props, ['image']);
    validate(props, DROPLET_RULES);
    const count = props.count ?? 1;
    const baseName = props.name ?? this.defaultName();
    this.names = count === 1 ? [baseName] : Array.from({ length: count }, (_, i) => `${baseName}-${i + 1}`);
    if (!isToken(baseName)) {
      const bad = this.names.filter(n => !isValidDropletName(n));
      if (bad.length > 0) {
        throw new Error(`name must be a hostname (letters, digits, '-' and '.', labels of 1 to 63 characters not starting or ending with '-', 253 characters in all), got ${JSON.stringify(bad[0])}; pick another name`);
      }
    }
    this.region = props.region ?? props.image.regions[0];
    this.userData = props.userData;
    this.sshKeys = props.sshKeys ?? [];
    const sshKeys = [...(props.sshKeyIds ?? []), ...(props.sshKeys ?? []).map(k => k.id)];

    this.droplets = this.names.map((name, i) => new DropletResource(this, `Droplet${i + 1}`, {
      name,
      image: Token.asString(props.image.imageId),
      size: (props.size ?? DropletSize.S_1VCPU_1GB).slug,
      region: this.region.slug,
      sshKeys,
      userData: props.userData,
      tags: props.tags,
      vpcUuid: props.vpcUuid,
      createBeforeDestroy: true,
      // The image's seal too: a Droplet starts only after the image file is private again.
      dependsOn: props.image.dependables,
    }));
    this.dropletIds = this.droplets.map(d => d.id);
    this.ipv4Addresses = this.droplets.map(d => d.ipv4Address);
    this.readinessGates = props.readinessPort === undefined ? [] : this.droplets.map((droplet, i) => readinessGate(this, `Ready${i + 1}`, {
      machineId: droplet.id,
      host: droplet.ipv4Address,
      port: props.readinessPort!,
      httpPath: props.readinessHttpPath,
      timeoutMinutes: props.readinessTimeoutMinutes,
    }));
  }

  private defaultName(): string {
    const stack = TerraformStack.of(this);
    const parts = this.node.scopes.slice(this.node.scopes.indexOf(stack) + 1).map(s => s.node.id);
    return dropletNameOf(parts, 'droplet');
  }
}
