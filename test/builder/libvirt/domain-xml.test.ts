import { SpecError } from '../../../src/builder/common/errors';
import {
  DomainXmlInput, checkDomainName, domainNameFromFile, domainXml, libvirtDiskType,
} from '../../../src/builder/libvirt/domain-xml';
import { DISK_FORMATS } from '../../../src/builder/spec';

const BASE: DomainXmlInput = { name: 'vm', image: '/images/vm.qcow2', format: 'qcow2', firmware: 'bios' };

describe('domainXml', () => {
  test('a BIOS domain: KVM, 1024 MiB, 2 vCPUs, the image as virtio vda, a virtio NIC on usermode networking, a pty serial console', () => {
    expect(domainXml(BASE)).toBe(`<domain type='kvm'>
  <name>vm</name>
  <description>made by cdktf-docker-vm</description>
  <memory unit='MiB'>1024</memory>
  <vcpu>2</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features>
    <acpi/>
    <apic/>
  </features>
  <cpu mode='host-passthrough'/>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/images/vm.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='user'>
      <model type='virtio'/>
    </interface>
    <serial type='pty'>
      <target port='0'/>
    </serial>
    <console type='pty'>
      <target type='serial' port='0'/>
    </console>
    <rng model='virtio'>
      <backend model='random'>/dev/urandom</backend>
    </rng>
  </devices>
</domain>
`);
  });

  test('UEFI asks libvirt for EFI firmware without Secure Boot (syslinux.efi is not signed)', () => {
    // WHEN
    const xml = domainXml({ ...BASE, firmware: 'uefi' });
    // THEN
    expect(xml).toContain(`  <os firmware='efi'>
    <type arch='x86_64' machine='pc'>hvm</type>
    <firmware>
      <feature enabled='no' name='secure-boot'/>
      <feature enabled='no' name='enrolled-keys'/>
    </firmware>
    <boot dev='hd'/>
  </os>`);
  });

  test('a qemu (TCG) domain has no host CPU passthrough', () => {
    // WHEN
    const xml = domainXml({ ...BASE, domainType: 'qemu' });
    // THEN
    expect(xml).toMatch(/^<domain type='qemu'>/);
    expect(xml).not.toContain('<cpu');
  });

  test('memory, vCPUs, a libvirt network, a console log and a config drive as a read-only vdb', () => {
    // WHEN
    const xml = domainXml({
      ...BASE, memoryMiB: 2048, cpus: 4, network: 'default', consoleLog: '/var/log/vm-console.log', configDrive: '/images/vm-config-2.iso',
    });
    // THEN
    expect(xml).toContain("<memory unit='MiB'>2048</memory>");
    expect(xml).toContain('<vcpu>4</vcpu>');
    expect(xml).toContain("<interface type='network'>\n      <source network='default'/>\n      <model type='virtio'/>");
    expect(xml).toContain("<serial type='pty'>\n      <log file='/var/log/vm-console.log' append='off'/>\n      <target port='0'/>");
    expect(xml).toContain(`    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='/images/vm-config-2.iso'/>
      <target dev='vdb' bus='virtio'/>
      <readonly/>
    </disk>`);
  });

  test.each([
    ['raw', 'raw'], ['qcow2', 'qcow2'], ['vmdk', 'vmdk'], ['vdi', 'vdi'], ['vhd', 'vpc'],
  ] as const)('a %s image is opened with libvirt\'s %s driver', (format, type) => {
    expect(domainXml({ ...BASE, format })).toContain(`<driver name='qemu' type='${type}'/>`);
  });

  test('raw, qcow2, vmdk, vdi and vhd are the formats libvirt opens; vhdx is not', () => {
    expect(DISK_FORMATS.filter(f => { try { libvirtDiskType(f); return true; } catch { return false; } })).toEqual(['raw', 'qcow2', 'vmdk', 'vdi', 'vhd']);
  });

  test('escapes XML in paths', () => {
    // WHEN
    const xml = domainXml({ ...BASE, image: "/images/a&b <'x'>\".qcow2", consoleLog: '/logs/c&d.log' });
    // THEN
    expect(xml).toContain("<source file='/images/a&amp;b &lt;&apos;x&apos;&gt;&quot;.qcow2'/>");
    expect(xml).toContain("<log file='/logs/c&amp;d.log' append='off'/>");
  });

  test.each([
    ['a vhdx image', { format: 'vhdx' as const }, /libvirt cannot open a vhdx file as a disk \(it opens raw, qcow2, vmdk, vdi, vhd\); build the image as qcow2/],
    ['a relative image path', { image: 'vm.qcow2' }, /image path vm.qcow2 must be absolute/],
    ['a path with a newline', { image: '/a\nb.qcow2' }, /control character/],
    ['a relative console log', { consoleLog: 'console.log' }, /console log path console.log must be absolute/],
    ['a name with a slash', { name: 'a/b' }, /libvirt name "a\/b" must be 1 to 64 letters/],
    ['a name with markup', { name: '<x>' }, /libvirt name "<x>" must be/],
    ['a network name with a space', { network: 'my net' }, /libvirt network "my net" must be/],
    ['too little memory', { memoryMiB: 32 }, /memory 32 MiB .*at least 64/],
    ['no vCPU', { cpus: 0 }, /cpus 0 must be a whole number from 1 to 255/],
    ['an unknown domain type', { domainType: 'xen' as never }, /domain type xen is not supported; use kvm or qemu/],
  ])('fails when given %s', (_what, change, message) => {
    expect(() => domainXml({ ...BASE, ...change })).toThrow(SpecError);
    expect(() => domainXml({ ...BASE, ...change })).toThrow(message);
  });
});

describe('domain names', () => {
  test.each(['vm', 'web-1', 'a.b_c', 'X'.repeat(64)])('accepts %s', name => {
    expect(checkDomainName(name)).toBeUndefined();
  });

  test.each(['', '-vm', 'a b', 'a/b', 'é', 'X'.repeat(65)])('refuses %j', name => {
    expect(checkDomainName(name)).toMatch(/must be 1 to 64 letters/);
  });

  test.each([
    ['/images/hello.qcow2', 'hello'],
    ['/images/web server.v2.img', 'web-server'],
    ['/images/...qcow2', 'cdktf-docker-vm'],
    ['/images/été.raw', 't-'],
  ])('names the domain of %s %s', (file, name) => {
    expect(domainNameFromFile(file)).toBe(name);
    expect(checkDomainName(domainNameFromFile(file))).toBeUndefined();
  });
});
