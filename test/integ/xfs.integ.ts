/**
 * XFS root (--root-fs xfs): the Debian fixture built rootless with mkfs.xfs -p,
 * read back with xfs_db (no mount), booted under QEMU to the login prompt, and
 * refused by DigitalOcean's rules.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEBIAN_FIXTURE, runCli } from './support/builder';
import { LOGIN_PROMPT, bootUntil } from '../../src/builder/boot/qemu';

const BOOT_TIMEOUT_SECONDS = 600;
const ROOT_OFFSET_MIB = 1 + 128;

let work: string;
let image: string;
let root: string;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-xfs-'));
  image = path.join(work, 'xfs.img');
  const build = runCli(['build', '--dockerfile', path.join(DEBIAN_FIXTURE, 'Dockerfile'), '--root-fs', 'xfs', '--output', image, '--cache-dir', path.join(work, 'cache'), '--quiet']);
  if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
  // xfs_db has no offset option: copy the root partition out (sparse)
  root = path.join(work, 'root.xfs');
  const dd = spawnSync('dd', [`if=${image}`, `of=${root}`, 'bs=1M', `skip=${ROOT_OFFSET_MIB}`, 'conv=sparse', 'status=none']);
  if (dd.status !== 0) throw new Error(`dd failed: ${dd.stderr}`);
}, 1_200_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function inode(p: string, fields: string): string {
  const r = spawnSync('xfs_db', ['-r', '-c', `path ${p}`, '-c', `print ${fields}`, root], { encoding: 'utf8' });
  return r.stdout + r.stderr;
}

describe('GIVEN the Debian fixture built with --root-fs xfs', () => {
  test('THEN the root partition is XFS and xfs_repair -n finds it clean', () => {
    const repair = spawnSync('xfs_repair', ['-n', '-f', root], { encoding: 'utf8' });
    expect(repair.status).toBe(0);
    expect(spawnSync('xfs_db', ['-r', '-c', 'sb 0', '-c', 'print magicnum', root], { encoding: 'utf8' }).stdout).toMatch(/0x58465342/);
  });

  test('THEN owners and setuid/setgid/sticky modes are kept', () => {
    expect(inode('/usr/bin/su', 'core.mode core.uid core.gid')).toMatch(/core\.mode = 0104755\ncore\.uid = 0\ncore\.gid = 0/);
    expect(inode('/usr/bin/chage', 'core.mode core.gid')).toMatch(/core\.mode = 0102755\ncore\.gid = 42/);
    expect(inode('/etc/shadow', 'core.mode core.gid')).toMatch(/core\.mode = 0100640\ncore\.gid = 42/);
    expect(inode('/tmp', 'core.mode')).toMatch(/core\.mode = 041777/);
    expect(inode('/var/tmp', 'core.mode')).toMatch(/core\.mode = 041777/);
  });

  test('THEN symlinks keep their targets and /.dockerenv is gone', () => {
    expect(inode('/bin', 'core.mode u3.symlink')).toMatch(/core\.mode = 0120777\nu3\.symlink = "usr\/bin"/);
    expect(inode('/.dockerenv', 'core.mode')).toMatch(/\/\.dockerenv: No such file or directory/);
  });

  test('THEN it boots to the login prompt with / mounted read-write as xfs', async () => {
    const boot = await bootUntil({ image, format: 'raw', timeoutSeconds: BOOT_TIMEOUT_SECONDS });
    expect(boot.console).toMatch(LOGIN_PROMPT);
    expect(boot.console).toMatch(/XFS \(vda2\): Mounting V5 Filesystem/);
    expect(boot.console).toMatch(/cdvm-probe: \/ is writable \(rw,/);
  }, (BOOT_TIMEOUT_SECONDS + 120) * 1000);

  test('THEN check fails DigitalOcean\'s root-ext4 rule, naming XFS', () => {
    const run = runCli(['check', image]);
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/holds xfs; DigitalOcean needs ext3 or ext4/);
  });

  test('fails when --root-fs xfs is combined with --profile digitalocean', () => {
    const run = runCli(['build', '--dockerfile', path.join(DEBIAN_FIXTURE, 'Dockerfile'), '--root-fs', 'xfs', '--profile', 'digitalocean', '--output', path.join(work, 'do.img')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/DigitalOcean needs ext3 or ext4/);
  });
});
