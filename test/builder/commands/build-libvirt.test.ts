import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkFlags, parseArgs } from '../../../src/builder/cli-args';
import { build as buildCommand } from '../../../src/builder/commands/build';
import { libvirtOutputOfBuild } from '../../../src/builder/commands/build-libvirt';
import { buildSpecFromArgs } from '../../../src/builder/commands/build-spec';
import { SWITCHES } from '../../../src/builder/commands/table';
import { SpecError } from '../../../src/builder/common/errors';
import { ToolRunner } from '../../../src/builder/common/tools';
import { tempDir } from '../support/tar';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGg0dW1teWtleWZvcnRoZXRlc3RzMDEyMzQ1Njc4OQ vm@test';

describe('build --libvirt-xml', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => { tmp = tempDir(); });
  afterEach(() => tmp.cleanup());

  function libvirtOf(argv: string[]) {
    const args = parseArgs(['build', '--tar', 'rootfs.tar', ...argv], SWITCHES);
    checkFlags(args, buildCommand.flags);
    const { spec, output } = buildSpecFromArgs(args, tmp.dir);
    return libvirtOutputOfBuild(args, spec, output, tmp.dir, new ToolRunner());
  }

  test('is nothing without --libvirt-xml', () => {
    expect(libvirtOf(['--output', 'vm.qcow2'])).toBeUndefined();
  });

  test('names the output image by its absolute path, with the format and firmware of the build', () => {
    // WHEN
    const out = libvirtOf(['--output', 'out/uefi.img', '--firmware', 'uefi', '--partition-table', 'gpt', '--libvirt-xml', 'out/uefi.xml']);
    // THEN
    expect(out).toMatchObject({ xmlFile: path.join(tmp.dir, 'out/uefi.xml'), name: 'uefi', configDriveFile: undefined });
    expect(out!.xml).toContain(`<source file='${path.join(tmp.dir, 'out/uefi.img')}'/>`);
    expect(out!.xml).toContain("<driver name='qemu' type='raw'/>");
    expect(out!.xml).toContain("<os firmware='efi'>");
    expect(out!.xml).toMatch(/^<domain type='kvm'>/);
  });

  test('takes the --libvirt-* options', () => {
    // WHEN
    const out = libvirtOf([
      '--output', 'vm.vmdk', '--libvirt-xml', 'vm.xml', '--libvirt-name', 'web-1', '--libvirt-memory', '2048', '--libvirt-cpus', '3',
      '--libvirt-domain-type', 'qemu', '--libvirt-network', 'default', '--libvirt-console-log', 'logs/console.log',
    ]);
    // THEN
    expect(out!.name).toBe('web-1');
    expect(out!.xml).toMatch(/^<domain type='qemu'>\n  <name>web-1<\/name>/);
    expect(out!.xml).toContain("<memory unit='MiB'>2048</memory>");
    expect(out!.xml).toContain('<vcpu>3</vcpu>');
    expect(out!.xml).toContain("<driver name='qemu' type='vmdk'/>");
    expect(out!.xml).toContain("<source network='default'/>");
    expect(out!.xml).toContain(`<log file='${path.join(tmp.dir, 'logs/console.log')}' append='off'/>`);
  });

  test('a public key asks for a config drive next to the XML, attached as vdb', () => {
    // GIVEN
    fs.writeFileSync(path.join(tmp.dir, 'key.pub'), `${KEY}\n`);
    // WHEN
    const out = libvirtOf(['--output', 'vm.qcow2', '--libvirt-xml', 'vm.xml', '--libvirt-ssh-key', 'key.pub']);
    // THEN
    expect(out!.configDriveFile).toBe(path.join(tmp.dir, 'vm-config-2.iso'));
    expect(out!.configDrive).toEqual({ publicKey: `${KEY}\n`, userData: undefined, hostname: 'vm' });
    expect(out!.xml).toContain(`<source file='${path.join(tmp.dir, 'vm-config-2.iso')}'/>\n      <target dev='vdb' bus='virtio'/>\n      <readonly/>`);
  });

  test.each([
    ['a gzip-compressed output', ['--output', 'vm.qcow2.gz', '--libvirt-xml', 'vm.xml'],
      '--libvirt-xml cannot be used with a gzip-compressed output'],
    ['a bzip2-compressed output', ['--output', 'vm.img', '--compress', 'bzip2', '--libvirt-xml', 'vm.xml'],
      '--libvirt-xml cannot be used with a bzip2-compressed output'],
    ['a vhdx output', ['--output', 'vm.vhdx', '--libvirt-xml', 'vm.xml'], 'libvirt cannot open a vhdx file as a disk'],
    ['a --libvirt-* flag without --libvirt-xml', ['--output', 'vm.qcow2', '--libvirt-cpus', '2'],
      '--libvirt-cpus needs --libvirt-xml FILE'],
    ['the XML is the image', ['--output', 'vm.qcow2', '--libvirt-xml', 'vm.qcow2'], 'is the image itself'],
    ['a bad name', ['--output', 'vm.qcow2', '--libvirt-xml', 'vm.xml', '--libvirt-name', 'my vm'], '--libvirt-name "my vm" must be 1 to 64'],
    ['an empty name', ['--output', 'vm.qcow2', '--libvirt-xml', 'vm.xml', '--libvirt-name', ''], '--libvirt-name "" must be'],
    ['too many vCPUs', ['--output', 'vm.qcow2', '--libvirt-xml', 'vm.xml', '--libvirt-cpus', '1000'], '--libvirt-cpus 1000 must be a whole number from 1 to 255'],
    ['memory that is not a number', ['--output', 'vm.qcow2', '--libvirt-xml', 'vm.xml', '--libvirt-memory', '1G'], '--libvirt-memory 1G must be a whole number'],
    ['an unknown domain type', ['--output', 'vm.qcow2', '--libvirt-xml', 'vm.xml', '--libvirt-domain-type', 'xen'],
      '--libvirt-domain-type xen is not supported; use one of kvm, qemu'],
    ['a bad network name', ['--output', 'vm.qcow2', '--libvirt-xml', 'vm.xml', '--libvirt-network', 'a/b'], '--libvirt-network "a/b" is not a libvirt network name'],
    ['user data without a key', ['--output', 'vm.qcow2', '--libvirt-xml', 'vm.xml', '--libvirt-user-data', 'init.sh'],
      '--libvirt-user-data goes into a config drive, which needs --libvirt-ssh-key FILE.pub'],
    ['a missing key file', ['--output', 'vm.qcow2', '--libvirt-xml', 'vm.xml', '--libvirt-ssh-key', 'missing.pub'], 'does not exist'],
  ])('fails before any work when given %s', (_what, argv, message) => {
    expect(() => libvirtOf(argv)).toThrow(SpecError);
    expect(() => libvirtOf(argv)).toThrow(message);
    expect(fs.readdirSync(tmp.dir)).toEqual([]);
  });

  test('fails when the key file holds a private key', () => {
    // GIVEN
    fs.writeFileSync(path.join(tmp.dir, 'id'), '-----BEGIN OPENSSH PRIVATE KEY-----\n');
    // THEN
    expect(() => libvirtOf(['--output', 'vm.qcow2', '--libvirt-xml', 'vm.xml', '--libvirt-ssh-key', 'id'])).toThrow('--libvirt-ssh-key id holds a private key');
  });

  test('fails when the domain name is no hostname for the config drive and no --libvirt-hostname is given', () => {
    // GIVEN
    fs.writeFileSync(path.join(tmp.dir, 'key.pub'), KEY);
    // THEN
    expect(() => libvirtOf(['--output', 'vm.qcow2', '--libvirt-xml', 'vm.xml', '--libvirt-ssh-key', 'key.pub', '--libvirt-name', 'my_vm']))
      .toThrow('the domain name my_vm is not a hostname');
    expect(libvirtOf(['--output', 'vm.qcow2', '--libvirt-xml', 'vm.xml', '--libvirt-ssh-key', 'key.pub', '--libvirt-name', 'my_vm', '--libvirt-hostname', 'my-vm'])!
      .configDrive!.hostname).toBe('my-vm');
  });
});
