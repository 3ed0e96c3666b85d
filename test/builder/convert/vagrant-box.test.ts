import { BOX_VAGRANTFILE, boxMetadata } from '../../../src/builder/convert/vagrant-box';

describe('boxMetadata', () => {
  test.each([
    [1, 1], [1024 ** 3, 1], [1024 ** 3 + 1, 2], [1141899264, 2], [100 * 1024 ** 3, 100],
  ])('GIVEN a %d-byte disk THEN virtual_size is %d GiB, rounded up', (bytes, gib) => {
    expect(JSON.parse(boxMetadata(bytes))).toEqual({ provider: 'libvirt', format: 'qcow2', virtual_size: gib });
  });

  test('is one line of JSON', () => {
    expect(boxMetadata(1024 ** 3)).toBe('{"provider":"libvirt","format":"qcow2","virtual_size":1}\n');
  });

  test.each([0, -1, 1.5])('fails when the virtual size is %d', bytes => {
    expect(() => boxMetadata(bytes)).toThrow(/box virtual size .* is not a byte count/);
  });
});

describe('BOX_VAGRANTFILE', () => {
  test('configures the libvirt provider for software emulation with virtio disk and NIC, and no /vagrant sync', () => {
    expect(BOX_VAGRANTFILE).toMatch(/^# Written by cdktf-docker-vm/);
    expect(BOX_VAGRANTFILE).toContain('config.vm.provider :libvirt do |libvirt|');
    expect(BOX_VAGRANTFILE).toContain('libvirt.driver = "qemu"');
    expect(BOX_VAGRANTFILE).toContain('libvirt.disk_bus = "virtio"');
    expect(BOX_VAGRANTFILE).toContain('libvirt.nic_model_type = "virtio"');
    expect(BOX_VAGRANTFILE).toContain('config.vm.synced_folder ".", "/vagrant", disabled: true');
  });
});
