import { exportCalls, imageNameOf, planRootfs } from '../../../src/builder/rootfs/plan';
import { DockerfileSourceSpec, RootfsSpec } from '../../../src/builder/spec';

function dockerfileSpec(props: Partial<DockerfileSourceSpec> = {}): RootfsSpec {
  return { stage: 'rootfs', source: { kind: 'dockerfile', contextDir: 'app', dockerfile: 'Dockerfile', buildArgs: {}, ...props } };
}

describe('planRootfs', () => {
  test('builds the Dockerfile in its context resolved against the base dir', () => {
    // WHEN
    const plan = planRootfs(dockerfileSpec({ dockerfile: 'docker/Dockerfile.vm' }), '/base', '/tmp/t');
    // THEN
    expect(plan.iidFile).toBe('/tmp/t/image-id');
    expect(plan.build?.tool).toBe('docker');
    expect(plan.build?.args).toEqual(['build', '--iidfile', '/tmp/t/image-id', '--file', '/base/app/docker/Dockerfile.vm', '--force-rm', '--', '/base/app']);
    expect(plan.imageRef).toBeUndefined();
    expect(plan.tarPath).toBeUndefined();
  });

  test('passes build args as separate literal argv items, sorted by key', () => {
    // GIVEN
    const evil = '$(rm -rf /); echo "hi there" `id` > /x';
    // WHEN
    const plan = planRootfs(dockerfileSpec({ buildArgs: { ZED: 'last', EVIL: evil, ALPHA: 'a b' } }), '/base', '/tmp/t');
    // THEN
    const args = plan.build!.args;
    expect(args.slice(6, 12)).toEqual(['--build-arg', 'ALPHA=a b', '--build-arg', `EVIL=${evil}`, '--build-arg', 'ZED=last']);
    expect(args).toContain('EVIL=$(rm -rf /); echo "hi there" `id` > /x');
  });

  test('adds --target for a multi-stage build, before the -- that ends the options', () => {
    // WHEN
    const args = planRootfs(dockerfileSpec({ target: 'vm', buildArgs: { A: '1' } }), '/base', '/tmp/t').build!.args;
    // THEN
    expect(args.slice(-6)).toEqual(['--build-arg', 'A=1', '--target', 'vm', '--', '/base/app']);
  });

  test('keeps a context named like an option after --', () => {
    // WHEN
    const args = planRootfs(dockerfileSpec({ contextDir: '/abs/--help' }), '/base', '/tmp/t').build!.args;
    // THEN
    expect(args.slice(-2)).toEqual(['--', '/abs/--help']);
  });

  test('exports an image source as is, with no build', () => {
    expect(planRootfs({ stage: 'rootfs', source: { kind: 'image', reference: 'debian@sha256:abc' } }, '/base', '/tmp/t'))
      .toEqual({ imageRef: 'debian@sha256:abc' });
  });

  test.each([
    ['rootfs.tar', '/base/rootfs.tar'],
    ['../x/rootfs.tar', '/x/rootfs.tar'],
    ['/abs/rootfs.tar', '/abs/rootfs.tar'],
  ])('takes tar source %s from %s', (p, resolved) => {
    expect(planRootfs({ stage: 'rootfs', source: { kind: 'tar', path: p } }, '/base', '/tmp/t')).toEqual({ tarPath: resolved });
  });
});

describe('exportCalls', () => {
  test('creates a never-started container, exports it to the tar and removes it', () => {
    expect(exportCalls('img:1', 'cdktf-vm-x', '/tmp/t/rootfs.tar', 'cdktf-docker-vm.temporary=host:42')).toEqual({
      create: { tool: 'docker', args: ['create', '--name', 'cdktf-vm-x', '--label', 'cdktf-docker-vm.temporary=host:42', '--entrypoint', '/bin/true', '--', 'img:1'] },
      export: { tool: 'docker', args: ['export', '--output', '/tmp/t/rootfs.tar', 'cdktf-vm-x'] },
      remove: { tool: 'docker', args: ['rm', '--force', 'cdktf-vm-x'] },
    });
  });
});

describe('imageNameOf', () => {
  test.each([
    [{ kind: 'dockerfile' as const, contextDir: '../../../../web', dockerfile: 'Dockerfile', buildArgs: {} }, 'the image built from web/Dockerfile'],
    [{ kind: 'dockerfile' as const, contextDir: '/src/app', dockerfile: './docker/../vm/Dockerfile.vm', buildArgs: {} }, 'the image built from app/vm/Dockerfile.vm'],
    [{ kind: 'dockerfile' as const, contextDir: 'ctx', dockerfile: '../other/Dockerfile', buildArgs: {} }, 'the image built from ctx/Dockerfile'],
    [{ kind: 'image' as const, reference: 'app:1.4' }, 'image app:1.4'],
    [{ kind: 'tar' as const, path: '../../out/rootfs.tar' }, 'rootfs tar rootfs.tar'],
  ])('names %j without the path above its context', (source, name) => {
    expect(imageNameOf(source, '/work/stack')).toBe(name);
  });
});
