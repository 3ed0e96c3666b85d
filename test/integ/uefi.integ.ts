/**
 * UEFI: the Debian fixture built with `--firmware uefi` (syslinux.efi as
 * EFI/BOOT/BOOTX64.EFI on an EFI System Partition, no MBR boot code) boots under
 * QEMU with OVMF until its probe service shows that / is writable, on a GPT and
 * on an MBR disk; `check` refuses it for DigitalOcean on rule bios-boot.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliRun, DEBIAN_FIXTURE, runCli } from './support/builder';
import { EFI_SYSTEM_PARTITION_TYPE } from '../../src/builder/bootloader/plan';
import { PartitionTableName } from '../../src/builder/spec';

/** TCG boots in about 30 s on an idle machine, 2-4 times that on a loaded one: bound generously. */
const BOOT_TIMEOUT_SECONDS = 600;
const PROBE = 'cdvm-probe: / is writable';
/**
 * A guest that hangs for good under TCG: CI once saw this UEFI boot spend its
 * whole 600 s in soft lockups and RCU stalls right after the kernel started
 * (both vCPUs, systemd and udevd stuck), while the same image on GPT booted.
 * Such a boot is tried once more; a second hang fails the test.
 */
const GUEST_STALL = /watchdog: BUG: soft lockup|rcu: INFO: rcu_preempt detected stalls/;

let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-uefi-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function ok(run: CliRun, what: string): CliRun {
  if (run.status !== 0) throw new Error(`${what} failed (exit ${run.status}):\n${run.stderr}`);
  return run;
}

function buildUefi(table: PartitionTableName, output: string): void {
  ok(runCli([
    'build', '--dockerfile', path.join(DEBIAN_FIXTURE, 'Dockerfile'), '--firmware', 'uefi', '--partition-table', table,
    '--output', output, '--cache-dir', path.join(work, 'cache'), '--quiet',
  ]), `build --firmware uefi --partition-table ${table}`);
}

function firstBytes(file: string, n: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    readSync(fd, buf, 0, n, 0);
    return buf;
  } finally {
    closeSync(fd);
  }
}

describe.each([['gpt'], ['mbr']] as Array<[PartitionTableName]>)('GIVEN the Debian fixture built for UEFI on a %s disk', (table) => {
  let raw: string;

  beforeAll(() => {
    raw = path.join(work, `uefi-${table}.img`);
    buildUefi(table, raw);
  });

  test('the boot partition is an EFI System Partition and the MBR holds no boot code', () => {
    // WHEN
    const dump = JSON.parse(spawnSync('sfdisk', ['--json', raw], { encoding: 'utf8' }).stdout);
    // THEN
    const type = String(dump.partitiontable.partitions[0].type).toUpperCase();
    expect(type).toBe(EFI_SYSTEM_PARTITION_TYPE[table].toUpperCase());
    expect(firstBytes(raw, 440).every(b => b === 0)).toBe(true);
    if (table === 'gpt') expect(firstBytes(raw, 512)[450]).toBe(0xee); // protective MBR kept
  });

  test('boots with OVMF until / is mounted read-write', () => {
    // WHEN
    const boot = () => runCli(['boot', raw, '--firmware', 'uefi', '--until', PROBE, '--timeout', String(BOOT_TIMEOUT_SECONDS)], {
      timeoutMs: (BOOT_TIMEOUT_SECONDS + 60) * 1000,
    });
    const first = boot();
    const run = ok(first.status !== 0 && GUEST_STALL.test(first.stderr) ? boot() : first, 'boot --firmware uefi');
    // THEN
    expect(run.stderr).toMatch(/BdsDxe: starting Boot\d+/); // OVMF, not SeaBIOS, started the loader
    expect(run.stderr).toContain('Loading /vmlinuz');
    expect(run.stderr).toContain(PROBE);
    expect(run.stderr).not.toMatch(/NOT writable|Read-only file system|emergency mode/i);
  }, 2 * (BOOT_TIMEOUT_SECONDS + 90) * 1000);

  test('check fails it for DigitalOcean on rule bios-boot', () => {
    // WHEN
    const run = runCli(['check', raw, '--json', '--quiet']);
    // THEN
    expect(run.status).toBe(1);
    const biosBoot = (JSON.parse(run.stdout) as { results: Array<{ rule: string; status: string; detail: string }> }).results.find(r => r.rule === 'bios-boot');
    expect(biosBoot).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^UEFI-only image \(EFI\/BOOT\/BOOTX64\.EFI on partition 1/) });
  });
});
