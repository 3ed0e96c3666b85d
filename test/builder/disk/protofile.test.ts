import { SpecError } from '../../../src/builder/common/errors';
import { TarEntryType } from '../../../src/builder/common/tar-index';
import { ProtoEntry, buildProtofile, modeFixupCommands, modeString } from '../../../src/builder/disk/protofile';

function entry(path: string, type: TarEntryType, mode: number, props: Partial<ProtoEntry> = {}): ProtoEntry {
  return { path, type, mode, uid: 0, gid: 0, linkTarget: '', devMajor: 0, devMinor: 0, ...props };
}

function proto(entries: ProtoEntry[], extra: { writes?: Record<string, string>; omit?: string[] } = {}) {
  const sources = new Map(entries.filter(e => e.type === 'file').map((e, i) => [e.path, `/src/${i}`]));
  return buildProtofile({ entries, sources, writes: new Map(Object.entries(extra.writes ?? {})), omit: new Set(extra.omit ?? []) });
}

describe('modeString', () => {
  test.each([
    ['file', 0o644, '---644'],
    ['file', 0o4755, '-u-755'],
    ['file', 0o2755, '--g755'],
    ['file', 0o6711, '-ug711'],
    ['dir', 0o755, 'd--755'],
    ['dir', 0o1777, 'd--777'],
    ['symlink', 0o777, 'l--777'],
    ['char', 0o666, 'c--666'],
    ['block', 0o660, 'b--660'],
    ['fifo', 0o600, 'p--600'],
    ['hardlink', 0o755, '---755'],
  ] as Array<[TarEntryType, number, string]>)('writes a %s with mode %o as %s', (type, mode, expected) => {
    expect(modeString(type, mode)).toBe(expected);
  });
});

describe('buildProtofile', () => {
  test('writes the tree with owners, modes, symlink targets and device numbers, children sorted, each directory closed by $', () => {
    // GIVEN
    const entries = [
      entry('', 'dir', 0o755),
      entry('usr', 'dir', 0o755),
      entry('usr/bin', 'dir', 0o755),
      entry('usr/bin/su', 'file', 0o4755),
      entry('usr/bin/crontab', 'file', 0o2755, { gid: 102 }),
      entry('home', 'dir', 0o755),
      entry('home/app', 'dir', 0o700, { uid: 1000, gid: 1000 }),
      entry('home/app/notes', 'file', 0o600, { uid: 1000, gid: 1000 }),
      entry('bin', 'symlink', 0o777, { linkTarget: 'usr/bin' }),
      entry('dev', 'dir', 0o755),
      entry('dev/null', 'char', 0o666, { devMajor: 1, devMinor: 3 }),
      entry('dev/vda', 'block', 0o660, { gid: 6, devMajor: 254, devMinor: 0 }),
      entry('dev/initctl', 'fifo', 0o600),
    ];
    // WHEN
    const p = proto(entries);
    // THEN
    expect(p.text).toBe([
      'cdktf-docker-vm',
      '0 0',
      'd--755 0 0',
      '  bin l--777 0 0 usr/bin',
      '  dev d--755 0 0',
      '    initctl p--600 0 0',
      '    null c--666 0 0 1 3',
      '    vda b--660 0 6 254 0',
      '    $',
      '  home d--755 0 0',
      '    app d--700 1000 1000',
      '      notes ---600 1000 1000 /src/2',
      '      $',
      '    $',
      '  usr d--755 0 0',
      '    bin d--755 0 0',
      '      crontab --g755 0 102 /src/1',
      '      su -u-755 0 0 /src/0',
      '      $',
      '    $',
      '  $',
      '',
    ].join('\n'));
    expect(p.modeFixups).toEqual([]);
  });

  test('returns the sticky bits, which the protofile cannot carry, as xfs_db mode writes', () => {
    // GIVEN
    const entries = [entry('tmp', 'dir', 0o1777), entry('var', 'dir', 0o755), entry('var/tmp', 'dir', 0o1777), entry('opt/f', 'file', 0o1644)];
    // WHEN
    const p = proto(entries);
    // THEN
    expect(p.text).toContain('  tmp d--777 0 0\n');
    expect(p.modeFixups).toEqual([
      { path: '/opt/f', mode: 0o101644 },
      { path: '/tmp', mode: 0o41777 },
      { path: '/var/tmp', mode: 0o41777 },
    ]);
    expect(modeFixupCommands(p.modeFixups)).toBe('path /opt/f\nwrite core.mode 0101644\npath /tmp\nwrite core.mode 041777\npath /var/tmp\nwrite core.mode 041777\n');
  });

  test('writes a hard link as a copy of its target: same contents, owner and mode', () => {
    // GIVEN
    const entries = [
      entry('usr/bin/perl', 'file', 0o755, { uid: 0, gid: 0 }),
      entry('usr/bin/perl5.36.0', 'hardlink', 0o100755, { linkTarget: 'usr/bin/perl' }),
    ];
    // WHEN
    const p = proto(entries);
    // THEN
    expect(p.text).toContain('      perl ---755 0 0 /src/0\n');
    expect(p.text).toContain('      perl5.36.0 ---755 0 0 /src/0\n');
    expect(p.hardLinksCopied).toBe(1);
  });

  test('makes directories the tar implies but does not list, root-owned 0755, and keeps a later listed mode', () => {
    // GIVEN: etc/ssh listed after a file inside it, a/b never listed
    const entries = [entry('etc/ssh/sshd_config', 'file', 0o644), entry('etc/ssh', 'dir', 0o750, { gid: 4 }), entry('a/b/c', 'file', 0o644)];
    // WHEN
    const p = proto(entries);
    // THEN
    expect(p.text).toContain('  etc d--755 0 0\n    ssh d--750 0 4\n      sshd_config ---644 0 0 /src/0\n');
    expect(p.text).toContain('  a d--755 0 0\n    b d--755 0 0\n      c ---644 0 0 /src/1\n');
  });

  test('takes the root directory mode and owner from the tar entry "."', () => {
    expect(proto([entry('', 'dir', 0o750, { gid: 5 })]).text.split('\n')[2]).toBe('d--750 0 5');
  });

  test('replaces and adds the files the builder writes, root-owned 0644, and leaves out omitted paths', () => {
    // GIVEN
    const entries = [entry('.dockerenv', 'file', 0o755), entry('etc', 'dir', 0o755), entry('etc/fstab', 'file', 0o600, { uid: 7 })];
    // WHEN
    const p = proto(entries, { writes: { 'etc/fstab': '/w/0', 'etc/hosts': '/w/1' }, omit: ['.dockerenv'] });
    // THEN
    expect(p.text).not.toContain('.dockerenv');
    expect(p.text).toContain('  etc d--755 0 0\n    fstab ---644 0 0 /w/0\n    hosts ---644 0 0 /w/1\n    $\n');
  });

  test.each([
    ['a name with a space', [entry('opt/my file', 'file', 0o644)], /\/opt\/my file.*"my file" contains whitespace/],
    ['a name with a tab', [entry('opt/a\tb', 'file', 0o644)], /contains whitespace/],
    ['a directory name with a newline', [entry('opt/x\ny/f', 'file', 0o644)], /contains whitespace/],
    ['a name starting with a colon', [entry('opt/:x', 'file', 0o644)], /":x" contains a leading ":"/],
    ['the name $', [entry('opt/$', 'file', 0o644)], /the name "\$"/],
    ['a symlink target with a space', [entry('opt/l', 'symlink', 0o777, { linkTarget: 'my file' })], /\/opt\/l, and its symlink target "my file" contains whitespace/],
    ['a symlink target starting with a colon', [entry('opt/l', 'symlink', 0o777, { linkTarget: ':x' })], /its symlink target ":x"/],
  ])('fails when the tar holds %s, naming the entry and the fix', (_name, entries, message) => {
    expect(() => proto(entries)).toThrow(SpecError);
    expect(() => proto(entries)).toThrow(message);
    expect(() => proto(entries)).toThrow(/mkfs\.xfs -p cannot write; rename it in the image, or use --root-fs ext4/);
  });

  test('GIVEN a symlink target of 336 bytes THEN it is written, and GIVEN 337 bytes THEN it is refused, naming the entry, the length and the fix', () => {
    const target = (n: number) => `/${'a'.repeat(n - 1)}`;
    expect(proto([entry('l', 'symlink', 0o777, { linkTarget: target(336) })]).text).toContain(` l l--777 0 0 ${target(336)}\n`);
    expect(() => proto([entry('l', 'symlink', 0o777, { linkTarget: target(337) })])).toThrow(SpecError);
    expect(() => proto([entry('l', 'symlink', 0o777, { linkTarget: target(337) })]))
      .toThrow(/\/l, a symlink whose target is 337 bytes long; .*shorten the link in the image, or use --root-fs ext4/);
  });

  test('counts a symlink target\'s length in UTF-8 bytes, not characters', () => {
    expect(() => proto([entry('l', 'symlink', 0o777, { linkTarget: 'é'.repeat(169) })])).toThrow(/338 bytes long/);
  });

  test('accepts a colon or a dollar inside a name (only a leading ":" and the name "$" mean something)', () => {
    expect(proto([entry('opt/a:b$', 'file', 0o644)]).text).toContain('    a:b$ ---644 0 0 /src/0\n');
  });

  test('fails when the scratch directory path has whitespace, naming --cache-dir', () => {
    // GIVEN
    const entries = [entry('f', 'file', 0o644)];
    // WHEN / THEN
    expect(() => buildProtofile({ entries, sources: new Map([['f', '/my cache/0']]), writes: new Map(), omit: new Set() }))
      .toThrow(/cache directory path "\/my cache\/0" contains whitespace.*--cache-dir/);
  });

  test('fails when a hard link points to no regular file of the tar', () => {
    expect(() => proto([entry('a', 'hardlink', 0o644, { linkTarget: 'missing' })])).toThrow(/hard link \/a points to \/missing/);
  });

  test('fails when the tar holds a path as a file and files below it', () => {
    expect(() => proto([entry('x', 'file', 0o644), entry('x/y', 'file', 0o644)])).toThrow(/\/x as a file and also files below it/);
  });
});
