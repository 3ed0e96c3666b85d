import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { Compression, DiskFormat } from './formats';
import { ImageArtifact } from './image-artifact';
import { builderCommand } from '../private/builder-command';
import { ARTIFACTS_DIR } from '../private/stage-resource';
import { isKnown, requireProps, validate, ValidationRule } from '../private/validate';
import { TerraformData } from '../terraform/terraform-data';

/**
 * Virtualization type of a libvirt domain.
 */
export enum LibvirtDomainType {
  /** KVM: hardware virtualization; needs a usable /dev/kvm on the host that runs the domain. */
  KVM = 'kvm',
  /** QEMU software emulation (TCG): slower, but runs where KVM does not (nested VMs, CI runners). */
  QEMU = 'qemu',
}

/**
 * Properties of a LibvirtDomain.
 */
export interface LibvirtDomainProps {
  /** The image the domain boots: uncompressed raw, qcow2, vmdk, vdi or vhd (libvirt opens no other format as a disk). */
  readonly image: ImageArtifact;

  /**
   * libvirt domain name: 1 to 64 letters, digits, dots, dashes and underscores,
   * starting with a letter or digit. Also names the XML file.
   *
   * @default - the construct id
   */
  readonly domainName?: string;

  /**
   * Guest memory in MiB.
   *
   * @default 1024
   */
  readonly memoryMiB?: number;

  /**
   * Virtual CPUs.
   *
   * @default 2
   */
  readonly cpus?: number;

  /**
   * Virtualization type.
   *
   * @default LibvirtDomainType.KVM
   */
  readonly domainType?: LibvirtDomainType;

  /**
   * `user` for usermode networking (works in an ordinary user's `qemu:///session`),
   * or the name of a libvirt network such as `default` (`qemu:///system`).
   *
   * @default 'user'
   */
  readonly network?: string;

  /**
   * File the serial console is also written to, absolute or relative to the
   * stack's synth directory; the user QEMU runs as must be able to create it.
   *
   * @default - none: read the console with `virsh console NAME`
   */
  readonly consoleLogPath?: string;

  /**
   * An OpenSSH public key (the text of a `.pub` file, not a path). When set,
   * `terraform apply` also writes a config drive next to the XML
   * (`docker-vm-artifacts/libvirt-<domainName>-config-2.iso`: ISO9660 labelled
   * `config-2` with `openstack/latest/meta_data.json`, as on DigitalOcean) and
   * the XML attaches it read-only as the second virtio disk, so cloud-init in
   * the image installs the key. Needs genisoimage where terraform runs.
   *
   * @default - no config drive
   */
  readonly configDrivePublicKey?: string;

  /**
   * Hostname in the config drive's metadata; needs configDrivePublicKey.
   *
   * @default - the domain name
   */
  readonly configDriveHostname?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NAME_RULE = 'must be 1 to 64 letters, digits, dots, dashes and underscores, starting with a letter or digit';
const MAX_CPUS = 255;
/** An OpenSSH public key line (the builder checks it fully at apply: builder/preview/config-drive.ts). */
const PUBLIC_KEY = /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp\d+|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/=]+( .*)?$/;
/** Hostname labels: letters, digits and dashes, not starting or ending with a dash. */
const HOSTNAME_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
/** The formats libvirt opens as a disk (builder/libvirt/domain-xml.ts); libvirt 9.0 has no vhdx driver. */
const LIBVIRT_FORMATS: readonly DiskFormat[] = [DiskFormat.RAW, DiskFormat.QCOW2, DiskFormat.VMDK, DiskFormat.VDI, DiskFormat.VHD];

const RULES: readonly ValidationRule<LibvirtDomainProps & { readonly name: string; readonly hostname: string }>[] = [
  {
    fails: p => p.image.compression !== Compression.NONE,
    message: p => `image is compressed (${p.image.compression}), and libvirt opens only uncompressed disks; give LibvirtDomain an ImageArtifact with compression: Compression.NONE`,
  },
  {
    fails: p => !LIBVIRT_FORMATS.includes(p.image.format),
    message: p => `image is ${p.image.format}, which libvirt cannot open as a disk (it opens ${LIBVIRT_FORMATS.join(', ')}); ` +
      'give LibvirtDomain an ImageArtifact with format DiskFormat.QCOW2 (the usual choice) or DiskFormat.RAW',
  },
  {
    fails: p => !Token.isUnresolved(p.name) && !NAME.test(p.name),
    message: p => p.domainName === undefined
      ? `the construct id ${p.name} is not a libvirt domain name (it ${NAME_RULE}); set domainName`
      : `domainName ${JSON.stringify(p.name)} ${NAME_RULE}`,
  },
  {
    fails: p => isKnown(p.memoryMiB) && (!Number.isInteger(p.memoryMiB) || p.memoryMiB < 64),
    message: p => `memoryMiB must be a whole number of at least 64, got ${p.memoryMiB}; e.g. 1024`,
  },
  {
    fails: p => isKnown(p.cpus) && (!Number.isInteger(p.cpus) || p.cpus < 1 || p.cpus > MAX_CPUS),
    message: p => `cpus must be a whole number from 1 to ${MAX_CPUS}, got ${p.cpus}; e.g. 2`,
  },
  {
    fails: p => p.domainType !== undefined && !Object.values(LibvirtDomainType).includes(p.domainType),
    message: p => `domainType must be one of ${Object.values(LibvirtDomainType).join(', ')}, got ${p.domainType}; use the LibvirtDomainType enum`,
  },
  {
    fails: p => isKnown(p.network) && p.network !== 'user' && !NAME.test(p.network),
    message: p => `network ${JSON.stringify(p.network)} is not a libvirt network name; use 'user' or a name from virsh net-list --all, like 'default'`,
  },
  {
    fails: p => isKnown(p.consoleLogPath) && (p.consoleLogPath === '' || /[\x00-\x1f\x7f]/.test(p.consoleLogPath)),
    message: p => `consoleLogPath ${JSON.stringify(p.consoleLogPath)} must be a file path without control characters`,
  },
  {
    fails: p => isKnown(p.configDrivePublicKey) && !PUBLIC_KEY.test(p.configDrivePublicKey.trim()),
    message: () => 'configDrivePublicKey is not an OpenSSH public key (expected the text of a .pub file, like "ssh-ed25519 AAAA... comment", not its path); ' +
      'read it with fs.readFileSync(\'id_ed25519.pub\', \'utf8\')',
  },
  {
    fails: p => p.configDriveHostname !== undefined && p.configDrivePublicKey === undefined,
    message: () => 'configDriveHostname goes into a config drive, which needs configDrivePublicKey; set it too, or leave configDriveHostname out',
  },
  {
    fails: p => p.configDrivePublicKey !== undefined && isKnown(p.hostname) && !isHostname(p.hostname),
    message: p => p.configDriveHostname === undefined
      ? `the domain name ${p.hostname} is not a hostname for the config drive (letters, digits and dashes, dots between labels); set configDriveHostname`
      : `configDriveHostname ${JSON.stringify(p.hostname)} must be letters, digits and dashes (dots between labels), not starting or ending with a dash`,
  },
];

function isHostname(name: string): boolean {
  return name.length >= 1 && name.length <= 253 && name.split('.').every(label => HOSTNAME_LABEL.test(label));
}

/**
 * A libvirt domain XML for an ImageArtifact, written next to the image by
 * `terraform apply`: the image as a virtio disk, a virtio NIC, a serial console,
 * BIOS or UEFI as the image was built (UEFI: libvirt picks OVMF, Secure Boot
 * off), memory and vCPUs, and optionally a config drive with an SSH key. Define and start it with `virsh define <xmlPath>` and
 * `virsh start <domainName>` (run from the stack's synth directory, or wrap
 * `xmlPath` in `Fn.abspath`).
 *
 * The XML names the image by its absolute path. Nothing is defined in libvirt
 * by this construct: destroying it removes the XML file (and config drive),
 * not a defined domain.
 */
export class LibvirtDomain extends Construct {
  /**
   * Path of the domain XML, relative to the stack's synth directory (terraform's
   * working directory): `docker-vm-artifacts/libvirt-<domainName>.xml`.
   */
  public readonly xmlPath: string;

  /** The libvirt domain name. */
  public readonly domainName: string;

  /** The `terraform_data` resource that writes the XML. */
  public readonly resource: TerraformData;

  constructor(scope: Construct, id: string, props: LibvirtDomainProps) {
    super(scope, id);
    requireProps('LibvirtDomain', props, ['image']);
    const name = props.domainName ?? id;
    validate({ ...props, name, hostname: props.configDriveHostname ?? name }, RULES);
    this.domainName = name;
    this.xmlPath = `${ARTIFACTS_DIR}/libvirt-${name}.xml`;
    const input = {
      image: props.image.artifactPath,
      format: props.image.format,
      firmware: props.image.bootloader.firmware,
      name,
      memory_mib: props.memoryMiB ?? 1024,
      cpus: props.cpus ?? 2,
      domain_type: props.domainType ?? LibvirtDomainType.KVM,
      network: props.network ?? 'user',
      ...(props.consoleLogPath !== undefined ? { console_log: props.consoleLogPath } : {}),
      ...(props.configDrivePublicKey !== undefined
        ? { public_key: props.configDrivePublicKey.trim(), hostname: props.configDriveHostname ?? name }
        : {}),
      xml_path: this.xmlPath,
    };
    this.resource = new TerraformData(this, 'Xml', {
      // A new image (fingerprint) or any other input writes the XML again.
      triggersReplace: { image_fingerprint: props.image.fingerprint, ...input },
      input,
      dependsOn: [props.image.resource],
    });
    this.resource.provisioners = [builderCommand('write-libvirt-xml'), builderCommand('remove-libvirt-xml', 'destroy')];
  }
}
