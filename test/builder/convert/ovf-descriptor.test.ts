import { OVA_CPUS, OVA_MEMORY_MIB, VMDK_STREAM_OPTIMIZED, ovfDescriptor, ovfManifest } from '../../../src/builder/convert/ovf-descriptor';

const INPUT = { name: 'cdktf-docker-vm-0123456789ab', diskFile: 'disk1.vmdk', diskFileBytes: 264900096, capacityBytes: 1141899264, firmware: 'bios' } as const;

describe('ovfDescriptor', () => {
  test('references the disk file with its size, and describes it as a streamOptimized VMDK of the virtual size', () => {
    // WHEN
    const xml = ovfDescriptor(INPUT);
    // THEN
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Envelope xmlns="http:\/\/schemas\.dmtf\.org\/ovf\/envelope\/1" /);
    expect(xml).toContain('<File ovf:href="disk1.vmdk" ovf:id="file1" ovf:size="264900096"/>');
    expect(xml).toContain(`<Disk ovf:capacity="1141899264" ovf:capacityAllocationUnits="byte" ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:format="${VMDK_STREAM_OPTIMIZED}"/>`);
    expect(VMDK_STREAM_OPTIMIZED).toBe('http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized');
  });

  test('has one virtual system with an OS section, CPUs, memory, an IDE controller holding the disk, and a NIC', () => {
    // WHEN
    const xml = ovfDescriptor(INPUT);
    // THEN
    expect(xml).toContain('<VirtualSystem ovf:id="cdktf-docker-vm-0123456789ab">');
    expect(xml).toMatch(/<OperatingSystemSection ovf:id="101" vmw:osType="other26xLinux64Guest">/);
    const items = [...xml.matchAll(/<Item>([\s\S]*?)<\/Item>/g)].map(m => m[1]);
    const field = (item: string, name: string) => new RegExp(`<rasd:${name}>([^<]*)</rasd:${name}>`).exec(item)?.[1];
    expect(items.map(i => [field(i, 'InstanceID'), field(i, 'ResourceType')])).toEqual([['1', '3'], ['2', '4'], ['3', '5'], ['4', '17'], ['5', '10']]);
    expect(field(items[0], 'VirtualQuantity')).toBe(String(OVA_CPUS));
    expect(field(items[1], 'VirtualQuantity')).toBe(String(OVA_MEMORY_MIB));
    expect([field(items[3], 'HostResource'), field(items[3], 'Parent')]).toEqual(['ovf:/disk/vmdisk1', '3']);
    expect([field(items[4], 'ResourceSubType'), field(items[4], 'Connection')]).toEqual(['E1000', 'VM Network']);
    expect(xml).toContain('<vssd:VirtualSystemType>vmx-10</vssd:VirtualSystemType>');
  });

  test('writes each item\'s RASD properties in the schema\'s alphabetical order', () => {
    const xml = ovfDescriptor(INPUT);
    for (const [, item] of xml.matchAll(/<Item>([\s\S]*?)<\/Item>/g)) {
      const names = [...item.matchAll(/<rasd:(\w+)>/g)].map(m => m[1]);
      expect(names).toEqual([...names].sort());
    }
  });

  test('asks VMware for EFI firmware only for a UEFI image', () => {
    expect(ovfDescriptor(INPUT)).not.toContain('firmware');
    expect(ovfDescriptor({ ...INPUT, firmware: 'uefi' })).toContain('<vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="efi"/>');
  });

  test('takes other CPU and memory counts', () => {
    const xml = ovfDescriptor({ ...INPUT, cpus: 4, memoryMiB: 4096 });
    expect(xml).toContain('<rasd:VirtualQuantity>4</rasd:VirtualQuantity>');
    expect(xml).toContain('<rasd:VirtualQuantity>4096</rasd:VirtualQuantity>');
  });

  test.each([
    [{ name: 'has space' }, /OVF virtual system name "has space"/],
    [{ diskFile: '../x.vmdk' }, /OVF disk file name "\.\.\/x\.vmdk"/],
    [{ capacityBytes: 0 }, /OVF disk capacity 0/],
    [{ diskFileBytes: 1.5 }, /OVF disk file size 1\.5/],
  ])('fails when given %j', (change, message) => {
    expect(() => ovfDescriptor({ ...INPUT, ...change })).toThrow(message);
  });
});

describe('ovfManifest', () => {
  test('writes one SHA256(name)= hex line per file in the order given', () => {
    expect(ovfManifest([{ name: 'disk.ovf', sha256: 'a'.repeat(64) }, { name: 'disk1.vmdk', sha256: '0'.repeat(64) }]))
      .toBe(`SHA256(disk.ovf)= ${'a'.repeat(64)}\nSHA256(disk1.vmdk)= ${'0'.repeat(64)}\n`);
  });

  test('fails when a digest is not 64 lowercase hex digits', () => {
    expect(() => ovfManifest([{ name: 'disk.ovf', sha256: 'ABC' }])).toThrow(/sha256 "ABC" of disk\.ovf/);
  });
});
