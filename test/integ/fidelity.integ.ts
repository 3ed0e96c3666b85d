/**
 * Fidelity: the edge-case rootfs tar (fixtures/edge-tar.ts) goes through the
 * builder's rootfs and disk stages into the ext4 root partition of a disk
 * image, and the debugfs reader (support/debugfs.ts, no mount) must find every
 * entry exactly as the tar described it, except for what KNOWN_LIMITS lists
 * (each limit is asserted too, so an e2fsprogs change shows).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EdgeEntry, ModeStyle, entryAt, writeEdgeCaseTar } from './fixtures/edge-tar';
import { buildQuietly } from './support/builder';
import { Ext4Entry, fsck, readExt4Entries, readExt4Entry, readFileFromExt4 } from './support/debugfs';
import { expectSparseContent, mismatches, sparseEntry } from './support/mismatches';
import { indexTar } from '../../src/builder/common/tar-index';
import { DiskSpec } from '../../src/builder/spec';

const MIB = 1024 * 1024;
const PARTITION_OFFSET = MIB;
const INT32_MAX = 2 ** 31 - 1;

/**
 * What `mke2fs -d rootfs.tar` (e2fsprogs 1.47.2, libarchive 3.6.2) does NOT
 * carry over from the tar. Everything else is asserted exactly.
 */
const KNOWN_LIMITS = {
  /**
   * Only these xattrs are copied; user.*, security.selinux, system.posix_acl_*,
   * trusted.* ... are silently dropped. misc/create_inode_libarchive.c,
   * set_inode_xattr_tar(): `if (strcmp(name, "security.capability") != 0 &&
   * strcmp(name, "gnu.translator")) continue;` (gnu.translator added in 1.47.2,
   * tytso/e2fsprogs#192; selinux requested in tytso/e2fsprogs#255).
   */
  keptXattrNames: ['security.capability', 'gnu.translator'],
  /**
   * mtimes after 2038-01-19T03:14:07Z are clamped to it although the inodes
   * are 256 bytes: misc/create_inode.c set_inode_extra() edits a 128-byte
   * `struct ext2_inode`, so ext2fs_inode_xtime_set() (lib/ext2fs/ext2fs.h)
   * takes its `clamp(sec, INT32_MIN, INT32_MAX)` branch.
   */
  latestMtime: INT32_MAX,
  /** Sub-second mtimes (PAX "mtime=1600000000.25") become whole seconds: set_inode_extra() uses st_mtime only. */
  subSecondMtimeKept: false,
  /**
   * A non-ASCII PAX path makes mke2fs fail outright under the C/POSIX locale
   * (libarchive: "Pathname can't be converted from UTF-8 to current locale",
   * mke2fs exits 1). mke2fs must run under a UTF-8 locale such as C.UTF-8.
   */
  needsUtf8Locale: true,
} as const;

/** The mke2fs environment for the builder-like run: a UTF-8 locale (see KNOWN_LIMITS.needsUtf8Locale). */
const UTF8_ENV = { ...process.env, LC_ALL: 'C.UTF-8' };

interface Built {
  readonly workDir: string;
  readonly tar: string;
  readonly image: string;
  readonly rootOffset: number;
  readonly expected: EdgeEntry[];
  readonly actual: Map<string, Ext4Entry>;
}

/** Like the builder: a 201 MiB disk image, ext4 of 200 MiB starting 1 MiB in; `tar` undefined for an empty fs. */
function makeExt4FromTar(tar: string | undefined, image: string, env: NodeJS.ProcessEnv) {
  fs.writeFileSync(image, '');
  fs.truncateSync(image, 201 * MIB);
  const populate = tar === undefined ? [] : ['-d', tar];
  return spawnSync('mke2fs', ['-q', '-t', 'ext4', ...populate, '-E', `offset=${PARTITION_OFFSET}`, '-F', image, '200M'], {
    encoding: 'utf8', env,
  });
}

/** The builder's disk stage, run on the fixture tar with a fresh cache. */
async function build(modeStyle: ModeStyle): Promise<Built> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-fixtures-'));
  const tar = path.join(workDir, 'rootfs.tar');
  const expected = writeEdgeCaseTar(tar, modeStyle);
  const spec: DiskSpec = { stage: 'disk', partitionTable: 'mbr', bootPartitionMiB: 64, rootfs: { stage: 'rootfs', source: { kind: 'tar', path: tar } } };
  const { result } = await buildQuietly(spec, path.join(workDir, 'cache'));
  const rootOffset = (result.entry.meta as { layout: { rootOffsetBytes: number } }).layout.rootOffsetBytes;
  const image = result.artifactPath;
  const actual = readExt4Entries(image, rootOffset, expected.map(e => e.path));
  return { workDir, tar, image, rootOffset, expected, actual };
}

const EXT4_TYPE_OF: Record<EdgeEntry['type'], Ext4Entry['type']> = {
  file: 'file', hardlink: 'file', dir: 'dir', symlink: 'symlink', fifo: 'fifo', char: 'char', block: 'block',
};

function keptXattrs(entry: EdgeEntry): Record<string, string> {
  return hexValues(Object.fromEntries(Object.entries(entry.xattrs ?? {})
    .filter(([name]) => (KNOWN_LIMITS.keptXattrNames as readonly string[]).includes(name))));
}

function hexValues(xattrs: Record<string, Buffer>): Record<string, string> {
  return Object.fromEntries(Object.entries(xattrs).map(([name, value]) => [name, value.toString('hex')]));
}

function hardlinkCount(built: Built, originalPath: string): number {
  return built.expected.filter(e => e.type === 'hardlink' && e.linkTarget === originalPath).length;
}

/** A directory has '.', its name in the parent, and '..' in each subdirectory; mke2fs adds /lost+found. */
function expectedLinksCount(built: Built, entry: EdgeEntry): number {
  if (entry.type === 'dir') {
    const subdirs = built.expected.filter(e => e.type === 'dir' && e.path !== '/' && path.posix.dirname(e.path) === entry.path);
    return 2 + subdirs.length + (entry.path === '/' ? 1 : 0);
  }
  if (entry.type === 'hardlink') return 1 + hardlinkCount(built, entry.linkTarget ?? '');
  return 1 + hardlinkCount(built, entry.path);
}

describe.each<[string, ModeStyle]>([
  ['written as GNU tar writes it (permission bits in the mode)', 'gnu'],
  ['written as docker export writes it (file-type bits in the mode, 0100755)', 'go'],
])('GIVEN the edge-case rootfs tar %s WHEN the builder makes a disk from it', (_style, modeStyle) => {
  let built: Built;

  beforeAll(async () => {
    built = await build(modeStyle);
  });

  afterAll(() => {
    if (built) fs.rmSync(built.workDir, { recursive: true, force: true });
  });

  test('THEN GNU tar, an independent reader, lists every entry in order', () => {
    const listing = spawnSync('tar', ['-tf', built.tar], { encoding: 'utf8', env: UTF8_ENV });
    expect(listing.stderr).toBe('');
    const listedAsAbsolute = listing.stdout.split('\n').filter(Boolean)
      .map(name => (name === './' ? '/' : `/${name.replace(/\/$/, '')}`));
    expect(listedAsAbsolute).toEqual(built.expected.map(e => e.path));
  });

  test('THEN every tar entry exists in ext4', () => {
    expect(built.expected.length).toBeGreaterThan(80);
    expect(built.expected.filter(e => !built.actual.has(e.path)).map(e => e.path)).toEqual([]);
  });

  test('THEN every entry keeps its type (a tar hard link is a regular file)', () => {
    expect(mismatches(built, () => true, e => EXT4_TYPE_OF[e.type], f => f.type)).toEqual([]);
  });

  test('THEN every entry keeps its owner, including ids above 65535 and above the ustar limit', () => {
    expect(mismatches(built, () => true, e => [e.uid, e.gid], f => [f.uid, f.gid])).toEqual([]);
  });

  test('THEN every entry keeps its permission bits, including setuid, setgid and sticky', () => {
    expect(mismatches(built, () => true, e => e.mode.toString(8), f => f.mode.toString(8))).toEqual([]);
  });

  test('THEN files, symlinks and special files keep their size', () => {
    expect(mismatches(built, e => e.size !== undefined, e => e.size, f => f.size)).toEqual([]);
  });

  test('THEN symlinks keep their target, fast (< 60 bytes), slow and PAX-long', () => {
    expect(mismatches(built, e => e.type === 'symlink', e => e.linkTarget, f => f.linkTarget)).toEqual([]);
    expect(built.actual.get('/usr/lib/target-150')?.linkTarget).toHaveLength(150);
  });

  test('THEN device nodes keep their major and minor numbers', () => {
    const isDevice = (e: EdgeEntry) => e.type === 'char' || e.type === 'block';
    expect(mismatches(built, isDevice, e => [e.devMajor, e.devMinor], f => [f.devMajor, f.devMinor])).toEqual([]);
  });

  test('THEN every entry keeps its mtime in whole seconds, up to the 2038 clamp', () => {
    const expectedMtime = (e: EdgeEntry) => Math.min(e.mtime, KNOWN_LIMITS.latestMtime);
    expect(mismatches(built, () => true, expectedMtime, f => f.mtime)).toEqual([]);
  });

  test('THEN security.capability is kept byte for byte and no other xattr appears', () => {
    expect(mismatches(built, () => true, keptXattrs, f => hexValues(f.xattrs))).toEqual([]);
    // What `setcap cap_net_bind_service=ep` writes: vfs_cap_data v2, effective, permitted bit 10.
    expect(built.actual.get('/usr/bin/ping-like')?.xattrs['security.capability']?.toString('hex'))
      .toBe('0100000200040000000000000000000000000000');
  });

  test('THEN a hard link and its original share one inode with a link count of 2', () => {
    const hardlinks = built.expected.filter(e => e.type === 'hardlink');
    expect(hardlinks.length).toBeGreaterThan(0);
    for (const link of hardlinks) {
      const original = built.actual.get(link.linkTarget ?? '');
      expect(built.actual.get(link.path)?.inode).toBe(original?.inode);
      expect(original?.linksCount).toBe(2);
    }
  });

  test('THEN every inode has the link count its names and subdirectories give it', () => {
    expect(mismatches(built, () => true, e => expectedLinksCount(built, e), f => f.linksCount)).toEqual([]);
  });

  test('THEN regular files keep their content, unicode and deep paths included', () => {
    const withContent = built.expected.filter(e => e.type === 'file' && Buffer.isBuffer(e.content) && e.content.length > 0);
    expect(withContent.length).toBeGreaterThan(10);
    for (const entry of withContent) {
      expect([entry.path, readFileFromExt4(built.image, built.rootOffset, entry.path).toString('hex')])
        .toEqual([entry.path, (entry.content as Buffer).toString('hex')]);
    }
  });

  test('THEN the 64 MiB sparse-ish file has its data at each offset and zeros elsewhere', () => {
    const sparse = sparseEntry(built.expected);
    expect(sparse.content.size).toBe(64 * MIB);
    expectSparseContent(readFileFromExt4(built.image, built.rootOffset, sparse.path), sparse.content);
  });

  test('THEN e2fsck -fn finds the filesystem clean', () => {
    const result = fsck(built.image, built.rootOffset);
    expect({ ok: result.ok, output: result.output }).toEqual({ ok: true, output: expect.any(String) });
  });

  describe('KNOWN_LIMITS of mke2fs 1.47.2 (asserted so an e2fsprogs upgrade that lifts one is noticed)', () => {
    test('user.* xattrs in the tar are dropped', () => {
      expect(Object.keys(entryAt(built.expected, '/usr/bin/ping-like').xattrs ?? {})).toContain('user.comment');
      expect(Object.keys(built.actual.get('/usr/bin/ping-like')?.xattrs ?? {})).toEqual(['security.capability']);
    });

    test('an mtime after 2038 is clamped to 2038-01-19T03:14:07Z', () => {
      expect(entryAt(built.expected, '/times/year-2100').mtime).toBe(4_102_444_800);
      expect(built.actual.get('/times/year-2100')?.mtime).toBe(KNOWN_LIMITS.latestMtime);
    });

    test('a sub-second PAX mtime keeps its seconds and loses its fraction', () => {
      expect(entryAt(built.expected, '/times/sub-second').mtimeInTar).toBe('1600000000.25');
      expect(built.actual.get('/times/sub-second')).toMatchObject({ mtime: 1_600_000_000, mtimeNsec: 0 });
      expect(KNOWN_LIMITS.subSecondMtimeKept).toBe(false);
    });

    test('under the C locale mke2fs refuses a tar with non-ASCII PAX paths', () => {
      const image = path.join(built.workDir, 'c-locale.img');
      const made = makeExt4FromTar(built.tar, image, { ...process.env, LC_ALL: 'C' });
      expect(KNOWN_LIMITS.needsUtf8Locale).toBe(true);
      expect(made.status).not.toBe(0);
      expect(made.stderr).toContain("Pathname can't be converted from UTF-8 to current locale");
      fs.rmSync(image, { force: true });
    });
  });
});

describe('GIVEN a real docker export of debian:bookworm (Go writes 0100755 in its hard-link headers) WHEN the builder makes a disk from it', () => {
  let workDir: string;
  let tar: string;
  let image: string;
  let rootOffset: number;
  /** Hard links as GNU tar, an independent reader, lists them: [link, original]. */
  let links: Array<[string, string]>;

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'docker-export-links-'));
    tar = path.join(workDir, 'debian.tar');
    const container = spawnSync('docker', ['create', '--entrypoint', '/bin/true', 'debian:bookworm'], { encoding: 'utf8' });
    if (container.status !== 0) throw new Error(`docker create debian:bookworm failed: ${container.stderr}`);
    const id = container.stdout.trim();
    try {
      const exported = spawnSync('docker', ['export', '--output', tar, id], { encoding: 'utf8' });
      if (exported.status !== 0) throw new Error(`docker export failed: ${exported.stderr}`);
    } finally {
      spawnSync('docker', ['rm', '--force', id]);
    }
    const listing = spawnSync('tar', ['--list', '--verbose', '--file', tar], { encoding: 'utf8', env: UTF8_ENV, maxBuffer: 256 * MIB });
    links = listing.stdout.split('\n').filter(line => line.startsWith('h')).map(line => {
      const m = / (\S+) link to (\S+)$/.exec(line);
      if (!m) throw new Error(`unexpected tar listing line: ${line}`);
      return [`/${m[1]}`, `/${m[2]}`];
    });
    const spec: DiskSpec = { stage: 'disk', partitionTable: 'mbr', bootPartitionMiB: 64, rootfs: { stage: 'rootfs', source: { kind: 'tar', path: tar } } };
    const { result } = await buildQuietly(spec, path.join(workDir, 'cache'));
    image = result.artifactPath;
    rootOffset = (result.entry.meta as { layout: { rootOffsetBytes: number } }).layout.rootOffsetBytes;
  });

  afterAll(() => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('THEN the export holds hard links whose headers carry the file-type bits', () => {
    expect(links.map(([link]) => link)).toEqual(expect.arrayContaining(['/usr/bin/perl5.36.0', '/usr/bin/uncompress']));
    // the mode field as docker wrote it, in the header block before each link's (empty) data
    const raw = fs.readFileSync(tar);
    const modes = indexTar(tar).filter(e => e.type === 'hardlink').map(e => raw.toString('latin1', e.dataOffset - 512 + 100, e.dataOffset - 512 + 107));
    expect(modes.length).toBe(links.length);
    expect([...new Set(modes)]).toEqual(['0100755']);
  });

  test('THEN every hard link in the tar is a hard link in ext4, with the original\'s content', () => {
    const entries = readExt4Entries(image, rootOffset, links.flat());
    const wrong = links.flatMap(([link, original]) => {
      const a = entries.get(link);
      const b = entries.get(original);
      const ok = a !== undefined && b !== undefined && a.inode === b.inode && a.linksCount >= 2 && a.size === b.size;
      return ok ? [] : [{ link, original, link_inode: a?.inode, original_inode: b?.inode, links: a?.linksCount, size: a?.size }];
    });
    expect(wrong).toEqual([]);
    for (const [link, original] of links) {
      const want = spawnSync('tar', ['--extract', '--to-stdout', '--file', tar, original.slice(1)], { maxBuffer: 256 * MIB }).stdout;
      expect(want.length).toBeGreaterThan(0);
      expect(readFileFromExt4(image, rootOffset, link).equals(want)).toBe(true);
    }
  });
});

describe('GIVEN an ext4 image changed with debugfs -w WHEN the reader reads it back', () => {
  let workDir: string;
  let image: string;

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'debugfs-reader-'));
    image = path.join(workDir, 'disk.img');
    const made = makeExt4FromTar(undefined, image, UTF8_ENV);
    if (made.status !== 0) throw new Error(made.stderr);
    const commands = [
      'write /dev/null "/with attrs"',
      'ea_set "/with attrs" user.text "plain text"',
      'ea_set -f BINARY "/with attrs" trusted.binary',
      'set_inode_field "/with attrs" mtime @4102444800',
    ];
    const binary = path.join(workDir, 'binary');
    fs.writeFileSync(binary, Buffer.from([0, 1, 2, 0xff, 0x0a, 0x22, 0]));
    const script = path.join(workDir, 'commands');
    fs.writeFileSync(script, commands.map(c => c.replace('BINARY', binary)).join('\n') + '\n');
    const edited = spawnSync('debugfs', ['-w', '-f', script, `${image}?offset=${PARTITION_OFFSET}`], { encoding: 'utf8' });
    if (edited.status !== 0) throw new Error(edited.stderr);
  });

  afterAll(() => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('THEN it returns several xattrs with their exact bytes, NULs included', () => {
    expect(hexValues(readExt4Entry(image, PARTITION_OFFSET, '/with attrs')?.xattrs ?? {})).toEqual({
      'user.text': Buffer.from('plain text').toString('hex'),
      'trusted.binary': '000102ff0a2200',
    });
  });

  test('THEN it decodes a post-2038 mtime from the ext4 extra epoch bits', () => {
    expect(readExt4Entry(image, PARTITION_OFFSET, '/with attrs')?.mtime).toBe(4_102_444_800);
  });

  test('THEN a path that does not exist reads as undefined', () => {
    expect(readExt4Entry(image, PARTITION_OFFSET, '/no such file')).toBeUndefined();
  });

  test('THEN a wrong offset is an error, not an empty result', () => {
    expect(() => readExt4Entry(image, PARTITION_OFFSET + 4096, '/')).toThrow(/could not open/);
  });
});
