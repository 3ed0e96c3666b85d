import { DataResource, Testing } from 'cdktf';
import { Compression, DiskFormat, ImageArtifact } from '../../../src';
import { COMPRESSIONS, DISK_FORMATS } from '../../../src/builder/spec';
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
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DataResource, {
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
    expect(() => new ImageArtifact(stack, 'Image', { bootloader, format: 'iso' as DiskFormat })).toThrow(/^format must be one of raw, qcow2, vmdk, vhdx, vdi, vhd, got iso/);
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
