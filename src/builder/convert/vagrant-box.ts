/**
 * The files of a Vagrant box for the vagrant-libvirt provider (its box format
 * version 1): `metadata.json` naming the provider, the disk format and the
 * virtual size in GiB, the disk as `box.img`, and a `Vagrantfile` with the
 * provider defaults the box brings. Pure: no I/O.
 */
import { BuilderError } from '../common/errors';

/** metadata.json: `virtual_size` is whole GiB, rounded up (vagrant-libvirt grows the domain's disk to it). */
export function boxMetadata(virtualBytes: number): string {
  if (!Number.isSafeInteger(virtualBytes) || virtualBytes <= 0) {
    throw new BuilderError(`box virtual size ${virtualBytes} is not a byte count; this is a bug, please report it`);
  }
  return JSON.stringify({ provider: 'libvirt', format: 'qcow2', virtual_size: Math.ceil(virtualBytes / 1024 ** 3) }) + '\n';
}

/**
 * The box's Vagrantfile, read before the user's. Software emulation (`driver
 * qemu`) runs on hosts without /dev/kvm; with KVM set `libvirt.driver = "kvm"`
 * in the project's Vagrantfile. The image has no `vagrant` user and no
 * insecure key (cdktf-docker-vm images take SSH keys from cloud-init), so the
 * project's Vagrantfile names the user and key it put into the image; the
 * default /vagrant folder sync is off for the same reason.
 */
export const BOX_VAGRANTFILE = `# Written by cdktf-docker-vm: defaults of this box for the libvirt provider.
Vagrant.configure("2") do |config|
  config.vm.synced_folder ".", "/vagrant", disabled: true
  config.vm.provider :libvirt do |libvirt|
    # software emulation: runs without /dev/kvm; set libvirt.driver = "kvm" where KVM works
    libvirt.driver = "qemu"
    libvirt.disk_bus = "virtio"
    libvirt.nic_model_type = "virtio"
    libvirt.memory = 1024
    libvirt.cpus = 2
  end
end
`;
