import { Testing } from 'cdktf';
import { Compression, DiskFormat, Firmware, ImageArtifact, LibvirtDomain, LibvirtDomainType } from '../../../src';
import { Bootloader } from '../../../src/constructs/bootloader/bootloader';
import { TerraformData } from '../../../src/constructs/terraform/terraform-data';
import { chain, resource } from '../helpers';

function image(props: { format?: DiskFormat; compression?: Compression; firmware?: Firmware } = {}) {
  const { stack, bootloader, disk } = chain();
  const boot = props.firmware ? new Bootloader(stack, 'UefiBoot', { disk, firmware: props.firmware }) : bootloader;
  return { stack, image: new ImageArtifact(stack, 'Image', { bootloader: boot, format: props.format, compression: props.compression }) };
}

describe('LibvirtDomain', () => {
  test('writes the XML for the image after it, with the defaults: kvm, 1024 MiB, 2 vCPUs, usermode networking', () => {
    // GIVEN
    const { stack, image: img } = image();
    // WHEN
    const domain = new LibvirtDomain(stack, 'web', { image: img });
    // THEN
    expect(domain.domainName).toBe('web');
    expect(domain.xmlPath).toBe('docker-vm-artifacts/libvirt-web.xml');
    const input = {
      image: img.artifactPath,
      format: 'qcow2',
      firmware: 'bios',
      name: 'web',
      memory_mib: 1024,
      cpus: 2,
      domain_type: 'kvm',
      network: 'user',
      xml_path: 'docker-vm-artifacts/libvirt-web.xml',
    };
    expect(Testing.synth(stack)).toHaveResourceWithProperties(TerraformData, {
      input,
      triggers_replace: { image_fingerprint: img.fingerprint, ...input },
    });
    const xml = resource(stack, 'terraform_data', 'web_Xml');
    expect(xml.depends_on).toEqual([expect.stringMatching(/^terraform_data\.Image_Build_/)]);
    expect(xml.provisioner.map((p: any) => [p['local-exec'].command, p['local-exec'].when])).toEqual([
      ['write-libvirt-xml', undefined], ['remove-libvirt-xml', 'destroy'],
    ]);
    // no user string is a word of the command line: the input goes through the environment
    expect(xml.provisioner[0]['local-exec'].environment).toEqual({ CDKTF_DOCKER_VM_INPUT: '${jsonencode(self.input)}' });
  });

  test('takes the image\'s format and firmware and the given options', () => {
    // GIVEN
    const { stack, image: img } = image({ format: DiskFormat.RAW, firmware: Firmware.UEFI });
    // WHEN
    new LibvirtDomain(stack, 'Domain', {
      image: img, domainName: 'uefi-vm', memoryMiB: 2048, cpus: 4, domainType: LibvirtDomainType.QEMU, network: 'default', consoleLogPath: '/tmp/console.log',
    });
    // THEN
    expect(resource(stack, 'terraform_data', 'Domain_Xml').input).toEqual({
      image: img.artifactPath,
      format: 'raw',
      firmware: 'uefi',
      name: 'uefi-vm',
      memory_mib: 2048,
      cpus: 4,
      domain_type: 'qemu',
      network: 'default',
      console_log: '/tmp/console.log',
      xml_path: 'docker-vm-artifacts/libvirt-uefi-vm.xml',
    });
  });

  test('a public key asks for a config drive with the domain name as hostname; the key text goes into the input', () => {
    // GIVEN
    const { stack, image: img } = image();
    // WHEN
    new LibvirtDomain(stack, 'web', { image: img, configDrivePublicKey: 'ssh-ed25519 AAAAC3Nz vm@test\n' });
    new LibvirtDomain(stack, 'db', { image: img, configDrivePublicKey: 'ssh-ed25519 AAAAC3Nz vm@test', configDriveHostname: 'db.example' });
    // THEN
    expect(resource(stack, 'terraform_data', 'web_Xml').input).toMatchObject({ public_key: 'ssh-ed25519 AAAAC3Nz vm@test', hostname: 'web' });
    expect(resource(stack, 'terraform_data', 'db_Xml').input).toMatchObject({ public_key: 'ssh-ed25519 AAAAC3Nz vm@test', hostname: 'db.example' });
  });

  test('a new image writes the XML again', () => {
    // GIVEN
    const a = image({ format: DiskFormat.QCOW2 });
    const b = image({ format: DiskFormat.VMDK });
    // WHEN
    new LibvirtDomain(a.stack, 'vm', { image: a.image });
    new LibvirtDomain(b.stack, 'vm', { image: b.image });
    // THEN
    const triggers = [a.stack, b.stack].map(s => resource(s, 'terraform_data', 'vm_Xml').triggers_replace.image_fingerprint);
    expect(triggers[0]).not.toBe(triggers[1]);
  });

  test.each([
    ['a compressed image', { compression: Compression.GZIP }, {}, /image is compressed \(gzip\), and libvirt opens only uncompressed disks/],
    ['a VHDX image', { format: DiskFormat.VHDX }, {}, /image is vhdx, which libvirt cannot open as a disk \(it opens raw, qcow2, vmdk, vdi, vhd\)/],
    ['a domain name with a space', {}, { domainName: 'my vm' }, /domainName "my vm" must be 1 to 64 letters/],
    ['too little memory', {}, { memoryMiB: 16 }, /memoryMiB must be a whole number of at least 64, got 16/],
    ['no vCPU', {}, { cpus: 0 }, /cpus must be a whole number from 1 to 255, got 0/],
    ['an unknown domain type', {}, { domainType: 'xen' as LibvirtDomainType }, /domainType must be one of kvm, qemu, got xen/],
    ['a bad network name', {}, { network: 'a/b' }, /network "a\/b" is not a libvirt network name/],
    ['a console log path with a newline', {}, { consoleLogPath: 'a\nb' }, /consoleLogPath "a\\nb" must be a file path without control characters/],
    ['a key file path as public key', {}, { configDrivePublicKey: '/home/me/.ssh/id_ed25519.pub' }, /configDrivePublicKey is not an OpenSSH public key \(expected the text of a .pub file/],
    ['a hostname without a public key', {}, { configDriveHostname: 'web' }, /configDriveHostname goes into a config drive, which needs configDrivePublicKey/],
    ['a bad config drive hostname', {}, { configDrivePublicKey: 'ssh-ed25519 AAAA', configDriveHostname: '-web' }, /configDriveHostname "-web" must be letters, digits and dashes/],
    ['a domain name that is no hostname, with a config drive', {}, { configDrivePublicKey: 'ssh-ed25519 AAAA', domainName: 'web_1' }, /the domain name web_1 is not a hostname for the config drive.*set configDriveHostname/],
  ])('fails when given %s', (_what, imageProps, props, message) => {
    const { stack, image: img } = image(imageProps);
    expect(() => new LibvirtDomain(stack, 'vm', { image: img, ...props })).toThrow(message);
  });

  test('fails when the construct id is no domain name and no domainName is given', () => {
    const { stack, image: img } = image();
    expect(() => new LibvirtDomain(stack, 'My VM', { image: img })).toThrow('the construct id My VM is not a libvirt domain name');
  });

  test('fails when no image is given', () => {
    const { stack } = image();
    expect(() => new LibvirtDomain(stack, 'vm', {} as never)).toThrow('image must be set for LibvirtDomain');
  });
});
