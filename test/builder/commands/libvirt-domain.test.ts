import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../src/builder/cli';
import { removeXml } from '../../../src/builder/commands/libvirt-domain';
import { ToolRunner } from '../../../src/builder/common/tools';
import { fakeIo } from '../support/fake-io';
import { tempDir } from '../support/tar';

const IMAGE = `docker-vm-artifacts/${'ab'.repeat(32)}-convert.qcow2`;

/** The input a LibvirtDomain construct gives its terraform_data (test/constructs/image/libvirt-domain.test.ts checks the other side). */
const INPUT = {
  image: IMAGE,
  format: 'qcow2',
  firmware: 'bios',
  name: 'web',
  memory_mib: 1024,
  cpus: '2',
  domain_type: 'qemu',
  network: 'user',
  xml_path: 'docker-vm-artifacts/libvirt-web.xml',
};

describe('write-libvirt-xml and remove-libvirt-xml', () => {
  let tmp: ReturnType<typeof tempDir>;
  let stack: string;
  let saved: string;
  beforeEach(() => {
    tmp = tempDir();
    stack = path.join(fs.realpathSync(tmp.dir), 'stack');
    fs.mkdirSync(path.join(stack, 'docker-vm-artifacts'), { recursive: true });
    fs.writeFileSync(path.join(stack, IMAGE), 'image');
    saved = process.cwd();
    process.chdir(stack);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.chdir(saved);
    delete process.env.CDKTF_DOCKER_VM_INPUT;
    tmp.cleanup();
  });

  async function run(command: string, input: object) {
    process.env.CDKTF_DOCKER_VM_INPUT = JSON.stringify(input);
    const { io, out } = fakeIo();
    return { code: await main([command], io), ...out };
  }

  test('writes the XML at xml_path, naming the image by its absolute path, and removes it on destroy', async () => {
    // WHEN
    const written = await run('write-libvirt-xml', { ...INPUT, console_log: 'console.log' });
    // THEN
    expect(written.code).toBe(0);
    const xml = fs.readFileSync(path.join(stack, INPUT.xml_path), 'utf8');
    expect(xml).toContain(`<source file='${path.join(stack, IMAGE)}'/>`);
    expect(xml).toContain(`<log file='${path.join(stack, 'console.log')}' append='off'/>`);
    expect(xml).toMatch(/^<domain type='qemu'>\n  <name>web<\/name>/);
    expect(xml).toContain('<vcpu>2</vcpu>');
    // WHEN
    const removed = await run('remove-libvirt-xml', INPUT);
    // THEN
    expect(removed.code).toBe(0);
    expect(removed.stderr).toContain('libvirt: removed docker-vm-artifacts/libvirt-web.xml');
    expect(fs.readdirSync(path.join(stack, 'docker-vm-artifacts'))).toEqual([path.basename(IMAGE)]);
  });

  test('a public key also writes a config drive next to the XML, attached as vdb, and removes both on destroy', async () => {
    // GIVEN a tool runner standing in for genisoimage: only the argv it gets is checked here (the integ test runs the real one)
    const calls: string[][] = [];
    jest.spyOn(ToolRunner.prototype, 'require').mockImplementation(() => undefined);
    jest.spyOn(ToolRunner.prototype, 'run').mockImplementation(async call => {
      calls.push([call.tool, ...call.args]);
      fs.writeFileSync(call.args[call.args.indexOf('-o') + 1], 'iso');
      return { stdout: '', stderr: '' } as never;
    });
    const input = { ...INPUT, public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA vm@test', hostname: 'web' };
    // WHEN
    const written = await run('write-libvirt-xml', input);
    // THEN
    expect(written.code).toBe(0);
    const iso = path.join(stack, 'docker-vm-artifacts/libvirt-web-config-2.iso');
    expect(fs.existsSync(iso)).toBe(true);
    expect(calls).toEqual([['genisoimage', '-quiet', '-o', expect.stringContaining('libvirt-web-config-2.iso.tmp-'), '-V', 'config-2', '-J', '-R', expect.any(String)]]);
    const xml = fs.readFileSync(path.join(stack, INPUT.xml_path), 'utf8');
    expect(xml).toContain(`<source file='${iso}'/>\n      <target dev='vdb' bus='virtio'/>\n      <readonly/>`);
    // WHEN
    const removed = await run('remove-libvirt-xml', input);
    // THEN
    expect(removed.code).toBe(0);
    expect(removed.stderr).toContain('libvirt: removed docker-vm-artifacts/libvirt-web-config-2.iso');
    expect(fs.readdirSync(path.join(stack, 'docker-vm-artifacts'))).toEqual([path.basename(IMAGE)]);
  });

  test('fails when the public key is not one, before writing anything', async () => {
    // WHEN
    const r = await run('write-libvirt-xml', { ...INPUT, public_key: '/home/me/.ssh/id.pub' });
    // THEN
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('public_key is not an OpenSSH public key');
    expect(fs.readdirSync(path.join(stack, 'docker-vm-artifacts'))).toEqual([path.basename(IMAGE)]);
  });

  test('fails when the image is not there yet', async () => {
    // GIVEN
    fs.rmSync(path.join(stack, IMAGE));
    // WHEN
    const r = await run('write-libvirt-xml', INPUT);
    // THEN
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`image ${path.join(stack, IMAGE)} does not exist`);
  });

  test.each([
    ['an xml_path outside the artifacts folder', { xml_path: '../vm.xml' }],
    ['an unknown domain type', { domain_type: 'xen' }],
  ])('fails when the input has %s', async (_what, change) => {
    // WHEN
    const r = await run('write-libvirt-xml', { ...INPUT, ...change });
    // THEN
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CDKTF_DOCKER_VM_INPUT is not a valid input of write-libvirt-xml');
  });

  test('fails when the name is no libvirt name', async () => {
    const r = await run('write-libvirt-xml', { ...INPUT, name: 'a b' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('libvirt name "a b" must be');
  });

  test('removes nothing it did not write', () => {
    // GIVEN
    const outside = path.join(tmp.dir, 'precious.xml');
    fs.writeFileSync(outside, 'keep');
    fs.symlinkSync(outside, path.join(stack, 'docker-vm-artifacts', 'libvirt-web.xml'));
    // THEN
    expect(removeXml(stack, 'docker-vm-artifacts/libvirt-web.xml')).toBe('kept docker-vm-artifacts/libvirt-web.xml: not a regular file');
    expect(fs.readFileSync(outside, 'utf8')).toBe('keep');
    expect(() => removeXml(stack, '../precious.xml')).toThrow('is not a LibvirtDomain\'s XML');
    expect(removeXml(stack, 'docker-vm-artifacts/libvirt-gone.xml')).toBe('docker-vm-artifacts/libvirt-gone.xml is already gone');
  });
});
