import { writeFileSync } from 'node:fs';
import { BaselineTimes } from './baseline';
import { median } from './measure';
import type { VersionFootprint } from './versions';

export interface OurStageTimes { rootfs: number; disk: number; bootloader: number; convert: number; other: number }
interface StageReport { stage: string; seconds: number; cacheHit: boolean }

export interface BenchResults {
  date: string; cpus: number; cpuModel: string; runs: number; tarBytes: number;
  ours: OurStageTimes[]; oursUploadSeconds: number[]; oursRawSeconds: number[];
  baseline: BaselineTimes[]; floor: number[];
  sizes: Record<string, number>; gzipUsed: number; fsUsed: number;
  incremental: { unchanged: { seconds: number; stages: StageReport[] }; resized: { seconds: number; stages: StageReport[] } };
  boot: { ours: number[]; baseline: number[] };
  synth: number; synthNoValidation: number; ctx: { cold: number; warm: number; same: boolean };
  peakDisk: number; peakRss: number;
  /** The same full build of a reference image about four times larger. */
  growth: { tarBytes: number; fsUsed: number; seconds: number[]; stages: OurStageTimes[]; peakDisk: number; peakRss: number };
  medians: { upload: number; raw: number; floor: number };
  versions: VersionFootprint;
}

const s = (x: number) => `${x.toFixed(2)} s`;
const mb = (x: number) => `${(x / 1e6).toFixed(1)} MB`;
const r = (x: number) => `${x.toFixed(2)}x`;
const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
const sumBaseline = (b: BaselineTimes) => b.partition + b.mkfs + b.extract + b.bootloader + b.unmount + b.convertCompress;
const sumBaselineRaw = (b: BaselineTimes) => sumBaseline(b) - b.convertCompress;
const mid = <T>(xs: T[], f: (x: T) => number) => median(xs.map(f));
const STAGES = ['rootfs', 'disk', 'bootloader', 'convert', 'other'] as const;

/** One row of issue 14's target table. */
interface TargetRow { row: string; measured: string; target: string; ok: boolean }

function targetRows(res: BenchResults): TargetRow[] {
  const baseUpload = mid(res.baseline, sumBaseline);
  const upRatio = res.medians.upload / baseUpload;
  const rawRatio = res.medians.raw / res.medians.floor;
  const p2 = res.sizes['disk.qcow2.gz'] / res.gzipUsed;
  const disk = res.peakDisk / res.fsUsed;
  const incremental = res.incremental.resized.seconds / res.medians.upload;
  return [
    { row: 'P1 tar -> DigitalOcean-ready upload file vs the classic loop-device route', measured: `${s(res.medians.upload)} / ${s(baseUpload)} = ${r(upRatio)}`, target: '<= 0.40x', ok: upRatio <= 0.40 },
    { row: 'P1 tar -> bootable raw vs `mke2fs -d TAR` alone', measured: `${s(res.medians.raw)} / ${s(res.medians.floor)} = ${r(rawRatio)}`, target: '<= 1.20x', ok: rawRatio <= 1.20 },
    { row: 'P2 upload file vs `gzip -6` of the used blocks', measured: `${mb(res.sizes['disk.qcow2.gz'])} / ${mb(res.gzipUsed)} = ${r(p2)}`, target: '<= 1.02x', ok: p2 <= 1.02 },
    { row: 'peak disk during a full build vs filesystem used bytes', measured: `${mb(res.peakDisk)} / ${mb(res.fsUsed)} = ${r(disk)}`, target: '<= 2.0x', ok: disk <= 2.0 },
    { row: "peak memory (largest RSS in the builder's process tree)", measured: mb(res.peakRss), target: '<= 300 MB', ok: res.peakRss <= 300e6 },
    { row: '`cdktf synth` of the 50-VM stack', measured: `${s(res.synth)} (${s(res.synthNoValidation)} with \`skipValidation\`)`, target: '<= 3 s', ok: res.synth <= 3 },
    { row: 'incremental: disk-size change with the rootfs cached', measured: `${s(res.incremental.resized.seconds)} / ${s(res.medians.upload)} = ${r(incremental)}`, target: '<= 0.6x of a full build', ok: incremental <= 0.6 },
  ];
}

/** Time, peak disk and memory of both reference images, and what each added GB of filesystem costs. */
function growthLines(res: BenchResults): string[] {
  const g = res.growth;
  const small = { used: res.fsUsed, seconds: res.medians.upload, disk: res.peakDisk, rss: res.peakRss, stages: STAGES.map(k => mid(res.ours, o => o[k])) };
  const large = { used: g.fsUsed, seconds: median(g.seconds), disk: g.peakDisk, rss: g.peakRss, stages: STAGES.map(k => mid(g.stages, o => o[k])) };
  const dominant = (stages: number[]) => { const i = stages.indexOf(Math.max(...stages)); return `${STAGES[i]} (${s(stages[i])} of ${s(stages.reduce((a, b) => a + b, 0))})`; };
  const gb = (large.used - small.used) / 1e9;
  const size = large.used / small.used;
  const timeGrowth = large.seconds / small.seconds;
  const rssGrowth = large.rss / small.rss;
  return [
    '| image | filesystem used | full build to qcow2.gz | s per GB used | peak disk | peak memory | ' + STAGES.join(' | ') + ' | largest stage |',
    '|---|---|---|---|---|---|' + STAGES.map(() => '---|').join('') + '---|',
    ...[['reference', small], ['reference x4 (bench/reference-large)', large]].map(([name, x]) => {
      const v = x as typeof small;
      return `| ${name as string} | ${mb(v.used)} | ${s(v.seconds)} | ${(v.seconds / (v.used / 1e9)).toFixed(2)} | ${mb(v.disk)} | ${mb(v.rss)} | ` +
        v.stages.map(s).join(' | ') + ` | ${dominant(v.stages)} |`;
    }),
    '',
    `Per added GB of filesystem: ${s((large.seconds - small.seconds) / gb)}, peak disk ${mb((large.disk - small.disk) / gb)}, peak memory ${mb((large.rss - small.rss) / gb)}. `,
    `The filesystem grew ${r(size)}; time grew ${r(timeGrowth)} (at most linear: ${verdict(timeGrowth <= size * 1.1)}), ` +
      `peak memory ${r(rssGrowth)} (at most linear: ${verdict(rssGrowth <= size * 1.1)}). Growth runs: ${g.seconds.map(s).join(', ')}.`,
  ];
}

export function writeReport(res: BenchResults, mdFile: string, svgFile: string): void {
  const baseUpload = mid(res.baseline, sumBaseline);
  const baseRaw = mid(res.baseline, sumBaselineRaw);
  const upRatio = res.medians.upload / baseUpload;
  const rawRatio = res.medians.raw / res.medians.floor;
  const upload = res.sizes['disk.qcow2.gz'];
  const bootOurs = median(res.boot.ours);
  const bootBase = median(res.boot.baseline);
  const stagesLine = (st: StageReport[]) => st.map(x => `${x.stage} ${x.cacheHit ? 'hit' : `built ${s(x.seconds)}`}`).join(', ');
  const md = [
    '# Benchmarks',
    '',
    `Run by \`npm run bench\` on ${res.date.slice(0, 10)}: ${res.cpus} cores (${res.cpuModel}), shared with other work, `,
    `QEMU with TCG (no KVM). Reference image: bench/reference/Dockerfile (Debian bookworm + kernel + systemd + openssh), `,
    `export tar ${mb(res.tarBytes)}, filesystem used ${mb(res.fsUsed)} (the tar written by \`mke2fs -d\` alone). Medians of ${res.runs} runs; every comparison was measured in the same run. `,
    'Raw numbers: bench/work/results.json (not committed).',
    '',
    '## Targets (issue 14)',
    '',
    '| row | measured | target | verdict |',
    '|---|---|---|---|',
    ...targetRows(res).map(t => `| ${t.row} | ${t.measured} | ${t.target} | ${verdict(t.ok)} |`),
    '',
    '## Growth: the same build of an image four times larger',
    '',
    ...growthLines(res),
    '',
    '## P1 conversion (export tar -> artifact)',
    '',
    '| | median | runs | target | ratio | verdict |',
    '|---|---|---|---|---|---|',
    `| this project, tar -> qcow2.gz (DigitalOcean-ready) | ${s(res.medians.upload)} | ${res.oursUploadSeconds.map(s).join(', ')} | <= 0.40x baseline | ${r(upRatio)} | ${verdict(upRatio <= 0.40)} |`,
    `| (a) baseline, tar -> qcow2 -c (loop, mkfs, mount, tar -x, extlinux, qemu-img convert -c) | ${s(baseUpload)} | ${res.baseline.map(b => s(sumBaseline(b))).join(', ')} | | 1.00x | |`,
    `| this project, tar -> bootable raw | ${s(res.medians.raw)} | ${res.oursRawSeconds.map(s).join(', ')} | <= 1.20x floor | ${r(rawRatio)} | ${verdict(rawRatio <= 1.20)} |`,
    `| (a) baseline, tar -> bootable raw (before convert) | ${s(baseRaw)} | ${res.baseline.map(b => s(sumBaselineRaw(b))).join(', ')} | | ${r(baseRaw / res.medians.floor)} of floor | |`,
    `| (b) floor, mke2fs -d TAR alone | ${s(res.medians.floor)} | ${res.floor.map(s).join(', ')} | | 1.00x | |`,
    '',
    'Stage medians (this project): ' + (['rootfs', 'disk', 'bootloader', 'convert', 'other'] as const).map(k => `${k} ${s(mid(res.ours, o => o[k]))}`).join(', ') +
      ' (other: start-up, fingerprint, publishing the output).',
    '',
    'Baseline step medians: ' + (['partition', 'mkfs', 'extract', 'bootloader', 'unmount', 'convertCompress'] as const).map(k => `${k} ${s(mid(res.baseline, b => b[k]))}`).join(', ') + '.',
    '',
    '![stage times](stage-times.svg)',
    '',
    '## P2 size',
    '',
    '| artifact | bytes | vs gzip -6 of used blocks |',
    '|---|---|---|',
    ...Object.entries(res.sizes).map(([k, v]) => `| ${k} | ${mb(v)} | ${r(v / res.gzipUsed)} |`),
    `| gzip -6 of the used blocks (e2image -ra) of the tar written by mke2fs -d | ${mb(res.gzipUsed)} | 1.00x |`,
    '',
    `Target: upload file (qcow2.gz) <= 1.02x: ${r(upload / res.gzipUsed)}, ${verdict(upload / res.gzipUsed <= 1.02)}.`,
    '',
    '## P3 incremental',
    '',
    '| change | wall time | stages |',
    '|---|---|---|',
    `| none | ${s(res.incremental.unchanged.seconds)} | ${stagesLine(res.incremental.unchanged.stages)} |`,
    `| disk size | ${s(res.incremental.resized.seconds)} | ${stagesLine(res.incremental.resized.stages)} |`,
    `| cache wiped (full build, P1 median) | ${s(res.medians.upload)} | all built |`,
    '',
    '## P4 boot to SSH banner (QEMU TCG, user net, hostfwd)',
    '',
    '| image | median | runs |',
    '|---|---|---|',
    `| this project (raw) | ${s(bootOurs)} | ${res.boot.ours.map(s).join(', ')} |`,
    `| baseline route (raw, same rootfs) | ${s(bootBase)} | ${res.boot.baseline.map(s).join(', ')} |`,
    '',
    `Target <= 1.0x: ${r(bootOurs / bootBase)}, ${verdict(bootOurs <= bootBase)}.`,
    '',
    '## P5 synth and fingerprints',
    '',
    `- \`cdktf synth\` of a 50-VM stack (in process): ${s(res.synth)}; with \`new App({ skipValidation: true })\`: ${s(res.synthNoValidation)} ` +
      '(the stages are TerraformData, which checks `terraform version` once per stack; cdktf\'s DataResource ran it once per resource, 300 runs for 50 VMs)',
    `- fingerprint of a 1 GiB build context (1024 files): cold ${s(res.ctx.cold)}, unchanged again ${s(res.ctx.warm)} ` +
      `(target <= 1 s: ${verdict(res.ctx.warm <= 1)}; same fingerprint: ${res.ctx.same})`,
    '',
    '## P6 disk over time: ten successive image versions',
    '',
    'Each version is the reference tar plus `/etc/image-version`, built to the same `--output` in one cache ' +
      `(limit: ${res.versions.limitBytes === null ? 'none' : mb(res.versions.limitBytes)}, the builder's default; least recently used entries go first).`,
    '',
    '| version | ' + res.versions.cacheBytes.map((_, i) => String(i + 1)).join(' | ') + ' |',
    '|---|' + res.versions.cacheBytes.map(() => '---').join('|') + '|',
    '| cache (allocated) | ' + res.versions.cacheBytes.map(mb).join(' | ') + ' |',
    '',
    `Output directory after the tenth version: ${res.versions.outputFiles} file(s). In a stack, each stage's copy in ` +
      '`docker-vm-artifacts/` is removed by its destroy-time `remove-artifact` step when the stage is replaced ' +
      '(`test/integ/cache-prune.integ.ts` builds ten versions under a 50 MB limit).',
    '',
    '## Peak resources (full build to qcow2.gz)',
    '',
    `- peak disk (cache dir sampled every 200 ms, plus the published file): ${mb(res.peakDisk)} = ${r(res.peakDisk / res.fsUsed)} of the filesystem's used bytes ` +
      `(target <= 2.0x: ${verdict(res.peakDisk / res.fsUsed <= 2.0)})`,
    `- peak memory (largest max RSS in the builder's process tree, GNU time): ${mb(res.peakRss)}`,
    '',
  ];
  writeFileSync(mdFile, md.join('\n'));
  writeFileSync(svgFile, chart(res));
}

/** Horizontal stacked bars of the median stage times. */
function chart(res: BenchResults): string {
  const rows: Array<{ label: string; parts: Array<[string, number]> }> = [
    { label: 'this project -> qcow2.gz', parts: (['rootfs', 'disk', 'bootloader', 'convert', 'other'] as const).map(k => [k, mid(res.ours, o => o[k])]) },
    { label: 'baseline -> qcow2 -c', parts: (['partition', 'mkfs', 'extract', 'bootloader', 'unmount', 'convertCompress'] as const).map(k => [k, mid(res.baseline, b => b[k])]) },
    { label: 'this project -> raw', parts: [['total', res.medians.raw]] },
    { label: 'floor: mke2fs -d', parts: [['mke2fs', res.medians.floor]] },
  ];
  const colors = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1'];
  const max = Math.max(...rows.map(row => row.parts.reduce((a, [, v]) => a + v, 0)));
  const W = 900; const left = 200; const barH = 30; const gap = 34; const scale = (W - left - 60) / max;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${rows.length * (barH + gap) + 60}" font-family="sans-serif" font-size="12">`,
    `<text x="10" y="20" font-size="14">Median stage times, seconds (${res.cpus} cores, ${res.date.slice(0, 10)})</text>`];
  rows.forEach((row, i) => {
    const y = 40 + i * (barH + gap);
    let x = left;
    out.push(`<text x="10" y="${y + 19}">${row.label}</text>`);
    row.parts.forEach(([name, v], j) => {
      const w = v * scale;
      out.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${colors[j % colors.length]}"><title>${name} ${v.toFixed(2)} s</title></rect>`);
      if (w > 40) out.push(`<text x="${(x + 3).toFixed(1)}" y="${y + barH + 13}" font-size="10">${name} ${v.toFixed(1)}</text>`);
      x += w;
    });
    out.push(`<text x="${(x + 5).toFixed(1)}" y="${y + 19}">${row.parts.reduce((a, [, v]) => a + v, 0).toFixed(1)} s</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
