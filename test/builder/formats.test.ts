import { importedImageSuffix } from '../../src/builder/formats';

describe('importedImageSuffix', () => {
  test.each([
    ['app.img', true], ['app.raw.bz2', true], ['app.qcow2', true], ['app.qcow2.gz', true], ['app.vmdk', true], ['app.vhdx', true], ['app.vdi.gz', true],
    ['app.vhd', false], ['app.qcow2.xz', false], ['app.iso', false], ['app.QCOW2', false], ['app.tar.gz', false], ['qcow2', false],
  ])('GIVEN the file name %s WHEN matched against what DigitalOcean imports THEN %s', (name, imported) => {
    expect(importedImageSuffix('digitalocean').test(name)).toBe(imported);
  });
});
