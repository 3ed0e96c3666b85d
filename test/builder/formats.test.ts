import {
  DISK_FORMATS, compressionProblem, diskFormatFacts, diskFormatInside, formatExtensions, formatOfExtension, importedImageSuffix, packageFacts,
} from '../../src/builder/formats';

describe('importedImageSuffix', () => {
  test.each([
    ['app.img', true], ['app.raw.bz2', true], ['app.qcow2', true], ['app.qcow2.gz', true], ['app.vmdk', true], ['app.vhdx', true], ['app.vdi.gz', true],
    ['app.vhd', false], ['app.qcow2.xz', false], ['app.iso', false], ['app.QCOW2', false], ['app.tar.gz', false], ['qcow2', false],
  ])('GIVEN the file name %s WHEN matched against what DigitalOcean imports THEN %s', (name, imported) => {
    expect(importedImageSuffix('digitalocean').test(name)).toBe(imported);
  });
});

describe('packages in the format table', () => {
  test.each([
    ['ova', 'ova', 'vmdk', ['-o', 'subformat=streamOptimized'], 'disk1.vmdk'],
    ['vagrant-libvirt', 'box', 'qcow2', [], 'box.img'],
  ] as const)('GIVEN %s THEN its extension is .%s and it wraps a %s disk written with %j as %s', (format, extension, disk, options, member) => {
    expect(diskFormatFacts(format)).toMatchObject({ extension, qemuName: disk, qemuOptions: options, importedBy: [] });
    expect(packageFacts(format)).toEqual({ disk, diskMember: member, packager: format });
    expect(diskFormatInside(format)).toBe(disk);
    expect(formatOfExtension(extension)).toBe(format);
  });

  test('bare disk formats wrap nothing', () => {
    for (const f of DISK_FORMATS.filter(x => x !== 'ova' && x !== 'vagrant-libvirt')) {
      expect(packageFacts(f)).toBeUndefined();
      expect(diskFormatInside(f)).toBe(f);
    }
  });

  test('lists .ova and .box among the extensions, and no format name that is not an extension', () => {
    expect(formatExtensions()).toEqual(['img', 'raw', 'qcow2', 'vmdk', 'vhdx', 'vdi', 'vhd', 'ova', 'box']);
    expect(formatOfExtension('vagrant-libvirt')).toBeUndefined();
  });

  test.each(['app.ova', 'app.box', 'app.ova.gz'])('GIVEN %s THEN DigitalOcean does not import it', name => {
    expect(importedImageSuffix('digitalocean').test(name)).toBe(false);
  });

  test.each([
    ['ova', 'gzip'], ['ova', 'bzip2'], ['vagrant-libvirt', 'gzip'], ['vagrant-libvirt', 'bzip2'],
  ] as const)('refuses to compress %s with %s, saying why', (format, compression) => {
    expect(compressionProblem(format, compression)).toMatch(new RegExp(`^${format} is a tar package that VMware, VirtualBox and Vagrant read as it is, so it is not compressed \\(${compression} asked\\); build it without compression`));
  });

  test.each([['ova', 'none'], ['vagrant-libvirt', 'none'], ['qcow2', 'gzip'], ['raw', 'bzip2']] as const)('allows %s with %s', (format, compression) => {
    expect(compressionProblem(format, compression)).toBeUndefined();
  });
});
