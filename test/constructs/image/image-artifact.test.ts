import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { Compression, DiskFormat, ImageArtifact } from '../../../src';
import { COMPRESSIONS, DISK_FORMATS } from '../../../src/builder/spec';
import { TerraformData } from '../../../src/constructs/terraform/terraform-data';
import { chain, resource } from '../helpers';

describe('ImageArtifact', () => {
  test('converts to qcow2 without compression by default and always writes the file', () => {
    // GIVEN
    const { stack, bootloader } = chain();
    // WHEN
    const artifact = new ImageArtifact(stack, 'Image', { bootloader });
    // THEN
    expect(artifact.format).toBe(DiskFormat.QCOW2);
    expect(artifact.compression).toBe(Compression.NONE);
    expect(artifact.artifactPath).toBe(`docker-vm-artifacts/${artifact.fingerprint}-convert.qcow2`);
    expect(Testing.synth(stack)).toHaveResourceWithProperties(TerraformData, {
      triggers_replace: expect.objectContaining({ fingerprint: artifact.fingerprint, artifact_path: artifact.artifactPath }),
    });
    expect(resource(stack, 'terraform_data', 'Image_Build').depends_on).toEqual([expect.stringMatching(/^terraform_data\.Bootloader_Build_/)]);
  });

  test.each([
    [DiskFormat.RAW, Compression.NONE, '.img'],
    [DiskFormat.QCOW2, Compression.GZIP, '.qcow2.gz'],
    [DiskFormat.VMDK, Compression.BZIP2, '.vmdk.bz2'],
    [DiskFormat.VHDX, Compression.NONE, '.vhdx'],
    [DiskFormat.VDI, Compression.NONE, '.vdi'],
    [DiskFormat.VHD, Compression.GZIP, '.vhd.gz'],
    [DiskFormat.OVA, Compression.NONE, '.ova'],
    [DiskFormat.VAGRANT_LIBVIRT, Compression.NONE, '.box'],
  ])('names a %s file compressed with %s with the extension %s', (format, compression, extension) => {
    // GIVEN
    const { stack, bootloader } = chain();
    // WHEN
    const artifact = new ImageArtifact(stack, 'Image', { bootloader, format, compression });
    // THEN
    expect(artifact.fileName).toBe(`${artifact.fingerprint}-convert${extension}`);
  });

  test('format and compression change the fingerprint but not the bootloader', () => {
    // GIVEN
    const a = chain();
    const b = chain(undefined);
    // WHEN
    const one = new ImageArtifact(a.stack, 'Image', { bootloader: a.bootloader, format: DiskFormat.QCOW2 });
    const two = new ImageArtifact(b.stack, 'Image', { bootloader: b.bootloader, format: DiskFormat.RAW });
    // THEN
    expect(one.fingerprint).not.toBe(two.fingerprint);
  });

  test('fails when the format is unknown', () => {
    const { stack, bootloader } = chain();
    expect(() => new ImageArtifact(stack, 'Image', { bootloader, format: 'iso' as DiskFormat })).toThrow(/^format must be one of raw, qcow2, vmdk, vhdx, vdi, vhd, ova, vagrant-libvirt, got iso/);
  });

  test.each([DiskFormat.OVA, DiskFormat.VAGRANT_LIBVIRT])('writes a %s package into the convert spec, uncompressed', format => {
    // GIVEN
    const { stack, bootloader } = chain();
    // WHEN
    const artifact = new ImageArtifact(stack, 'Image', { bootloader, format });
    // THEN
    const outdir = Testing.fullSynth(stack);
    const specFile = path.join(outdir, 'stacks', 'test', 'docker-vm-specs', `${artifact.fingerprint}-convert.json`);
    expect(JSON.parse(readFileSync(specFile, 'utf8')).spec).toMatchObject({ stage: 'convert', format, compression: 'none' });
  });

  test.each([
    [DiskFormat.OVA, Compression.GZIP],
    [DiskFormat.VAGRANT_LIBVIRT, Compression.BZIP2],
  ])('fails when a %s package is compressed with %s', (format, compression) => {
    const { stack, bootloader } = chain();
    expect(() => new ImageArtifact(stack, 'Image', { bootloader, format, compression }))
      .toThrow(new RegExp(`^compression ${compression} does not go with format ${format}: ${format} is a tar package .* so it is not compressed`));
  });

  test('fails when the compression is unknown', () => {
    const { stack, bootloader } = chain();
    expect(() => new ImageArtifact(stack, 'Image', { bootloader, compression: 'xz' as Compression })).toThrow(/^compression must be one of none, gzip, bzip2, got xz/);
  });
});

describe('DiskFormat and Compression', () => {
  test('name exactly the formats and compressions of the builder\'s table', () => {
    expect(Object.values(DiskFormat).sort()).toEqual([...DISK_FORMATS].sort());
    expect(Object.values(Compression).sort()).toEqual([...COMPRESSIONS].sort());
  });
});
