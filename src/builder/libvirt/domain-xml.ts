/**
 * A libvirt domain XML for a built image: the image as a virtio disk, one
 * virtio NIC, the serial console (a pty `virsh console` attaches to,
 * optionally logged to a file), BIOS or UEFI as the image was built, memory
 * and vCPUs, and optionally a config drive as a second, read-only virtio
 * disk. Pure: no I/O, so tests compare strings.
 */
import * as path from 'node:path';
import { SpecError } from '../common/errors';
import { escapeXml } from '../common/xml';
import { DiskFormatName, FirmwareName, qemuFormatName } from '../spec';

/** `kvm` needs /dev/kvm on the host that runs the domain; `qemu` is software emulation (TCG), slower but runs anywhere. */
export const LIBVIRT_DOMAIN_TYPES = ['kvm', 'qemu'] as const;
export type LibvirtDomainType = typeof LIBVIRT_DOMAIN_TYPES[number];

/** The NIC on usermode networking (SLIRP): what an ordinary user's session (`qemu:///session`) can use. */
export const USER_NETWORK = 'user';

export const DEFAULT_MEMORY_MIB = 1024;
export const DEFAULT_CPUS = 2;
export const DEFAULT_DOMAIN_TYPE: LibvirtDomainType = 'kvm';
export const MAX_CPUS = 255;

/**
 * The formats libvirt opens as a disk (its disk driver types; libvirt 9.0 has
 * no vhdx, and a package such as ova is a tar, no disk).
 * The value is libvirt's name, which is qemu-img's for all of them (`vpc` is vhd).
 */
const LIBVIRT_DISK_TYPES: Partial<Record<DiskFormatName, string>> = {
  raw: qemuFormatName('raw'),
  qcow2: qemuFormatName('qcow2'),
  vmdk: qemuFormatName('vmdk'),
  vdi: qemuFormatName('vdi'),
  vhd: qemuFormatName('vhd'),
};

export interface DomainXmlInput {
  /** libvirt's domain name: letters, digits, dot, dash and underscore (see checkDomainName). */
  readonly name: string;
  /** Absolute path of the image file. */
  readonly image: string;
  readonly format: DiskFormatName;
  readonly firmware: FirmwareName;
  /** @default 1024 */
  readonly memoryMiB?: number;
  /** @default 2 */
  readonly cpus?: number;
  /** @default 'kvm' */
  readonly domainType?: LibvirtDomainType;
  /** `user` (usermode networking), or the name of a libvirt network such as `default`. @default 'user' */
  readonly network?: string;
  /** Absolute path the serial console is also written to (libvirt's `<log>`). @default - none; read it with virsh console */
  readonly consoleLog?: string;
  /** Absolute path of a config drive (ISO9660 labelled config-2), attached read-only as the second virtio disk. */
  readonly configDrive?: string;
}

/** The domain XML; every input is checked first (SpecError naming it). */
export function domainXml(input: DomainXmlInput): string {
  const name = checked('name', input.name, checkDomainName(input.name));
  const image = checkedPath('image', input.image);
  const diskType = libvirtDiskType(input.format);
  const memoryMiB = input.memoryMiB ?? DEFAULT_MEMORY_MIB;
  if (!Number.isSafeInteger(memoryMiB) || memoryMiB < 64) throw new SpecError(`memory ${memoryMiB} MiB must be a whole number of MiB, at least 64; write it like 1024`);
  const cpus = input.cpus ?? DEFAULT_CPUS;
  if (!Number.isSafeInteger(cpus) || cpus < 1 || cpus > MAX_CPUS) throw new SpecError(`cpus ${cpus} must be a whole number from 1 to ${MAX_CPUS}; write it like 2`);
  const domainType = input.domainType ?? DEFAULT_DOMAIN_TYPE;
  if (!LIBVIRT_DOMAIN_TYPES.includes(domainType)) throw new SpecError(`domain type ${domainType} is not supported; use ${LIBVIRT_DOMAIN_TYPES.join(' or ')}`);
  if (input.firmware !== 'bios' && input.firmware !== 'uefi') throw new SpecError(`firmware ${input.firmware as string} is not supported; use bios or uefi`);
  const network = input.network ?? USER_NETWORK;
  if (network !== USER_NETWORK) checked('network', network, checkDomainName(network));
  const consoleLog = input.consoleLog === undefined ? undefined : checkedPath('console log', input.consoleLog);
  const configDrive = input.configDrive === undefined ? undefined : checkedPath('config drive', input.configDrive);

  const lines = [
    `<domain type='${domainType}'>`,
    `  <name>${escapeXml(name)}</name>`,
    '  <description>made by cdktf-docker-vm</description>',
    `  <memory unit='MiB'>${memoryMiB}</memory>`,
    `  <vcpu>${cpus}</vcpu>`,
    ...(input.firmware === 'uefi'
      ? [
        // libvirt picks OVMF from the firmware descriptors (/usr/share/qemu/firmware) and makes the domain's own
        // variable store; syslinux.efi is not signed, so no Secure Boot firmware.
        "  <os firmware='efi'>",
        "    <type arch='x86_64' machine='pc'>hvm</type>",
        '    <firmware>',
        "      <feature enabled='no' name='secure-boot'/>",
        "      <feature enabled='no' name='enrolled-keys'/>",
        '    </firmware>',
      ]
      : [
        '  <os>',
        "    <type arch='x86_64' machine='pc'>hvm</type>",
      ]),
    "    <boot dev='hd'/>",
    '  </os>',
    '  <features>',
    '    <acpi/>',
    '    <apic/>',
    '  </features>',
    ...(domainType === 'kvm' ? ["  <cpu mode='host-passthrough'/>"] : []),
    "  <clock offset='utc'/>",
    '  <on_poweroff>destroy</on_poweroff>',
    '  <on_reboot>restart</on_reboot>',
    '  <on_crash>destroy</on_crash>',
    '  <devices>',
    ...disk(image, diskType, 'vda', false),
    ...(configDrive ? disk(configDrive, 'raw', 'vdb', true) : []),
    ...(network === USER_NETWORK
      ? ["    <interface type='user'>"]
      : ["    <interface type='network'>", `      <source network='${escapeXml(network)}'/>`]),
    "      <model type='virtio'/>",
    '    </interface>',
    "    <serial type='pty'>",
    ...(consoleLog ? [`      <log file='${escapeXml(consoleLog)}' append='off'/>`] : []),
    "      <target port='0'/>",
    '    </serial>',
    "    <console type='pty'>",
    "      <target type='serial' port='0'/>",
    '    </console>',
    "    <rng model='virtio'>",
    "      <backend model='random'>/dev/urandom</backend>",
    '    </rng>',
    '  </devices>',
    '</domain>',
  ];
  return lines.join('\n') + '\n';
}

function disk(file: string, type: string, dev: string, readonly: boolean): string[] {
  return [
    "    <disk type='file' device='disk'>",
    `      <driver name='qemu' type='${type}'/>`,
    `      <source file='${escapeXml(file)}'/>`,
    `      <target dev='${dev}' bus='virtio'/>`,
    ...(readonly ? ['      <readonly/>'] : []),
    '    </disk>',
  ];
}

/** libvirt's disk driver type for a format; vhdx has none (libvirt 9.0). */
export function libvirtDiskType(format: DiskFormatName): string {
  const type = LIBVIRT_DISK_TYPES[format];
  if (type === undefined) {
    throw new SpecError(`libvirt cannot open a ${format} file as a disk (it opens ${Object.keys(LIBVIRT_DISK_TYPES).join(', ')}); ` +
      'build the image as qcow2 (the usual choice for libvirt) or raw');
  }
  return type;
}

/**
 * Domain and network names: 1 to 64 letters, digits, `.`, `_` and `-`, starting
 * with a letter or digit. libvirt itself refuses `/` only; this also keeps the
 * name safe in file names and shell lines such as `virsh start NAME`.
 */
export function checkDomainName(name: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
    return 'must be 1 to 64 letters, digits, dots, dashes and underscores, starting with a letter or digit';
  }
  return undefined;
}

/** A domain name made from a file name: its base name without extensions, other characters as dashes. */
export function domainNameFromFile(file: string): string {
  const base = path.basename(file).replace(/\..*$/, '');
  const name = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return name === '' ? 'cdktf-docker-vm' : name;
}

function checked(what: string, value: string, problem: string | undefined): string {
  if (problem) throw new SpecError(`libvirt ${what} ${JSON.stringify(value)} ${problem}`);
  return value;
}

/** An absolute path XML 1.0 can hold: no control characters (libvirt reads the path back as written). */
function checkedPath(what: string, file: string): string {
  if (!path.isAbsolute(file)) throw new SpecError(`${what} path ${file} must be absolute for libvirt (it resolves nothing against a working directory)`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(file)) throw new SpecError(`${what} path ${JSON.stringify(file)} holds a control character, which a libvirt XML cannot carry; rename the file`);
  return file;
}
