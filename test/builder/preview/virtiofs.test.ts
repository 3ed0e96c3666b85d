import { initrdHasVirtiofs, planVirtiofsd, planVirtiofsQemu, VirtiofsQemuInput } from '../../../src/builder/preview/virtiofs';

const BASE: VirtiofsQemuInput = {
  accelerator: 'tcg',
  configDrive: '/w/config-drive.iso',
  sshPort: 2222,
  forwards: [{ hostPort: 8080, guestPort: 80 }],
  memoryMiB: 1024,
  cpus: 2,
  socket: '/w/vfs.sock',
  kernel: '/w/vmlinuz',
  initrd: '/w/initrd.img',
};

function valuesOf(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
}

describe('planVirtiofsQemu', () => {
  test('has no disk but the config drive, and boots the kernel with a virtiofs root', () => {
    // WHEN
    const args = planVirtiofsQemu(BASE);
    // THEN
    expect(valuesOf(args, '-drive')).toEqual(['file=/w/config-drive.iso,format=raw,if=virtio,readonly=on']);
    expect(valuesOf(args, '-kernel')).toEqual(['/w/vmlinuz']);
    expect(valuesOf(args, '-initrd')).toEqual(['/w/initrd.img']);
    expect(valuesOf(args, '-append')).toEqual(['rootfstype=virtiofs root=rootfs rw console=ttyS0']);
  });

  test('shares guest memory with virtiofsd and connects to its socket', () => {
    // WHEN
    const args = planVirtiofsQemu({ ...BASE, memoryMiB: 2048, socket: '/w/a,b/vfs.sock' });
    // THEN
    expect(valuesOf(args, '-object')).toEqual(['memory-backend-memfd,id=mem,size=2048M,share=on']);
    expect(valuesOf(args, '-numa')).toEqual(['node,memdev=mem']);
    expect(valuesOf(args, '-chardev')).toEqual(['socket,id=vfs,path=/w/a,,b/vfs.sock']);
    expect(valuesOf(args, '-device')).toContain('vhost-user-fs-pci,chardev=vfs,tag=rootfs');
    expect(valuesOf(args, '-m')).toEqual(['2048']);
  });

  test('keeps preview\'s loopback-only port forwards', () => {
    // WHEN
    const args = planVirtiofsQemu(BASE);
    // THEN
    expect(valuesOf(args, '-netdev')).toEqual(['user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=tcp:127.0.0.1:8080-:80']);
  });
});

describe('planVirtiofsd', () => {
  test('as root runs the namespace sandbox directly', () => {
    // WHEN
    const call = planVirtiofsd({ exe: '/usr/lib/qemu/virtiofsd', source: '/w/rootfs', socket: '/w/vfs.sock', root: true });
    // THEN
    expect(call.tool).toBe('/usr/lib/qemu/virtiofsd');
    expect(call.args).toEqual(['--socket-path=/w/vfs.sock', '-o', 'source=/w/rootfs', '-o', 'cache=auto', '-o', 'xattr', '-o', 'sandbox=namespace']);
  });

  test('unprivileged runs in a user namespace with its own /run and the chroot sandbox', () => {
    // WHEN
    const call = planVirtiofsd({ exe: '/usr/lib/qemu/virtiofsd', source: '/w/rootfs', socket: '/w/vfs.sock', root: false });
    // THEN
    expect(call.tool).toBe('unshare');
    expect(call.args.slice(0, 4)).toEqual(['-rm', 'sh', '-c', 'mount -t tmpfs tmpfs /run && exec "$0" "$@"']);
    expect(call.args[4]).toBe('/usr/lib/qemu/virtiofsd');
    expect(call.args).toContain('sandbox=chroot');
  });
});

describe('initrdHasVirtiofs', () => {
  test('finds the module, compressed or not', () => {
    expect(initrdHasVirtiofs(['usr/lib/modules/6.1.0-50-amd64/kernel/fs/fuse/virtiofs.ko'])).toBe(true);
    expect(initrdHasVirtiofs(['lib/modules/6.8.0/kernel/fs/fuse/virtiofs.ko.zst'])).toBe(true);
  });

  test('a Debian 12 MODULES=most initrd without it is refused, unless the kernel has it built in', () => {
    // GIVEN members seen in the debian-vm fixture's initrd
    const members = ['usr/lib/modules/6.1.0-50-amd64/kernel/fs/ext4/ext4.ko', 'scripts/local'];
    // THEN
    expect(initrdHasVirtiofs(members)).toBe(false);
    expect(initrdHasVirtiofs(members, 'kernel/fs/fuse/fuse.ko\nkernel/fs/fuse/virtiofs.ko\n')).toBe(true);
  });
});
