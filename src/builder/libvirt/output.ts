/**
 * The libvirt output of `build --libvirt-xml FILE` and of `libvirt-xml IMAGE`:
 * flags read and every input checked before any work, then the domain XML (and
 * the config drive, when asked) written atomically next to each other.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  DEFAULT_CPUS, DEFAULT_DOMAIN_TYPE, DEFAULT_MEMORY_MIB, LIBVIRT_DOMAIN_TYPES, MAX_CPUS, USER_NETWORK, checkDomainName, domainNameFromFile, domainXml,
} from './domain-xml';
import { CommandArgs, one } from '../cli-args';
import { SpecError } from '../common/errors';
import { ToolRunner } from '../common/tools';
import { choice, wholeNumber } from '../flag-values';
import { requireFile } from '../input-checks';
import { checkOutputWritable } from '../pipeline';
import { checkHostname, checkPublicKey } from '../preview/config-drive';
import { writeConfigDriveIso } from '../preview/write-config-drive';
import { CompressionName, DiskFormatName, FirmwareName } from '../spec';

/** 4 TiB: more guest memory is a typo. */
const MAX_MEMORY_MIB = 4 * 1024 * 1024;

/** The libvirt flags of a command: `--libvirt-memory` in `build` (prefix `libvirt-`), `--memory` in `libvirt-xml` (no prefix). */
export const LIBVIRT_FLAG_NAMES = ['name', 'memory', 'cpus', 'domain-type', 'network', 'console-log', 'ssh-key', 'user-data', 'hostname'] as const;

/** The options section of --help for these flags, with their prefix. */
export function libvirtOptionsHelp(prefix: string): string {
  const rows: Array<[string, string]> = [
    [`--${prefix}name NAME`, 'domain name (default: the image file name without its extensions)'],
    [`--${prefix}memory MIB`, `guest memory (default ${DEFAULT_MEMORY_MIB})`],
    [`--${prefix}cpus N`, `virtual CPUs (default ${DEFAULT_CPUS})`],
    [`--${prefix}domain-type T`, `${LIBVIRT_DOMAIN_TYPES.join('|')}: kvm needs /dev/kvm where the domain runs; qemu is software`],
    ['', `emulation (TCG), slow but runs anywhere (default ${DEFAULT_DOMAIN_TYPE})`],
    [`--${prefix}network NET`, `${USER_NETWORK} (usermode networking, works in qemu:///session) or a libvirt network`],
    ['', `such as default (qemu:///system) (default ${USER_NETWORK})`],
    [`--${prefix}console-log FILE`, 'also write the serial console to FILE (default: only virsh console NAME)'],
    [`--${prefix}ssh-key FILE.pub`, 'make a config drive (ISO9660 config-2, as on DigitalOcean) next to the XML'],
    ['', 'with this public key, and attach it as a read-only second virtio disk'],
    [`--${prefix}user-data FILE`, `user_data for cloud-init in that config drive (needs --${prefix}ssh-key)`],
    [`--${prefix}hostname NAME`, 'hostname in the config drive\'s metadata (default: the domain name)'],
  ];
  return rows.map(([flag, text]) => `  ${flag.padEnd(23)}${flag.length > 22 ? `\n  ${' '.repeat(23)}` : ''}${text}`).join('\n') + '\n';
}

/** What the config drive holds: one public key (file contents), user data and the hostname. */
export interface ConfigDriveContent {
  readonly publicKey: string;
  readonly userData?: Buffer;
  readonly hostname: string;
}

/** A checked libvirt output, ready to write once the image exists. */
export interface LibvirtOutput {
  /** Absolute path of the domain XML. */
  readonly xmlFile: string;
  /** Absolute path of the config drive ISO, when one is asked for. */
  readonly configDriveFile?: string;
  readonly configDrive?: ConfigDriveContent;
  readonly name: string;
  /** The XML, complete: made before the build, so a bad input fails before any work. */
  readonly xml: string;
}

export interface LibvirtImage {
  /** Absolute path of the image the domain boots. */
  readonly image: string;
  readonly format: DiskFormatName;
  readonly compression: CompressionName;
  readonly firmware: FirmwareName;
}

/**
 * Reads the libvirt flags (each `--${prefix}NAME`), checks them and the image's
 * format, and makes the XML. `xmlFlag` names the XML path's flag in messages.
 */
export function libvirtOutputFromArgs(
  args: CommandArgs, prefix: string, xmlFlag: string, xmlPath: string, image: LibvirtImage, cwd: string,
): LibvirtOutput {
  const flag = (name: typeof LIBVIRT_FLAG_NAMES[number]) => one(args, `${prefix}${name}`);
  if (image.compression !== 'none') {
    throw new SpecError(`--${xmlFlag} cannot be used with a ${image.compression}-compressed output (${image.image}): libvirt opens only uncompressed disks; ` +
      'write the image uncompressed (e.g. --output vm.qcow2, without .gz or .bz2) for libvirt');
  }
  const xmlFile = path.resolve(cwd, xmlPath);
  if (path.basename(xmlFile) === '' || xmlPath.endsWith('/')) throw new SpecError(`--${xmlFlag} ${xmlPath} names a directory; give a file name like --${xmlFlag} vm.xml`);
  if (xmlFile === image.image) throw new SpecError(`--${xmlFlag} ${xmlPath} is the image itself; give the XML its own file name like vm.xml`);
  checkOutputWritable(xmlFile);
  const nameFlag = flag('name');
  const name = nameFlag ?? domainNameFromFile(image.image);
  const nameProblem = checkDomainName(name);
  if (nameProblem) throw new SpecError(`--${prefix}name ${JSON.stringify(name)} ${nameProblem}`);
  const memory = flag('memory');
  const cpus = flag('cpus');
  const network = flag('network') ?? USER_NETWORK;
  if (network !== USER_NETWORK && checkDomainName(network)) throw new SpecError(`--${prefix}network ${JSON.stringify(network)} is not a libvirt network name; use ${USER_NETWORK} or a name from virsh net-list --all, like default`);
  const consoleLog = flag('console-log');
  const configDrive = configDriveFromArgs(flag('ssh-key'), flag('user-data'), flag('hostname'), name, prefix, cwd);
  const configDriveFile = configDrive ? configDrivePath(xmlFile) : undefined;
  if (configDriveFile === image.image) throw new SpecError(`the config drive ${configDriveFile} would overwrite the image; give --${xmlFlag} another name`);
  const xml = domainXml({
    name,
    image: image.image,
    format: image.format,
    firmware: image.firmware,
    memoryMiB: memory === undefined ? DEFAULT_MEMORY_MIB : wholeNumber(`${prefix}memory`, memory, 64, MAX_MEMORY_MIB, '1024'),
    cpus: cpus === undefined ? DEFAULT_CPUS : wholeNumber(`${prefix}cpus`, cpus, 1, MAX_CPUS, '2'),
    domainType: choice(`${prefix}domain-type`, flag('domain-type') ?? DEFAULT_DOMAIN_TYPE, LIBVIRT_DOMAIN_TYPES),
    network,
    consoleLog: consoleLog === undefined ? undefined : path.resolve(cwd, consoleLog),
    configDrive: configDriveFile,
  });
  return { xmlFile, configDriveFile, configDrive, name, xml };
}

/** `vm.xml` -> `vm-config-2.iso` in the same directory. */
export function configDrivePath(xmlFile: string): string {
  return path.join(path.dirname(xmlFile), `${path.basename(xmlFile).replace(/\.xml$/i, '')}-config-2.iso`);
}

function configDriveFromArgs(
  sshKey: string | undefined, userDataFile: string | undefined, hostnameFlag: string | undefined, name: string, prefix: string, cwd: string,
): ConfigDriveContent | undefined {
  if (sshKey === undefined) {
    for (const [flag, value] of [['user-data', userDataFile], ['hostname', hostnameFlag]]) {
      if (value !== undefined) throw new SpecError(`--${prefix}${flag} goes into a config drive, which needs --${prefix}ssh-key FILE.pub (as a Droplet needs a key); give it too, or leave --${prefix}${flag} out`);
    }
    return undefined;
  }
  const keyFile = path.resolve(cwd, sshKey);
  requireFile(keyFile, `--${prefix}ssh-key`, 'pass an OpenSSH public key file (make a key pair with ssh-keygen -t ed25519)');
  const publicKey = readFileSync(keyFile, 'utf8');
  const keyProblem = checkPublicKey(publicKey);
  if (keyProblem) throw new SpecError(`--${prefix}ssh-key ${sshKey} ${keyProblem}`);
  let userData: Buffer | undefined;
  if (userDataFile !== undefined) {
    const file = path.resolve(cwd, userDataFile);
    requireFile(file, `--${prefix}user-data`, 'pass a cloud-config (#cloud-config) or script (#!) file');
    userData = readFileSync(file);
  }
  const hostname = hostnameFlag ?? name;
  const problem = checkHostname(hostname);
  if (problem) {
    throw new SpecError(hostnameFlag === undefined
      ? `the domain name ${name} is not a hostname (it ${problem}); give the config drive one with --${prefix}hostname NAME`
      : `--${prefix}hostname ${hostname} ${problem}`);
  }
  return { publicKey, userData, hostname };
}

/**
 * Writes the config drive (when asked) and then the XML, each through a temp
 * file in its directory and a rename; returns the files written.
 */
export async function writeLibvirtOutput(out: LibvirtOutput, tools: ToolRunner): Promise<string[]> {
  const dir = path.dirname(out.xmlFile);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new SpecError(`cannot create the directory ${dir} for the libvirt XML (${(e as Error).message}); choose a writable place`);
  }
  const written: string[] = [];
  if (out.configDrive && out.configDriveFile) {
    await writeConfigDrive(out.configDrive, out.configDriveFile, tools);
    written.push(out.configDriveFile);
  }
  const tmp = path.join(dir, `.${path.basename(out.xmlFile)}.tmp-${process.pid}`);
  try {
    writeFileSync(tmp, out.xml);
    renameSync(tmp, out.xmlFile);
  } catch (e) {
    rmSync(tmp, { force: true });
    // nothing half-written: a config drive without its XML is removed again
    if (out.configDriveFile && written.includes(out.configDriveFile)) rmSync(out.configDriveFile, { force: true });
    throw new SpecError(`cannot write the libvirt XML ${out.xmlFile} (${(e as Error).message}); choose a writable place`);
  }
  written.push(out.xmlFile);
  return written;
}

/** A new instance id each time: cloud-init treats the domain's next boot as a first boot. */
async function writeConfigDrive(content: ConfigDriveContent, iso: string, tools: ToolRunner): Promise<void> {
  const staging = mkdtempSync(path.join(path.dirname(iso), '.config-drive-'));
  chmodSync(staging, 0o755); // the drive's root directory gets this mode (-R)
  const tmpIso = path.join(path.dirname(iso), `.${path.basename(iso)}.tmp-${process.pid}`);
  try {
    const drive = { uuid: randomUUID(), hostname: content.hostname, publicKey: content.publicKey, userData: content.userData };
    await writeConfigDriveIso(drive, staging, tmpIso, tools);
    // user data may hold secrets: only the owner (the session's QEMU runs as the same user) reads the drive
    chmodSync(tmpIso, 0o600);
    renameSync(tmpIso, iso);
  } finally {
    rmSync(staging, { recursive: true, force: true });
    if (existsSync(tmpIso)) rmSync(tmpIso, { force: true });
  }
}
