import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../src/builder/cli';
import { fakeIo } from '../support/fake-io';
import { tempDir } from '../support/tar';

describe('libvirt-xml IMAGE --output FILE.xml', () => {
  let tmp: ReturnType<typeof tempDir>;
  let saved: string;
  beforeEach(() => {
    tmp = tempDir();
    saved = process.cwd();
    process.chdir(tmp.dir);
    fs.writeFileSync('vm.qcow2', 'not really an image: libvirt-xml only names it');
  });
  afterEach(() => {
    process.chdir(saved);
    tmp.cleanup();
  });

  test('writes the domain XML for an existing image and prints its path', async () => {
    // GIVEN
    const { io, out } = fakeIo();
    // WHEN
    const code = await main(['libvirt-xml', 'vm.qcow2', '--output', 'xml/vm.xml', '--firmware', 'uefi', '--domain-type', 'qemu', '--memory', '512', '--cpus', '1'], io);
    // THEN
    expect({ code, stderr: out.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('libvirt: wrote') });
    const xmlFile = path.join(fs.realpathSync(tmp.dir), 'xml/vm.xml');
    expect(out.stdout).toBe(`${xmlFile}\n`);
    const xml = fs.readFileSync(xmlFile, 'utf8');
    expect(xml).toMatch(/^<domain type='qemu'>\n  <name>vm<\/name>/);
    expect(xml).toContain(`<source file='${path.join(fs.realpathSync(tmp.dir), 'vm.qcow2')}'/>`);
    expect(xml).toContain("<os firmware='efi'>");
    expect(xml).toContain("<memory unit='MiB'>512</memory>");
    expect(xml).toContain('<vcpu>1</vcpu>');
    expect(out.stderr).toContain(`virsh define ${xmlFile} && virsh start vm`);
    expect(fs.readdirSync('xml')).toEqual(['vm.xml']); // no temp file left
  });

  test.each([
    ['no image', ['--output', 'vm.xml'], 'libvirt-xml needs an IMAGE'],
    ['no --output', ['vm.qcow2'], '--output FILE.xml is required'],
    ['a missing image', ['gone.qcow2', '--output', 'vm.xml'], 'image gone.qcow2 does not exist'],
    ['a compressed image', ['vm.qcow2.gz', '--output', 'vm.xml'], 'image vm.qcow2.gz is compressed, and libvirt opens only uncompressed disks; decompress it first (gunzip -k vm.qcow2.gz)'],
    ['an image without a format extension', ['vm.disk', '--output', 'vm.xml'], 'cannot tell the format of vm.disk'],
    ['an unknown firmware', ['vm.qcow2', '--output', 'vm.xml', '--firmware', 'coreboot'], '--firmware coreboot is not supported'],
  ])('fails with exit 2 and writes nothing when given %s', async (_what, argv, message) => {
    // GIVEN
    for (const f of ['vm.qcow2.gz', 'vm.disk']) fs.writeFileSync(f, 'x');
    const { io, out } = fakeIo();
    // WHEN
    const code = await main(['libvirt-xml', ...argv], io);
    // THEN
    expect(code).toBe(2);
    expect(out.stderr).toContain(message);
    expect(out.stdout).toBe('');
    expect(fs.existsSync('vm.xml')).toBe(false);
  });

  test('replaces an XML written before', async () => {
    // GIVEN
    fs.writeFileSync('vm.xml', 'old');
    // WHEN
    const code = await main(['libvirt-xml', 'vm.qcow2', '--output', 'vm.xml', '--name', 'second'], fakeIo().io);
    // THEN
    expect(code).toBe(0);
    expect(fs.readFileSync('vm.xml', 'utf8')).toContain('<name>second</name>');
  });
});
