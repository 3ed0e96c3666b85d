import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpecError } from '../../../src/builder/common/errors';
import { canonicalJson, fingerprintSpec, sha256Hex } from '../../../src/builder/common/fingerprint';
import { BUILDER_FORMAT_VERSION, ConvertSpec, DiskSpec, RootfsSpec } from '../../../src/builder/spec';
import { tempDir } from '../support/tar';

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
  afterEach(() => tmp.cleanup());

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

  test('firmware uefi changes the bootloader fingerprint; bios, given or not, keeps the fingerprint of today', () => {
    // GIVEN
    const d = disk(rootfs(ctx));
    const bios = fp({ stage: 'bootloader', extraKernelArgs: [], disk: d });
    // THEN
    expect(fp({ stage: 'bootloader', extraKernelArgs: [], disk: d, firmware: 'bios' })).toBe(bios);
    expect(fp({ stage: 'bootloader', extraKernelArgs: [], disk: d, firmware: 'uefi' })).not.toBe(bios);
    expect(bios).toBe(sha256Hex(canonicalJson({ builderFormatVersion: BUILDER_FORMAT_VERSION, stage: 'bootloader', upstream: fp(d), extraKernelArgs: [] })));
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
});

describe('canonicalJson', () => {
  test('sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 0 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,{"y":0,"z":1}]},"b":1}');
  });

  test('does not depend on key order', () => {
    expect(canonicalJson({ x: 1, y: { p: true, q: null } })).toBe(canonicalJson({ y: { q: null, p: true }, x: 1 }));
  });

  test('leaves out undefined values and keeps array order', () => {
    expect(canonicalJson({ a: undefined, b: [3, 1, 2] })).toBe('{"b":[3,1,2]}');
  });

  test('sha256Hex hashes like sha256sum', () => {
    // printf abc | sha256sum
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
