import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpecError } from '../../../src/builder/common/errors';
import { OVA_DESCRIPTOR, OVA_MANIFEST, extractPackagedDisk, findPackage, packageMembers, writePackage } from '../../../src/builder/convert/packages';
import { listTar, writeTar } from '../../../src/builder/convert/tar';

let dir: string;
beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'cdvm-packages-test-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function disk(name: string, bytes = 3000): string {
  const file = path.join(dir, name);
  writeFileSync(file, Buffer.alloc(bytes, 0x5a));
  return file;
}

describe('an OVA', () => {
  test('holds the descriptor, then the manifest, then the disk the descriptor references', () => {
    // GIVEN
    const vmdk = disk('disk1.vmdk');
    const output = path.join(dir, 'disk.ova');
    // WHEN
    writePackage('ova', { disk: vmdk, output, virtualBytes: 1024 ** 3, firmware: 'bios', name: 'vm-1' });
    // THEN
    const entries = listTar(output);
    expect(entries.map(e => e.name)).toEqual([OVA_DESCRIPTOR, OVA_MANIFEST, 'disk1.vmdk']);
    expect(OVA_MANIFEST.replace(/\.mf$/, '')).toBe(OVA_DESCRIPTOR.replace(/\.ovf$/, ''));
    const bytes = readFileSync(output);
    const member = (i: number) => bytes.subarray(entries[i].offset, entries[i].offset + entries[i].size);
    const descriptor = member(0).toString('utf8');
    expect([...descriptor.matchAll(/<File ovf:href="([^"]+)"/g)].map(m => m[1])).toEqual(['disk1.vmdk']);
    expect(descriptor).toContain('ovf:size="3000"');
    expect(descriptor).toContain('ovf:capacity="1073741824"');
    expect(member(1).toString('utf8')).toBe(`SHA256(disk.ovf)= ${sha256(member(0))}\nSHA256(disk1.vmdk)= ${sha256(member(2))}\n`);
    expect(member(2).equals(readFileSync(vmdk))).toBe(true);
  });

  test('is found, and its VMDK copied out, by the reader check and boot use', () => {
    // GIVEN
    const output = path.join(dir, 'vm.ova');
    writePackage('ova', { disk: disk('disk1.vmdk'), output, virtualBytes: 1024 ** 3, firmware: 'uefi', name: 'vm-1' });
    const out = mkdtempSync(path.join(dir, 'out-'));
    // WHEN
    const found = findPackage(output);
    const extracted = extractPackagedDisk(output, 'ova', out);
    // THEN
    expect(found).toMatchObject({ format: 'ova', disk: { name: 'disk1.vmdk', size: 3000 } });
    expect(extracted).toEqual({ file: path.join(out, 'disk1.vmdk'), format: 'vmdk', packaged: 'ova' });
    expect(readFileSync(extracted.file).equals(Buffer.alloc(3000, 0x5a))).toBe(true);
  });
});

describe('a Vagrant libvirt box', () => {
  test('holds metadata.json, the Vagrantfile and box.img', () => {
    // GIVEN
    const img = disk('box.img');
    // WHEN
    const members = packageMembers('vagrant-libvirt', { disk: img, output: path.join(dir, 'x.box'), virtualBytes: 1141899264, firmware: 'bios', name: 'vm-1' });
    // THEN
    expect(members.map(m => m.name)).toEqual(['metadata.json', 'Vagrantfile', 'box.img']);
    expect(JSON.parse(members[0].data!.toString())).toEqual({ provider: 'libvirt', format: 'qcow2', virtual_size: 2 });
    expect(members[2].file).toBe(img);
  });

  test('is found and its qcow2 copied out without --format', () => {
    // GIVEN
    const output = path.join(dir, 'vm.box');
    writePackage('vagrant-libvirt', { disk: disk('box.img', 10), output, virtualBytes: 1024 ** 3, firmware: 'bios', name: 'vm-1' });
    // WHEN
    const extracted = extractPackagedDisk(output, undefined, dir);
    // THEN
    expect(extracted).toMatchObject({ format: 'qcow2', packaged: 'vagrant-libvirt' });
  });
});

describe('extractPackagedDisk', () => {
  test('fails when the tar is no package, naming the file and what it lacks', () => {
    // GIVEN
    const tar = path.join(dir, 'rootfs.tar');
    writeTar(tar, [{ name: 'etc', data: Buffer.from('x') }]);
    // THEN
    expect(() => extractPackagedDisk(tar, 'ova', dir)).toThrow(SpecError);
    expect(() => extractPackagedDisk(tar, 'ova', dir)).toThrow(/rootfs\.tar is not an ova package \(no OVF descriptor with a VMDK, nor metadata\.json with box\.img, in it\)/);
    expect(findPackage(tar)).toBeUndefined();
  });

  test('fails when the package is of another kind than asked', () => {
    // GIVEN
    const output = path.join(dir, 'vm.box');
    writePackage('vagrant-libvirt', { disk: disk('box.img', 10), output, virtualBytes: 1024 ** 3, firmware: 'bios', name: 'vm-1' });
    // THEN
    expect(() => extractPackagedDisk(output, 'ova', dir)).toThrow(/vm\.box is not an ova package \(it is vagrant-libvirt\)/);
  });

  test('fails when the package is truncated inside its disk', () => {
    // GIVEN
    const output = path.join(dir, 'vm.ova');
    writePackage('ova', { disk: disk('disk1.vmdk', 100_000), output, virtualBytes: 1024 ** 3, firmware: 'bios', name: 'vm-1' });
    writeFileSync(output, readFileSync(output).subarray(0, 50_000));
    // THEN
    expect(() => extractPackagedDisk(output, 'ova', dir)).toThrow(/vm\.ova ends inside its member at byte \d+; the package is truncated/);
  });
});
