import { componentFiles } from '../../../../src/builder/rootfs/vm/component-files';

describe('componentFiles', () => {
  test.each(['debian', 'ubuntu'] as const)('a %s kernel gets virtiofs in its initramfs, without touching /etc/initramfs-tools/modules', family => {
    // WHEN
    const files = componentFiles(family, 'kernel');
    // THEN
    expect(files.map(f => f.path)).toEqual(['usr/share/initramfs-tools/modules.d/cdktf-docker-vm-virtiofs']);
    expect(String(files[0].content).split('\n')).toContain('virtiofs');
  });

  test('other parts of a Debian image get no initramfs file', () => {
    // THEN
    expect(componentFiles('debian', 'sshd')).toEqual([]);
  });
});
