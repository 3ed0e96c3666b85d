import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './support/tar';
import * as contextHash from '../../src/builder/common/context-hash';
import { SpecError } from '../../src/builder/common/errors';
import { Fingerprints, fingerprintSpec } from '../../src/builder/fingerprints';
import { BootloaderSpec, ConvertSpec, DiskSpec, RootfsSpec } from '../../src/builder/spec';

const HEX64 = /^[0-9a-f]{64}$/;

function writeContext(dir: string, files: Record<string, string> = {}): void {
  const all: Record<string, string> = {
    'Dockerfile': 'FROM debian:bookworm\nCOPY app /app\n',
    'app/main.sh': 'echo hi\n',
    ...files,
  };
  for (const [rel, content] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
}

function rootfs(contextDir: string, buildArgs: Record<string, string> = {}, dockerfile = 'Dockerfile'): RootfsSpec {
  return { stage: 'rootfs', source: { kind: 'dockerfile', contextDir, dockerfile, buildArgs } };
}

function disk(r: RootfsSpec, props: Partial<DiskSpec> = {}): DiskSpec {
  return { stage: 'disk', rootfs: r, partitionTable: 'mbr', bootPartitionMiB: 128, ...props };
}

describe('fingerprintSpec', () => {
  let tmp: ReturnType<typeof tempDir>;
  let ctx: string;
  beforeEach(() => {
    tmp = tempDir();
    ctx = path.join(tmp.dir, 'ctx');
    writeContext(ctx);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    tmp.cleanup();
  });

  const fp = (spec: Parameters<typeof fingerprintSpec>[0] = rootfs(ctx)) => fingerprintSpec(spec, tmp.dir);

  test('changes with each VM setup option, and a spec without one keeps its fingerprint', () => {
    // GIVEN the same source with no VM layer and with each VM option
    const base = rootfs(ctx);
    const withVm = (vm: RootfsSpec['vm']) => fp({ ...base, vm });
    const all = [
      fp(base),
      withVm({ inject: 'auto', profile: 'generic', appService: true }),
      withVm({ inject: 'never', profile: 'generic', appService: true }),
      withVm({ inject: 'auto', profile: 'digitalocean', appService: true }),
      withVm({ inject: 'auto', profile: 'generic', appService: false }),
    ];
    // THEN each is different, so a changed option rebuilds the rootfs
    expect(new Set(all).size).toBe(all.length);
    expect(fp({ ...base, vm: undefined })).toBe(fp(base));
  });

  test('changes with the convert preflight, so an unchecked artifact never stands in for a checked one', () => {
    const convert: ConvertSpec = {
      stage: 'convert',
      format: 'qcow2',
      compression: 'gzip',
      bootloader: { stage: 'bootloader', extraKernelArgs: [], disk: disk(rootfs(ctx)) },
    };
    expect(fp({ ...convert, preflight: 'digitalocean' })).not.toBe(fp(convert));
  });

  test('is a sha256 hex digest', () => {
    expect(fp()).toMatch(HEX64);
  });

  test('is the same for the same context in two different absolute directories', () => {
    // GIVEN
    const other = path.join(tmp.dir, 'somewhere', 'else');
    writeContext(other);
    // THEN
    expect(fingerprintSpec(rootfs(other), '/')).toBe(fp());
  });

  test('resolves a relative context against the base dir', () => {
    expect(fingerprintSpec(rootfs('ctx'), tmp.dir)).toBe(fp(rootfs(ctx)));
  });

  test('changes when a file in the context changes', () => {
    // GIVEN
    const before = fp();
    // WHEN
    fs.writeFileSync(path.join(ctx, 'app/main.sh'), 'echo bye\n');
    // THEN
    expect(fp()).not.toBe(before);
  });

  test('changes when a file is added or made executable', () => {
    // GIVEN
    const before = fp();
    // WHEN
    fs.chmodSync(path.join(ctx, 'app/main.sh'), 0o755);
    const executable = fp();
    fs.writeFileSync(path.join(ctx, 'app/new'), '');
    // THEN
    expect(executable).not.toBe(before);
    expect(fp()).not.toBe(executable);
  });

  test('stays the same when only an mtime changes', () => {
    // GIVEN
    const before = fp();
    // WHEN
    fs.utimesSync(path.join(ctx, 'app/main.sh'), 1_000_000, 1_000_000);
    fs.utimesSync(path.join(ctx, 'app'), 2_000_000, 2_000_000);
    // THEN
    expect(fp()).toBe(before);
  });

  test('stays the same when a .dockerignore\'d file changes', () => {
    // GIVEN
    writeContext(ctx, { '.dockerignore': '*.log\nnode_modules\n', 'debug.log': 'one', 'node_modules/x/index.js': 'a' });
    const before = fp();
    // WHEN
    fs.writeFileSync(path.join(ctx, 'debug.log'), 'two');
    fs.writeFileSync(path.join(ctx, 'node_modules/x/index.js'), 'b');
    fs.writeFileSync(path.join(ctx, 'other.log'), 'new');
    // THEN
    expect(fp()).toBe(before);
  });

  test('counts the Dockerfile even when .dockerignore lists it', () => {
    // GIVEN
    writeContext(ctx, { '.dockerignore': 'Dockerfile\n' });
    const before = fp();
    // WHEN
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM alpine\n');
    // THEN
    expect(fp()).not.toBe(before);
  });

  test('counts a Dockerfile inside a .dockerignore\'d directory', () => {
    // GIVEN: docker always sends the Dockerfile, even from an ignored directory
    writeContext(ctx, { '.dockerignore': 'docker\n', 'docker/Dockerfile.vm': 'FROM debian:bookworm\n' });
    const before = fp(rootfs(ctx, {}, 'docker/Dockerfile.vm'));
    // WHEN
    fs.writeFileSync(path.join(ctx, 'docker/Dockerfile.vm'), 'FROM alpine\n');
    // THEN
    expect(fp(rootfs(ctx, {}, 'docker/Dockerfile.vm'))).not.toBe(before);
  });

  test('counts a Dockerfile outside the context (--dockerfile other/Dockerfile --context ctx)', () => {
    // GIVEN: buildSpecFromArgs turns this into dockerfile '../other/Dockerfile', which docker build accepts
    writeContext(path.join(tmp.dir, 'other'), { Dockerfile: 'FROM debian:bookworm\n' });
    const spec = rootfs(ctx, {}, '../other/Dockerfile');
    const before = fp(spec);
    // WHEN
    fs.writeFileSync(path.join(tmp.dir, 'other/Dockerfile'), 'FROM alpine\n');
    // THEN
    expect(fp(spec)).not.toBe(before);
  });

  test.each([
    [{ A: '1' }, { A: '2' }],
    [{}, { A: '' }],
    [{ A: '1' }, { B: '1' }],
  ])('changes when build args change from %j to %j', (one, two) => {
    expect(fp(rootfs(ctx, one))).not.toBe(fp(rootfs(ctx, two)));
  });

  test('does not depend on the order of build args', () => {
    expect(fp(rootfs(ctx, { A: '1', B: '2' }))).toBe(fp(rootfs(ctx, { B: '2', A: '1' })));
  });

  test.each([
    ['sizeMiB', { sizeMiB: 4096 }],
    ['partitionTable', { partitionTable: 'gpt' as const }],
    ['bootPartitionMiB', { bootPartitionMiB: 256 }],
  ])('a %s change changes the disk fingerprint but not the rootfs fingerprint', (_name, props) => {
    // GIVEN
    const r = rootfs(ctx);
    // WHEN
    const base = disk(r);
    const changed = disk(r, props);
    // THEN
    expect(fp(changed)).not.toBe(fp(base));
    expect(fp(changed.rootfs)).toBe(fp(base.rootfs));
  });

  test('firmware uefi changes the bootloader fingerprint; bios, given or not, is the same image', () => {
    // GIVEN
    const d = disk(rootfs(ctx));
    const bios = fp({ stage: 'bootloader', extraKernelArgs: [], disk: d });
    // THEN
    expect(fp({ stage: 'bootloader', extraKernelArgs: [], disk: d, firmware: 'bios' })).toBe(bios);
    expect(fp({ stage: 'bootloader', extraKernelArgs: [], disk: d, firmware: 'uefi' })).not.toBe(bios);
  });

  test('a rootfs change reaches every later stage', () => {
    // GIVEN
    const convert = (r: RootfsSpec): ConvertSpec => ({
      stage: 'convert',
      format: 'qcow2',
      compression: 'none',
      bootloader: { stage: 'bootloader', extraKernelArgs: [], disk: disk(r) },
    });
    const before = fp(convert(rootfs(ctx)));
    // WHEN
    fs.writeFileSync(path.join(ctx, 'app/main.sh'), 'changed');
    // THEN
    expect(fp(convert(rootfs(ctx)))).not.toBe(before);
  });

  test('hashes the content of a tar source, not its path', () => {
    // GIVEN
    fs.writeFileSync(path.join(tmp.dir, 'a.tar'), 'tar bytes');
    fs.writeFileSync(path.join(tmp.dir, 'b.tar'), 'tar bytes');
    const tarSpec = (p: string): RootfsSpec => ({ stage: 'rootfs', source: { kind: 'tar', path: p } });
    const before = fp(tarSpec('a.tar'));
    // THEN
    expect(fp(tarSpec('b.tar'))).toBe(before);
    fs.writeFileSync(path.join(tmp.dir, 'a.tar'), 'other bytes');
    expect(fp(tarSpec('a.tar'))).not.toBe(before);
  });

  test('depends on the reference of an image source', () => {
    const img = (reference: string): RootfsSpec => ({ stage: 'rootfs', source: { kind: 'image', reference } });
    expect(fp(img('debian:12'))).not.toBe(fp(img('debian:13')));
    expect(fp(img('debian:12'))).toBe(fp(img('debian:12')));
  });

  test('fails when the context dir is missing', () => {
    expect(() => fp(rootfs(path.join(tmp.dir, 'nope')))).toThrow(SpecError);
    expect(() => fp(rootfs(path.join(tmp.dir, 'nope')))).toThrow(`build context ${path.join(tmp.dir, 'nope')} is not a directory`);
  });

  test('fails when the Dockerfile is missing', () => {
    expect(() => fp(rootfs(ctx, {}, 'Dockerfile.vm'))).toThrow(SpecError);
    expect(() => fp(rootfs(ctx, {}, 'Dockerfile.vm'))).toThrow(`Dockerfile ${path.join(ctx, 'Dockerfile.vm')} does not exist`);
  });

  test('fails when the tar source is missing', () => {
    expect(() => fp({ stage: 'rootfs', source: { kind: 'tar', path: 'missing.tar' } })).toThrow(SpecError);
  });

  describe('named inputs', () => {
    const chain = (r: RootfsSpec = rootfs(ctx)): ConvertSpec => ({
      stage: 'convert',
      format: 'qcow2',
      compression: 'gzip',
      bootloader: { stage: 'bootloader', extraKernelArgs: [], disk: disk(r) },
    });
    /** The named input digests of each stage of a chain, computed afresh. */
    const inputsOf = (spec: ConvertSpec) => {
      const f = new Fingerprints(tmp.dir);
      const b: BootloaderSpec = spec.bootloader;
      return { rootfs: f.of(b.disk.rootfs).inputs, disk: f.of(b.disk).inputs, bootloader: f.of(b).inputs, convert: f.of(spec).inputs };
    };
    const changed = (before: Record<string, string>, after: Record<string, string>) =>
      Object.keys({ ...before, ...after }).filter(k => before[k] !== after[k]).sort();

    test('names what a Dockerfile source is made of', () => {
      expect(Object.keys(new Fingerprints(tmp.dir).of(rootfs(ctx)).inputs).sort()).toEqual(['build_args', 'context', 'dockerfile', 'target', 'vm']);
    });

    test('an edit of one context file changes context on the rootfs and upstream on every later stage', () => {
      // GIVEN
      const before = inputsOf(chain());
      // WHEN
      fs.writeFileSync(path.join(ctx, 'app/main.sh'), 'echo bye\n');
      const after = inputsOf(chain());
      // THEN
      expect(changed(before.rootfs, after.rootfs)).toEqual(['context']);
      expect(changed(before.disk, after.disk)).toEqual(['upstream']);
      expect(changed(before.bootloader, after.bootloader)).toEqual(['upstream']);
      expect(changed(before.convert, after.convert)).toEqual(['upstream']);
    });

    test('a Dockerfile edit changes dockerfile, not context', () => {
      // GIVEN
      const before = inputsOf(chain());
      // WHEN
      fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM debian:bookworm\nCOPY app /srv/app\n');
      // THEN
      expect(changed(before.rootfs, inputsOf(chain()).rootfs)).toEqual(['dockerfile']);
    });

    test('a build arg changes build_args; a disk size changes options on the disk only', () => {
      const before = inputsOf(chain());
      expect(changed(before.rootfs, inputsOf(chain(rootfs(ctx, { VERSION: '2' }))).rootfs)).toEqual(['build_args']);
      const bigger: ConvertSpec = { ...chain(), bootloader: { ...chain().bootloader, disk: disk(rootfs(ctx), { sizeMiB: 8192 }) } };
      const after = inputsOf(bigger);
      expect(changed(before.rootfs, after.rootfs)).toEqual([]);
      expect(changed(before.disk, after.disk)).toEqual(['options']);
      expect(changed(before.bootloader, after.bootloader)).toEqual(['upstream']);
    });

    test('a format change changes options on the convert stage only', () => {
      const before = inputsOf(chain());
      const after = inputsOf({ ...chain(), format: 'vmdk' });
      expect(changed(before.bootloader, after.bootloader)).toEqual([]);
      expect(changed(before.convert, after.convert)).toEqual(['options']);
    });

    test('holds digests only: no path, build arg or other input in clear', () => {
      const inputs = new Fingerprints(tmp.dir).of(rootfs(ctx, { TOKEN: 'sekrit-value' })).inputs;
      for (const digest of Object.values(inputs)) expect(digest).toMatch(HEX64);
    });

    test('walks a build context once for a whole chain', () => {
      // GIVEN
      const walks = jest.spyOn(contextHash, 'hashBuildContext');
      const fingerprints = new Fingerprints(tmp.dir);
      const spec = chain();
      // WHEN every stage of the chain is fingerprinted, top-down and bottom-up
      fingerprints.of(spec);
      fingerprints.of(spec.bootloader);
      fingerprints.of(spec.bootloader.disk);
      fingerprints.of(spec.bootloader.disk.rootfs);
      // THEN
      expect(walks).toHaveBeenCalledTimes(1);
    });
  });
});
