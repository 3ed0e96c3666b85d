import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { Bootloader, ContainerRootfs, DiskImage, RootfsSource } from '../../../src';
import * as contextHash from '../../../src/builder/common/context-hash';
import { builderCliPath } from '../../../src/constructs/private/builder-cli-path';
import { TerraformData } from '../../../src/constructs/terraform/terraform-data';
import { writeTar } from '../../builder/support/tar';
import { chain, HEX64, makeContext, newStack, resource, writeFiles } from '../helpers';

describe('StageResource', () => {
  test('runs the builder CLI as an argv list with the spec file as the only command', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const rootfs = new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromDockerfile(makeContext()) });
    // THEN
    const data = resource(stack, 'terraform_data', 'Rootfs_Build');
    expect(data.provisioner).toEqual([{
      'local-exec': {
        interpreter: ['node', builderCliPath(), 'run', '--spec'],
        command: `docker-vm-specs/${rootfs.fingerprint}-rootfs.json`,
      },
    }]);
  });

  test('puts only hex digits and fixed words in the command', () => {
    // GIVEN
    const stack = newStack();
    const context = makeContext({ 'Dockerfile': 'FROM scratch\n', 'a file; rm -rf ~': 'x' });
    // WHEN
    new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromDockerfile(context, { buildArgs: { X: '$(touch /tmp/pwned)' } }) });
    // THEN
    const data = resource(stack, 'terraform_data', 'Rootfs_Build');
    expect(data.provisioner[0]['local-exec'].command).toMatch(/^docker-vm-specs\/[0-9a-f]{64}-rootfs\.json$/);
  });

  test('keeps user text out of every local-exec interpreter and command', () => {
    // GIVEN a context path, a file name, a build arg and a kernel argument that hold shell commands
    const evil = '; rm -rf / #';
    const context = path.join(makeContext(), `ctx${evil}`);
    mkdirSync(context, { recursive: true });
    writeFiles(context, { 'Dockerfile': 'FROM scratch\n', '$(reboot)': 'x' });
    const stack = newStack();
    // WHEN
    const rootfs = new ContainerRootfs(stack, 'Rootfs', {
      source: RootfsSource.fromDockerfile(context, { buildArgs: { X: `$(touch /tmp/pwned)${evil}` } }),
    });
    new Bootloader(stack, 'Bootloader', { disk: new DiskImage(stack, 'Disk', { rootfs }), extraKernelArgs: ['x=$(reboot);rm;-rf;/'] });
    // THEN
    const synthesized = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, { provisioner?: any[] }>> };
    const execs = Object.values(synthesized.resource).flatMap(byId => Object.values(byId))
      .flatMap(r => r.provisioner ?? []).map(p => p['local-exec']).filter(Boolean);
    expect(execs).toHaveLength(3);
    for (const exec of execs) {
      expect(exec.interpreter).toEqual(['node', builderCliPath(), 'run', '--spec']);
      expect(exec.command).toMatch(/^docker-vm-specs\/[0-9a-f]{64}-(rootfs|disk|bootloader)\.json$/);
      expect(Object.keys(exec).sort()).toEqual(['command', 'interpreter']);
    }
  });

  test('finds the builder CLI under lib/builder of the package root', () => {
    expect(builderCliPath()).toBe(path.resolve(__dirname, '..', '..', '..', 'lib', 'builder', 'cli.js'));
  });

  test('sets triggers_replace to the fingerprint and a short digest of each named input', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromDockerfile(makeContext()) });
    // THEN
    const HEX16 = expect.stringMatching(/^[0-9a-f]{16}$/);
    expect(Testing.synth(stack)).toHaveResourceWithProperties(TerraformData, {
      triggers_replace: { fingerprint: expect.stringMatching(HEX64), dockerfile: HEX16, context: HEX16, build_args: HEX16, target: HEX16, vm: HEX16 },
    });
  });

  test('shows upstream, not the rootfs inputs, on the stages built on the rootfs', () => {
    // GIVEN
    const { stack } = chain();
    // THEN
    expect(Object.keys(resource(stack, 'terraform_data', 'Disk_Build').triggers_replace).sort()).toEqual(['fingerprint', 'options', 'upstream']);
    expect(Object.keys(resource(stack, 'terraform_data', 'Bootloader_Build').triggers_replace).sort()).toEqual(['fingerprint', 'options', 'upstream']);
  });

  test('walks the build context once for a whole chain', () => {
    // GIVEN
    const walks = jest.spyOn(contextHash, 'hashBuildContext');
    // WHEN
    chain();
    // THEN
    expect(walks).toHaveBeenCalledTimes(1);
    walks.mockRestore();
  });

  test('chains the stages with depends_on', () => {
    // GIVEN
    const { stack } = chain();
    // WHEN
    const disk = resource(stack, 'terraform_data', 'Disk_Build');
    const boot = resource(stack, 'terraform_data', 'Bootloader_Build');
    // THEN
    expect(disk.depends_on).toEqual([expect.stringMatching(/^terraform_data\.Rootfs_Build/)]);
    expect(boot.depends_on).toEqual([expect.stringMatching(/^terraform_data\.Disk_Build/)]);
  });

  test('writes the spec file into the stack directory with paths relative to it', () => {
    // GIVEN
    const context = makeContext();
    const { stack, rootfs, disk } = chain(context);
    // WHEN
    const outdir = Testing.fullSynth(stack);
    // THEN
    const stackDir = path.join(outdir, 'stacks', 'test');
    const specFile = path.join(stackDir, 'docker-vm-specs', `${disk.fingerprint}-disk.json`);
    const content = JSON.parse(readFileSync(specFile, 'utf8'));
    expect(content).toEqual({
      specFileVersion: 1,
      spec: {
        stage: 'disk',
        partitionTable: 'mbr',
        bootPartitionMiB: 128,
        rootfs: {
          stage: 'rootfs',
          source: { kind: 'dockerfile', contextDir: expect.any(String), dockerfile: 'Dockerfile', buildArgs: {} },
          vm: { inject: 'auto', profile: 'generic', appService: true },
        },
      },
    });
    expect(path.isAbsolute(content.spec.rootfs.source.contextDir)).toBe(false);
    expect(path.resolve(path.dirname(specFile), content.spec.rootfs.source.contextDir)).toBe(context);
    expect(existsSync(path.join(stackDir, 'docker-vm-specs', `${rootfs.fingerprint}-rootfs.json`))).toBe(true);
  });

  test('asks for an output copy only when the artifact path is read', () => {
    // GIVEN
    const { stack, rootfs, disk } = chain();
    // WHEN
    const artifactPath = disk.artifactPath;
    const outdir = Testing.fullSynth(stack);
    // THEN
    const specs = path.join(outdir, 'stacks', 'test', 'docker-vm-specs');
    const diskSpec = JSON.parse(readFileSync(path.join(specs, `${disk.fingerprint}-disk.json`), 'utf8'));
    const rootfsSpec = JSON.parse(readFileSync(path.join(specs, `${rootfs.fingerprint}-rootfs.json`), 'utf8'));
    expect(artifactPath).toBe(`docker-vm-artifacts/${disk.fingerprint}-disk.img`);
    expect(diskSpec.output).toBe(`../docker-vm-artifacts/${disk.fingerprint}-disk.img`);
    expect(rootfsSpec.output).toBeUndefined();
  });

  test('replaces a stage when its artifact path is first asked for', () => {
    // GIVEN
    const { stack, disk } = chain();
    // WHEN
    const artifactPath = disk.artifactPath;
    // THEN
    expect(resource(stack, 'terraform_data', 'Disk_Build').triggers_replace).toEqual(expect.objectContaining({ fingerprint: disk.fingerprint, artifact_path: artifactPath }));
    expect(resource(stack, 'terraform_data', 'Rootfs_Build').triggers_replace).not.toHaveProperty('artifact_path');
  });

  test('removes its artifact copy when destroyed: a destroy-time remove-artifact reading only self.input', () => {
    // GIVEN
    const { stack, disk } = chain();
    // WHEN
    const artifactPath = disk.artifactPath;
    // THEN
    const data = resource(stack, 'terraform_data', 'Disk_Build');
    expect(data.input).toEqual({ artifact_path: artifactPath });
    expect(data.provisioner[1]).toEqual({
      'local-exec': {
        interpreter: ['node', builderCliPath()],
        command: 'remove-artifact',
        environment: { CDKTF_DOCKER_VM_INPUT: '${jsonencode(self.input)}' },
        when: 'destroy',
      },
    });
    expect(resource(stack, 'terraform_data', 'Rootfs_Build').provisioner).toHaveLength(1);
    expect(resource(stack, 'terraform_data', 'Rootfs_Build').input).toBeUndefined();
  });

  test('writes a tarball path relative to the spec file', () => {
    // GIVEN
    const stack = newStack();
    const dir = makeContext({});
    writeTar(path.join(dir, 'rootfs.tar'), [{ path: 'etc/hostname', content: 'x\n' }]);
    const rootfs = new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromTarball(path.join(dir, 'rootfs.tar')) });
    // WHEN
    const outdir = Testing.fullSynth(stack);
    // THEN
    const specDir = path.join(outdir, 'stacks', 'test', 'docker-vm-specs');
    const content = JSON.parse(readFileSync(path.join(specDir, `${rootfs.fingerprint}-rootfs.json`), 'utf8'));
    expect(content.spec.source.kind).toBe('tar');
    expect(path.resolve(specDir, content.spec.source.path)).toBe(path.join(dir, 'rootfs.tar'));
  });
});
