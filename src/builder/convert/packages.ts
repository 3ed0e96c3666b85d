/**
 * The packagers of the format table's `wraps` rows: after qemu-img wrote the
 * disk, each writes the tar around it. And the way back for `check`, `boot`
 * and `preview`: find a package's disk and copy it out.
 *
 * OVA (DSP0243, "OVF package"): ustar, the descriptor first, then the
 * manifest, then the files in the order the descriptor's References list them.
 * Vagrant box (vagrant-libvirt): metadata.json, Vagrantfile, box.img.
 */
import { closeSync, openSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ovfDescriptor, ovfManifest } from './ovf-descriptor';
import { TarEntry, TarMember, listTar, writeTar } from './tar';
import { BOX_VAGRANTFILE, boxMetadata } from './vagrant-box';
import { copyRangeToFile } from '../common/copy-range';
import { sha256FileSync, sha256Hex } from '../common/digest';
import { SpecError } from '../common/errors';
import { DiskFormatName, PackagerName, diskFormatInside, packageFacts } from '../spec';

/** The OVA's descriptor and manifest names (the manifest shares the descriptor's base name, as OVF requires). */
export const OVA_DESCRIPTOR = 'disk.ovf';
export const OVA_MANIFEST = 'disk.mf';
export const BOX_METADATA = 'metadata.json';
export const BOX_VAGRANTFILE_NAME = 'Vagrantfile';

export interface PackageInput {
  /** The disk qemu-img wrote; its base name is its name in the package. */
  readonly disk: string;
  /** The package file to write. */
  readonly output: string;
  /** The disk's virtual size in bytes. */
  readonly virtualBytes: number;
  readonly firmware: 'bios' | 'uefi';
  /** The virtual machine's name where the package has one (the OVA's virtual system). */
  readonly name: string;
}

/** The members of the package, in archive order, as `writeTar` takes them. */
export function packageMembers(packager: PackagerName, input: PackageInput): TarMember[] {
  const diskName = path.basename(input.disk);
  if (packager === 'ova') {
    const descriptor = Buffer.from(ovfDescriptor({
      name: input.name, diskFile: diskName, diskFileBytes: statSync(input.disk).size, capacityBytes: input.virtualBytes, firmware: input.firmware,
    }));
    const manifest = Buffer.from(ovfManifest([
      { name: OVA_DESCRIPTOR, sha256: sha256Hex(descriptor) },
      { name: diskName, sha256: sha256FileSync(input.disk) },
    ]));
    return [{ name: OVA_DESCRIPTOR, data: descriptor }, { name: OVA_MANIFEST, data: manifest }, { name: diskName, file: input.disk }];
  }
  return [
    { name: BOX_METADATA, data: Buffer.from(boxMetadata(input.virtualBytes)) },
    { name: BOX_VAGRANTFILE_NAME, data: Buffer.from(BOX_VAGRANTFILE) },
    { name: diskName, file: input.disk },
  ];
}

/** Writes the package; an OVA member above 8 GiB - 1 is an error (ustar), a box's gets GNU's base-256 size. */
export function writePackage(packager: PackagerName, input: PackageInput): void {
  writeTar(input.output, packageMembers(packager, input), { allowBase256Sizes: packager === 'vagrant-libvirt' });
}

/** A package found in a tar: which format it is and where its disk is. */
export interface FoundPackage {
  readonly format: DiskFormatName;
  readonly disk: TarEntry;
}

/**
 * The package a tar archive is, told by its members: an OVA starts with its
 * `.ovf` descriptor and holds a `.vmdk`; a Vagrant libvirt box holds
 * `metadata.json` and `box.img`. Undefined for any other tar.
 */
export function findPackage(file: string): FoundPackage | undefined {
  const entries = listTar(file).filter(e => e.type === '0');
  const vmdk = entries.find(e => e.name.toLowerCase().endsWith('.vmdk'));
  if (entries[0]?.name.toLowerCase().endsWith('.ovf') && vmdk) return { format: 'ova', disk: vmdk };
  const boxImg = entries.find(e => e.name === packageFacts('vagrant-libvirt')!.diskMember);
  if (boxImg && entries.some(e => e.name === BOX_METADATA)) return { format: 'vagrant-libvirt', disk: boxImg };
  return undefined;
}

/**
 * Copies the disk out of a package into `dir` and returns it with its format
 * (vmdk for an OVA, qcow2 for a box). `format` is the package format the
 * caller expects, if it knows: another kind of file is then an error naming it.
 */
export function extractPackagedDisk(
  file: string, format: DiskFormatName | undefined, dir: string,
): { file: string; format: DiskFormatName; packaged: DiskFormatName } {
  const found = findPackage(file);
  if (!found || (format !== undefined && found.format !== format)) {
    const expected = format ?? 'ova or vagrant-libvirt';
    throw new SpecError(`${file} is not ${expected === 'ova' ? 'an' : 'a'} ${expected} package (${found ? `it is ${found.format}` : 'no OVF descriptor with a VMDK, nor metadata.json with box.img, in it'}); ` +
      'give the file cdktf-docker-vm build wrote, or pass the right --format');
  }
  const out = path.join(dir, path.basename(found.disk.name));
  const fd = openSync(file, 'r');
  try {
    copyRangeToFile(fd, found.disk.offset, found.disk.size, out,
      at => new SpecError(`${file} ends inside its member at byte ${at}; the package is truncated: build or download it again`));
  } finally {
    closeSync(fd);
  }
  return { file: out, format: diskFormatInside(found.format), packaged: found.format };
}
