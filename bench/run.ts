/**
 * `npm run bench`: measures this project against the classic loop-device
 * route and the mke2fs floor on one reference image, in one run, and writes
 * bench/results.md and bench/stage-times.svg. Needs root (the baseline mounts).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { baselineBuild, BaselineTimes, floorBuild } from './lib/baseline';
import { secondsToSsh } from './lib/boot-ssh';
import { allocatedBytes, median, runWithPeaks, sh } from './lib/measure';
import { writeReport, BenchResults, OurStageTimes } from './lib/report';
import { contextFingerprintSeconds, synthSeconds } from './lib/synth';
import { tenVersionsFootprint } from './lib/versions';

const BENCH = __dirname;
const REPO = path.resolve(BENCH, '..');
const WORK = process.env.BENCH_WORK ?? path.join(BENCH, 'work');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CLI = path.join(REPO, 'lib/builder/cli.js');
const IMAGE = 'cdvm-bench-reference:1';
const LARGE_IMAGE = 'cdvm-bench-reference-large:1';
const LARGE_RUNS = Number(process.env.BENCH_LARGE_RUNS ?? RUNS);

interface CliJson { seconds: number; stages: Array<{ stage: string; seconds: number; cacheHit: boolean }> }

function log(msg: string) { process.stderr.write(`bench: ${msg}\n`); }

function build(args: string[]): CliJson {
  return JSON.parse(sh(process.execPath, [CLI, 'build', ...args, '--json', '--quiet']).stdout) as CliJson;
}

function stageTimes(j: CliJson): OurStageTimes {
  const s = (name: string) => j.stages.find(x => x.stage === name)?.seconds ?? 0;
  const stages = s('rootfs') + s('disk') + s('bootloader') + s('convert');
  return { rootfs: s('rootfs'), disk: s('disk'), bootloader: s('bootloader'), convert: s('convert'), other: Math.max(0, j.seconds - stages) };
}

function exportTar(image: string, tar: string): string {
  const container = sh('docker', ['create', '--entrypoint', '/bin/true', image]).stdout.trim();
  try { sh('docker', ['export', '-o', tar, container]); } finally { sh('docker', ['rm', container]); }
  return tar;
}

interface UploadRun { seconds: number; stages: OurStageTimes; peakDisk: number; peakRss: number; layout: { totalBytes: number; rootOffsetBytes: number; rootBytes: number } }

/** A full build to qcow2.gz in an empty cache, with its peak disk (cache plus the published file) and memory. */
async function uploadRun(tar: string, cacheDir: string, output: string): Promise<UploadRun> {
  rmSync(cacheDir, { recursive: true, force: true });
  rmSync(output, { force: true });
  const up = await runWithPeaks(process.execPath, [CLI, 'build', '--tar', tar, '--output', output, '--cache-dir', cacheDir, '--json', '--quiet'], cacheDir);
  const diskEntry = JSON.parse(readFileSync(sh('sh', ['-c', 'ls "$1"/disk/*/manifest.json', 'sh', cacheDir]).stdout.trim(), 'utf8'));
  return {
    seconds: up.seconds,
    stages: stageTimes(JSON.parse(up.stdout) as CliJson),
    peakDisk: up.peakDiskBytes + allocatedBytes(output),
    peakRss: up.peakRssBytes,
    layout: diskEntry.meta.layout,
  };
}

function fsUsedBytes(disk: string, offset: number): number {
  const out = sh('debugfs', ['-R', 'stats', `${disk}?offset=${offset}`]).stdout;
  const get = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(out)![1]);
  return (get('Block count') - get('Free blocks')) * get('Block size');
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('the bench runs the baseline route, which needs root (loop device, mount)');
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run npx projen compile first`);
  for (const tool of ['extlinux', 'losetup', 'qemu-img', 'qemu-system-x86_64', 'mke2fs', 'debugfs', 'e2image', 'gzip']) sh('sh', ['-c', `command -v ${tool}`]);
  mkdirSync(WORK, { recursive: true });

  log(`docker build ${IMAGE}`);
  sh('docker', ['build', '-q', '-t', IMAGE, path.join(BENCH, 'reference')]);
  const tar = exportTar(IMAGE, path.join(WORK, 'reference.tar'));
  const tarBytes = statSync(tar).size;
  const mbrBin = ['/usr/lib/syslinux/mbr/mbr.bin', '/usr/lib/syslinux/mbr.bin'].find(existsSync)!;

  const ours: OurStageTimes[] = [];
  const oursUploadSeconds: number[] = [];
  const oursRawSeconds: number[] = [];
  const baseline: BaselineTimes[] = [];
  const floor: number[] = [];
  let peakDisk = 0;
  let peakRss = 0;
  let layout = { totalBytes: 0, rootOffsetBytes: 0, rootBytes: 0 };
  for (let i = 0; i < RUNS; i++) {
    log(`run ${i + 1}/${RUNS}: this project -> qcow2.gz (DigitalOcean default)`);
    const cacheA = path.join(WORK, `cache-${i}`);
    const up = await uploadRun(tar, cacheA, path.join(WORK, 'ours', 'disk.qcow2.gz'));
    ours.push(up.stages);
    oursUploadSeconds.push(up.seconds);
    peakDisk = Math.max(peakDisk, up.peakDisk);
    peakRss = Math.max(peakRss, up.peakRss);
    layout = up.layout;

    log(`run ${i + 1}/${RUNS}: this project -> bootable raw`);
    const cacheB = path.join(WORK, `cache-raw-${i}`);
    rmSync(cacheB, { recursive: true, force: true });
    oursRawSeconds.push(build(['--tar', tar, '--format', 'raw', '--output', path.join(WORK, 'ours', 'disk.img'), '--cache-dir', cacheB]).seconds);
    rmSync(cacheB, { recursive: true, force: true });

    log(`run ${i + 1}/${RUNS}: baseline (loop device + mount + tar -x + extlinux + qemu-img convert -c)`);
    baseline.push(baselineBuild(tar, layout.totalBytes, path.join(WORK, 'baseline'), mbrBin));
    log(`run ${i + 1}/${RUNS}: floor (mke2fs -d)`);
    floor.push(floorBuild(tar, layout.rootBytes, path.join(WORK, 'floor')));
    if (i < RUNS - 1) rmSync(cacheA, { recursive: true, force: true });
  }
  const cache = path.join(WORK, `cache-${RUNS - 1}`);

  log('P2 sizes');
  const oursRaw = path.join(WORK, 'ours', 'disk.img');
  const sizes: Record<string, number> = { 'raw (allocated)': statSync(oursRaw).blocks * 512 };
  for (const f of ['disk.qcow2', 'disk.vmdk', 'disk.vhdx', 'disk.qcow2.gz', 'disk.img.gz', 'disk.vmdk.gz']) {
    const out = path.join(WORK, 'ours', f);
    build(['--tar', tar, '--output', out, '--cache-dir', cache]);
    sizes[f] = statSync(out).size;
  }
  sizes['baseline qcow2 (-c)'] = statSync(path.join(WORK, 'baseline', 'disk.qcow2')).size;
  // The tar's files written once by mke2fs -d (the floor's filesystem), not our root partition:
  // our image keeps the kernel and initrd on the FAT partition only, so its root holds less than the tar.
  const floorImg = path.join(WORK, 'floor', 'floor.img');
  const fsUsed = fsUsedBytes(floorImg, 0);
  const usedImg = path.join(WORK, 'used-blocks.img');
  rmSync(usedImg, { force: true });
  sh('e2image', ['-ra', floorImg, usedImg]);
  const gzipUsed = Number(sh('sh', ['-c', 'gzip -6 -n -c "$1" | wc -c', 'sh', usedImg]).stdout.trim());
  rmSync(usedImg, { force: true });

  log('P3 incremental');
  const unchanged = build(['--tar', tar, '--output', path.join(WORK, 'ours', 'disk.qcow2.gz'), '--cache-dir', cache]);
  const resized = build(['--tar', tar, '--size', `${Math.ceil(layout.totalBytes / 1024 ** 3) + 1}G`, '--output', path.join(WORK, 'ours', 'resized.qcow2.gz'), '--cache-dir', cache]);

  log('P4 boot to SSH (TCG)');
  const bootOurs: number[] = [];
  const bootBase: number[] = [];
  const bootRuns = Number(process.env.BENCH_BOOT_RUNS ?? 2);
  for (let i = 0; i < bootRuns; i++) {
    bootOurs.push(await secondsToSsh(oursRaw, 'raw', 22201));
    bootBase.push(await secondsToSsh(path.join(WORK, 'baseline', 'disk.img'), 'raw', 22202));
  }

  log('P5 synth and context fingerprint');
  const synth = synthSeconds(WORK, 50, false);
  const synthNoValidation = synthSeconds(WORK, 50, true);
  const ctx = contextFingerprintSeconds(WORK, 1024);
  rmSync(path.join(WORK, 'big-context'), { recursive: true, force: true });

  log('P6 disk over time: ten successive image versions in one cache');
  const versions = tenVersionsFootprint(tar, WORK, CLI);

  log(`growth: docker build ${LARGE_IMAGE} (the reference image plus about 2.2 GB of data)`);
  sh('docker', ['build', '-q', '-t', LARGE_IMAGE, '--build-arg', `BASE=${IMAGE}`, path.join(BENCH, 'reference-large')]);
  const largeTar = exportTar(LARGE_IMAGE, path.join(WORK, 'reference-large.tar'));
  const large: UploadRun[] = [];
  for (let i = 0; i < LARGE_RUNS; i++) {
    log(`growth run ${i + 1}/${LARGE_RUNS}: this project -> qcow2.gz`);
    large.push(await uploadRun(largeTar, path.join(WORK, 'cache-large'), path.join(WORK, 'ours', 'large.qcow2.gz')));
  }
  floorBuild(largeTar, large[0].layout.rootBytes, path.join(WORK, 'floor-large'));
  const largeFsUsed = fsUsedBytes(path.join(WORK, 'floor-large', 'floor.img'), 0);
  const growth = {
    tarBytes: statSync(largeTar).size, fsUsed: largeFsUsed,
    seconds: large.map(x => x.seconds), stages: large.map(x => x.stages),
    peakDisk: Math.max(...large.map(x => x.peakDisk)), peakRss: Math.max(...large.map(x => x.peakRss)),
  };
  for (const p of [largeTar, path.join(WORK, 'floor-large'), path.join(WORK, 'ours', 'large.qcow2.gz'), path.join(WORK, 'cache-large')]) rmSync(p, { recursive: true, force: true });

  const results: BenchResults = {
    date: new Date().toISOString(), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?', runs: RUNS, tarBytes,
    ours, oursUploadSeconds, oursRawSeconds, baseline, floor, sizes, gzipUsed, fsUsed,
    incremental: { unchanged: { seconds: unchanged.seconds, stages: unchanged.stages }, resized: { seconds: resized.seconds, stages: resized.stages } },
    boot: { ours: bootOurs, baseline: bootBase }, synth, synthNoValidation, ctx, peakDisk, peakRss, growth, versions,
    medians: { upload: median(oursUploadSeconds), raw: median(oursRawSeconds), floor: median(floor) },
  };
  writeFileSync(path.join(WORK, 'results.json'), JSON.stringify(results, null, 2));
  writeReport(results, path.join(BENCH, 'results.md'), path.join(BENCH, 'stage-times.svg'));
  log('wrote bench/results.md and bench/stage-times.svg');
}

main().catch(e => { process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`); process.exit(1); });
