/**
 * `cdktf-docker-vm check IMAGE`: DigitalOcean's rules judged on a built image,
 * read without mounting. Also the convert stage's preflight.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import * as os from 'node:os';
import { CheckOptions, ImageFacts, RuleResult } from './facts';
import { inspectDisk } from './inspect-disk';
import { detectContainer, openImage, requireImageFile } from './read-image';
import { judge } from '../clouds/digitalocean/rules';
import { PreflightError, SpecError } from '../common/errors';
import { ToolRunner } from '../common/tools';
import { findPackage } from '../convert/packages';
import { diskFormat } from '../flag-values';
import { DiskFormatName } from '../spec';

export interface CheckImageOptions extends CheckOptions {
  readonly format?: DiskFormatName;
  /** Where temp files go (default the OS temp dir). */
  readonly tmpRoot?: string;
}

export interface CheckReport {
  readonly image: string;
  readonly ok: boolean;
  readonly results: readonly RuleResult[];
}

/** Host tools the check may run (bzip2 only for .bz2 images). */
export const CHECK_TOOLS = ['qemu-img', 'sfdisk', 'debugfs', 'mdir'];

export async function checkImage(image: string, tools: ToolRunner, options: CheckImageOptions = {}): Promise<CheckReport> {
  tools.require(CHECK_TOOLS);
  const opened = await openImage(image, { format: options.format, tmpRoot: options.tmpRoot ?? os.tmpdir(), tools });
  try {
    const disk = opened.rawPath ? await inspectDisk(opened.rawPath, tools) : undefined;
    return report(image, judge({ image: opened.facts, disk }, options));
  } finally {
    opened.dispose();
  }
}

/**
 * The check on what the convert stage holds anyway: the compressed artifact's
 * magic, qemu-img's view of the uncompressed image it made, and the raw disk
 * it converted from (qemu-img convert is lossless). Reading the artifact back
 * (gunzip, convert to raw) would cost as much as the stage itself.
 */
export async function checkConvertedImage(
  artifact: string, uncompressed: string, sourceRaw: string, tools: ToolRunner, options: CheckOptions = {},
): Promise<CheckReport> {
  tools.require(CHECK_TOOLS);
  const info = JSON.parse((await tools.run({ tool: 'qemu-img', args: ['info', '--output=json', uncompressed] })).stdout) as { 'format': string; 'virtual-size': number };
  const compression = detectContainer(readHead(artifact));
  const packaged = compression === 'tar' ? findPackage(artifact) : undefined;
  const facts: ImageFacts = {
    compression,
    inner: detectContainer(readHead(uncompressed)),
    format: info.format,
    virtualBytes: info['virtual-size'],
    ...(packaged ? { package: packaged.format } : {}),
  };
  return report(artifact, judge({ image: facts, disk: await inspectDisk(sourceRaw, tools) }, options));
}

function report(image: string, results: RuleResult[]): CheckReport {
  return { image, ok: results.every(r => r.status === 'ok' || r.status === 'warn'), results };
}

function readHead(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(Math.min(512, statSync(file).size));
    readSync(fd, head, 0, head.length, 0);
    return head;
  } finally {
    closeSync(fd);
  }
}

const STATUS_TEXT = { ok: 'ok', warn: 'warn', fail: 'FAIL', skip: 'skip' } as const;

/** rule | ok/FAIL | detail, one line per rule. */
export function formatCheckTable(results: readonly RuleResult[]): string {
  const rows = [['rule', 'result', 'detail'], ...results.map(r => [r.rule, STATUS_TEXT[r.status], r.detail])];
  const w0 = Math.max(...rows.map(r => r[0].length));
  const w1 = Math.max(...rows.map(r => r[1].length));
  const line = (r: string[]) => `${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`.trimEnd();
  return [line(rows[0]), `${'-'.repeat(w0)}  ${'-'.repeat(w1)}  ${'-'.repeat(6)}`, ...rows.slice(1).map(line)].join('\n');
}

export function failedRules(results: readonly RuleResult[]): RuleResult[] {
  return results.filter(r => r.status === 'fail');
}

export function preflightError(checked: CheckReport): PreflightError {
  const failed = failedRules(checked.results);
  return new PreflightError(
    `the image breaks ${failed.length} of DigitalOcean's rules, so it would not import, boot or be reachable there:\n` +
    failed.map(r => `  ${r.rule}: ${r.detail}`).join('\n') +
    '\nfix the image (the Dockerfile, or the stage options named above); `cdktf-docker-vm check FILE` shows every rule for a built image',
  );
}

export interface CheckCommandOptions extends CheckOptions {
  /** As given with --format; default: detected from the content. */
  readonly format?: string;
  readonly json?: boolean;
}

/** Prints the table (or JSON) on stdout; returns 0 when every rule passes, else 1. */
export async function checkCommand(
  positional: readonly string[], tools: ToolRunner, options: CheckCommandOptions,
  io: { stdout: NodeJS.WritableStream }, progress: (message: string) => void,
): Promise<number> {
  if (positional.length !== 1) {
    throw new SpecError(`check needs exactly one IMAGE${positional.length ? `, got ${positional.length}` : ''}; example: cdktf-docker-vm check upload.qcow2.gz`);
  }
  const format = diskFormat(options.format, 'leave it out to detect it');
  const image = positional[0];
  requireImageFile(image);
  progress(`reading ${image}`);
  const started = Date.now();
  const result = await checkImage(image, tools, { ...options, format });
  if (options.json) {
    io.stdout.write(JSON.stringify({ image, ok: result.ok, results: result.results }) + '\n');
  } else {
    io.stdout.write(formatCheckTable(result.results) + '\n');
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  progress(`${checkSummary(result.results)} in ${seconds} s`);
  return result.ok ? 0 : 1;
}

/** "all 14 rules pass", "1 of 14 rules failed (fstab)", either followed by the warnings, if any. */
export function checkSummary(results: readonly RuleResult[]): string {
  const failed = failedRules(results);
  const warned = results.filter(r => r.status === 'warn').map(r => r.rule);
  const verdict = failed.length
    ? `${failed.length} of ${results.length} rules failed (${failed.map(r => r.rule).join(', ')})`
    : `all ${results.length} rules pass`;
  return warned.length ? `${verdict}, ${warned.length} with a warning (${warned.join(', ')})` : verdict;
}
