import { kernelCmdlineFromSyslinuxCfg, parseForward, planPreviewQemu, PreviewQemuInput } from '../../../src/builder/preview/qemu-args';

const BASE: PreviewQemuInput = {
  accelerator: 'tcg',
  overlay: '/w/overlay.qcow2',
  configDrive: '/w/config-drive.iso',
  sshPort: 2222,
  forwards: [],
  memoryMiB: 1024,
  cpus: 2,
};

function valuesOf(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
}

describe('planPreviewQemu', () => {
  test('forwards ssh and every extra port on 127.0.0.1 only', () => {
    // WHEN
    const args = planPreviewQemu({ ...BASE, forwards: [{ hostPort: 8080, guestPort: 80 }] });
    // THEN
    const netdev = valuesOf(args, '-netdev')[0];
    expect(netdev).toBe('user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=tcp:127.0.0.1:8080-:80');
    expect(netdev.match(/hostfwd=tcp::/g)).toBeNull();
    expect(valuesOf(args, '-device')).toContain('virtio-net-pci,netdev=n0');
  });

  test('boots with SeaBIOS: the overlay is the first virtio disk and the config drive the second', () => {
    // WHEN
    const args = planPreviewQemu(BASE);
    // THEN
    expect(valuesOf(args, '-drive')).toEqual([
      'file=/w/overlay.qcow2,format=qcow2,if=virtio,cache=unsafe',
      'file=/w/config-drive.iso,format=raw,if=virtio,readonly=on',
    ]);
    expect(args).not.toContain('-bios');
    expect(args).not.toContain('-kernel');
    expect(valuesOf(args, '-accel')).toEqual(['tcg']);
    expect(valuesOf(args, '-serial')).toEqual(['stdio']);
  });

  test('escapes commas in file names for -drive', () => {
    // WHEN
    const args = planPreviewQemu({ ...BASE, overlay: '/w/a,b/overlay.qcow2' });
    // THEN
    expect(valuesOf(args, '-drive')[0]).toMatch(/^file=\/w\/a,,b\/overlay\.qcow2,format=qcow2/);
  });

  test('direct kernel boot passes the kernel, initrd and command line', () => {
    // WHEN
    const args = planPreviewQemu({ ...BASE, directKernel: { kernel: '/w/vmlinuz', initrd: '/w/initrd.img', append: 'root=UUID=x rw console=ttyS0' } });
    // THEN
    expect(valuesOf(args, '-kernel')).toEqual(['/w/vmlinuz']);
    expect(valuesOf(args, '-initrd')).toEqual(['/w/initrd.img']);
    expect(valuesOf(args, '-append')).toEqual(['root=UUID=x rw console=ttyS0']);
  });

  test('direct kernel boot without an initrd has no -initrd', () => {
    // WHEN
    const args = planPreviewQemu({ ...BASE, directKernel: { kernel: '/w/vmlinuz', append: 'root=/dev/vda2' } });
    // THEN
    expect(args).not.toContain('-initrd');
  });
});

describe('parseForward', () => {
  test('reads HOSTPORT:GUESTPORT', () => {
    expect(parseForward('8080:80')).toEqual({ hostPort: 8080, guestPort: 80 });
  });

  test.each(['8080', '8080:', 'a:80', '0:80', '70000:80', '127.0.0.1:8080:80'])('fails when the forward is %j', value => {
    expect(() => parseForward(value)).toThrow(/HOSTPORT:GUESTPORT/);
  });
});

describe('kernelCmdlineFromSyslinuxCfg', () => {
  test('takes the APPEND line the bootloader stage writes', () => {
    // GIVEN
    const cfg = 'SERIAL 0 115200\nDEFAULT linux\nLABEL linux\n  LINUX /vmlinuz\n  INITRD /initrd.img\n  APPEND root=UUID=abc rw console=tty0 console=ttyS0\n';
    // THEN
    expect(kernelCmdlineFromSyslinuxCfg(cfg)).toBe('root=UUID=abc rw console=tty0 console=ttyS0');
  });

  test('is undefined without an APPEND line', () => {
    expect(kernelCmdlineFromSyslinuxCfg('DEFAULT linux\n')).toBeUndefined();
  });
});
