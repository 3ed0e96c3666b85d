/**
 * The output formats and compressions: one row each, read by the spec schema,
 * the convert stage, `check`, `boot`, the CLI and the constructs. Adding a
 * format is a row here (and a converter if qemu-img does not write it). A
 * package (`ova`, `vagrant-libvirt`) is a row too: a tar around a disk that
 * qemu-img writes, with the packager that writes the tar (convert/packages.ts).
 */
import { CloudName } from './spec-values';

export interface DiskFormatFacts {
  /** qemu-img's name for it (`-O`, `-f`). */
  readonly qemuName: string;
  /** qemu-img create options it is written with. */
  readonly qemuOptions: readonly string[];
  /** File name extension of an image in this format, without the dot. */
  readonly extension: string;
  /** Further extensions `build --output` reads this format from. */
  readonly otherExtensions: readonly string[];
  /** Clouds whose custom-image import takes it. */
  readonly importedBy: readonly CloudName[];
  /** For usage texts and docs. */
  readonly description: string;
  /**
   * Set for a package: a tar holding the disk (written by qemu-img with
   * `qemuName` and `qemuOptions`) and the files a hypervisor imports it with.
   */
  readonly wraps?: PackageFacts;
}

/** The packagers in src/builder/convert/packages.ts. */
export const PACKAGERS = ['ova', 'vagrant-libvirt'] as const;
export type PackagerName = typeof PACKAGERS[number];

export interface PackageFacts {
  /** This tool's name of the disk's format inside the package. */
  readonly disk: string;
  /** The disk's file name inside the package. */
  readonly diskMember: string;
  /** Which packager writes the tar around the disk. */
  readonly packager: PackagerName;
}

const DISK_FORMAT_TABLE = {
  'raw': { qemuName: 'raw', qemuOptions: [], extension: 'img', otherExtensions: ['raw'], importedBy: ['digitalocean'], description: 'raw disk: largest file, runs anywhere' },
  'qcow2': { qemuName: 'qcow2', qemuOptions: [], extension: 'qcow2', otherExtensions: [], importedBy: ['digitalocean'], description: 'QEMU copy-on-write v2: sparse, the usual choice' },
  'vmdk': { qemuName: 'vmdk', qemuOptions: [], extension: 'vmdk', otherExtensions: [], importedBy: ['digitalocean'], description: 'VMware' },
  'vhdx': { qemuName: 'vhdx', qemuOptions: [], extension: 'vhdx', otherExtensions: [], importedBy: ['digitalocean'], description: 'Hyper-V' },
  'vdi': { qemuName: 'vdi', qemuOptions: [], extension: 'vdi', otherExtensions: [], importedBy: ['digitalocean'], description: 'VirtualBox' },
  'vhd': { qemuName: 'vpc', qemuOptions: ['-o', 'subformat=dynamic'], extension: 'vhd', otherExtensions: [], importedBy: [], description: 'Virtual PC / Azure (DigitalOcean does not import it)' },
  'ova': {
    qemuName: 'vmdk',
    qemuOptions: ['-o', 'subformat=streamOptimized'],
    extension: 'ova',
    otherExtensions: [],
    importedBy: [],
    description: 'OVF 1.0 package for VMware ESXi/Workstation and VirtualBox: descriptor, SHA256 manifest and a streamOptimized VMDK in a tar (DigitalOcean does not import it)',
    wraps: { disk: 'vmdk', diskMember: 'disk1.vmdk', packager: 'ova' },
  },
  'vagrant-libvirt': {
    qemuName: 'qcow2',
    qemuOptions: [],
    extension: 'box',
    otherExtensions: [],
    importedBy: [],
    description: 'Vagrant box for the libvirt provider: metadata.json, Vagrantfile and a qcow2 box.img in a tar (DigitalOcean does not import it)',
    wraps: { disk: 'qcow2', diskMember: 'box.img', packager: 'vagrant-libvirt' },
  },
} as const satisfies Readonly<Record<string, DiskFormatFacts>>;

export type DiskFormatName = keyof typeof DISK_FORMAT_TABLE;
export const DISK_FORMATS = Object.keys(DISK_FORMAT_TABLE) as [DiskFormatName, ...DiskFormatName[]];

export function diskFormatFacts(name: DiskFormatName): DiskFormatFacts {
  return DISK_FORMAT_TABLE[name];
}

export interface CompressionFacts {
  /** Extension added after the format's, without the dot; empty for none. */
  readonly extension: string;
  /** Clouds whose custom-image import takes it. */
  readonly importedBy: readonly CloudName[];
}

const COMPRESSION_TABLE = {
  none: { extension: '', importedBy: ['digitalocean'] },
  gzip: { extension: 'gz', importedBy: ['digitalocean'] },
  bzip2: { extension: 'bz2', importedBy: ['digitalocean'] },
} as const satisfies Readonly<Record<string, CompressionFacts>>;

export type CompressionName = keyof typeof COMPRESSION_TABLE;
export const COMPRESSIONS = Object.keys(COMPRESSION_TABLE) as [CompressionName, ...CompressionName[]];

export function compressionFacts(name: CompressionName): CompressionFacts {
  return COMPRESSION_TABLE[name];
}

/** Image file name extension with its leading dot, e.g. `.qcow2.gz`. */
export function imageExtension(format: DiskFormatName, compressionName: CompressionName): string {
  const c = COMPRESSION_TABLE[compressionName].extension;
  return `.${DISK_FORMAT_TABLE[format].extension}${c ? `.${c}` : ''}`;
}

/** The format whose qemu-img name this is (`vpc` is vhd). */
export function formatOfQemuName(qemuName: string): DiskFormatName | undefined {
  return DISK_FORMATS.find(f => DISK_FORMAT_TABLE[f].qemuName === qemuName);
}

/** Every extension (without the dot) that names a format, in table order: `img`, `raw`, `qcow2`, ..., `ova`, `box`. */
export function formatExtensions(): string[] {
  return [...new Set(DISK_FORMATS.flatMap(f => {
    const facts: DiskFormatFacts = DISK_FORMAT_TABLE[f];
    return [facts.extension, ...facts.otherExtensions];
  }))];
}

/** The format an extension (without the dot) names, if any: `img` and `raw` are raw. */
export function formatOfExtension(extension: string): DiskFormatName | undefined {
  const ext = extension.toLowerCase();
  return DISK_FORMATS.find(f => {
    const facts: DiskFormatFacts = DISK_FORMAT_TABLE[f];
    return facts.extension === ext || facts.otherExtensions.includes(ext);
  });
}

/** The compression an extension (without the dot) names, if any. */
export function compressionOfExtension(extension: string): CompressionName | undefined {
  const ext = extension.toLowerCase();
  return ext === '' ? undefined : COMPRESSIONS.find(c => COMPRESSION_TABLE[c].extension === ext);
}

/** The formats a cloud imports. */
export function formatsImportedBy(cloud: CloudName): DiskFormatName[] {
  return DISK_FORMATS.filter(f => (DISK_FORMAT_TABLE[f].importedBy as readonly CloudName[]).includes(cloud));
}

/** The compressions a cloud imports. */
export function compressionsImportedBy(cloud: CloudName): CompressionName[] {
  return COMPRESSIONS.filter(c => (COMPRESSION_TABLE[c].importedBy as readonly CloudName[]).includes(cloud));
}

/**
 * Matches the end of an image file name a cloud imports: a format extension,
 * then optionally a compression's, e.g. `.qcow2.gz` (exact case, as the cloud reads it).
 */
export function importedImageSuffix(cloud: CloudName): RegExp {
  const formats = [...new Set(formatsImportedBy(cloud).flatMap(f => {
    const facts: DiskFormatFacts = DISK_FORMAT_TABLE[f];
    return [facts.extension, ...facts.otherExtensions];
  }))];
  const compressions = compressionsImportedBy(cloud).map(c => COMPRESSION_TABLE[c].extension).filter(Boolean);
  return new RegExp(`\\.(${formats.join('|')})(\\.(${compressions.join('|')}))?$`);
}

/** qemu-img's name for the format; for a package, the disk's inside it (open it with openPackagedDisk first). */
export function qemuFormatName(format: DiskFormatName): string {
  return DISK_FORMAT_TABLE[format].qemuName;
}

/** What a package wraps; undefined for a bare disk format. */
export function packageFacts(format: DiskFormatName): PackageFacts | undefined {
  const facts: DiskFormatFacts = DISK_FORMAT_TABLE[format];
  return facts.wraps;
}

/** The format of the disk a file of this format holds: itself, or the disk inside a package. */
export function diskFormatInside(format: DiskFormatName): DiskFormatName {
  return (packageFacts(format)?.disk ?? format) as DiskFormatName;
}

/**
 * Why this format cannot be compressed so, or undefined when it can: a
 * package is a tar already, read by hypervisors as it is.
 */
export function compressionProblem(format: DiskFormatName, compression: CompressionName): string | undefined {
  if (compression === 'none' || !packageFacts(format)) return undefined;
  return `${format} is a tar package that VMware, VirtualBox and Vagrant read as it is, so it is not compressed (${compression} asked); ` +
    `build it without compression (.${DISK_FORMAT_TABLE[format].extension}), or compress a bare disk format such as qcow2`;
}
