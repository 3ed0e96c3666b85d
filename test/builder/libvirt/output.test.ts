import * as fs from 'node:fs';
import * as path from 'node:path';
import { ToolCall, ToolRunner } from '../../../src/builder/common/tools';
import { LIBVIRT_FLAG_NAMES, configDrivePath, libvirtOptionsHelp, writeLibvirtOutput } from '../../../src/builder/libvirt/output';
import { tempDir } from '../support/tar';

describe('libvirt output', () => {
  test.each([
    ['/out/vm.xml', '/out/vm-config-2.iso'],
    ['/out/vm.XML', '/out/vm-config-2.iso'],
    ['/out/domain', '/out/domain-config-2.iso'],
  ])('puts the config drive of %s at %s', (xml, iso) => {
    expect(configDrivePath(xml)).toBe(iso);
  });

  test.each([['libvirt-'], ['']])('the help with prefix %j names every flag once', prefix => {
    // WHEN
    const help = libvirtOptionsHelp(prefix);
    // THEN
    expect(LIBVIRT_FLAG_NAMES.filter(name => !help.includes(`--${prefix}${name} `))).toEqual([]);
    expect(help).not.toContain('${');
  });

  test('writes the XML through a temp file, creating its directory', async () => {
    // GIVEN
    const tmp = tempDir();
    try {
      const xmlFile = path.join(tmp.dir, 'a/b/vm.xml');
      // WHEN
      const written = await writeLibvirtOutput({ xmlFile, name: 'vm', xml: '<domain/>\n' }, new ToolRunner());
      // THEN
      expect(written).toEqual([xmlFile]);
      expect(fs.readFileSync(xmlFile, 'utf8')).toBe('<domain/>\n');
      expect(fs.readdirSync(path.dirname(xmlFile))).toEqual(['vm.xml']);
    } finally {
      tmp.cleanup();
    }
  });

  test('fails when the XML cannot be written, and removes the config drive it wrote first', async () => {
    // GIVEN a tool runner standing in for genisoimage, and a directory where the XML should go
    const tmp = tempDir();
    try {
      const xmlFile = path.join(tmp.dir, 'vm.xml');
      fs.mkdirSync(path.join(xmlFile, 'occupied'), { recursive: true });
      const iso = path.join(tmp.dir, 'vm-config-2.iso');
      const tools = { run: async (call: ToolCall) => { fs.writeFileSync(call.args[call.args.indexOf('-o') + 1], 'iso'); } } as unknown as ToolRunner;
      const configDrive = { publicKey: 'ssh-ed25519 AAAA vm@test', hostname: 'vm' };
      // WHEN
      const write = writeLibvirtOutput({ xmlFile, name: 'vm', xml: '<domain/>\n', configDriveFile: iso, configDrive }, tools);
      // THEN
      await expect(write).rejects.toThrow(/cannot write the libvirt XML .*vm\.xml .*choose a writable place/);
      expect(fs.readdirSync(tmp.dir)).toEqual(['vm.xml']);
    } finally {
      tmp.cleanup();
    }
  });
});
