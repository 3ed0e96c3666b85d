/**
 * Opens an image file as a raw disk the check can read: gzip and bzip2 are
 * decompressed and other formats converted with qemu-img, into a sparse temp
 * file that dispose() removes. Nothing is mounted.
 */
import { closeSync, createReadStream, ftruncateSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { createGunzip } from 'node:zlib';
import { notADiskImage, requireDiskLike } from './disk-like';
import { ContainerKind, ImageFacts } from './facts';
import { BuilderError, SpecError, ToolFailedError } from '../common/errors';
import { ToolRunner } from '../common/tools';
import { extractPackagedDisk, findPackage } from '../convert/packages';
import { DiskFormatName, diskFormatInside, packageFacts, qemuFormatName } from '../spec';

export interface OpenedImage {
  readonly facts: ImageFacts;
  /** The disk as a raw file; absent when the file is not a disk image DigitalOcean could take apart (xz, tar, ...). */
  readonly rawPath?: string;
  /** Removes the temp files. */
  dispose(): void;
}

export interface OpenOptions {
  /** The format as the user names it; default: what qemu-img detects. */
  readonly format?: DiskFormatName;
  /** Where the temp directory goes. */
  readonly tmpRoot: string;
  readonly tools: ToolRunner;
}

const HEAD_BYTES = 512;

/** Names what a file starts with by its magic bytes. */
export function detectContainer(head: Buffer): ContainerKind {
  const starts = (hex: string) => head.subarray(0, hex.length / 2).toString('hex') === hex;
  if (starts('1f8b')) return 'gzip';
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (starts('fd377a585a00')) return 'xz';
  if (starts('28b52ffd')) return 'zstd';
  if (starts('504b0304') || starts('504b0506')) return 'zip';
  if (starts('377abcaf271c')) return '7z';
  if (starts('04224d18')) return 'lz4';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return 'none';
}

export async function openImage(file: string, options: OpenOptions): Promise<OpenedImage> {
  const head = readHead(file);
  if (head.length === 0) throw notADiskImage(file, 'it is empty');
  const compression = detectContainer(head);
  const packaged = compression === 'tar' ? findPackage(file) : undefined;
  if (options.format && packageFacts(options.format) && !packaged) throw unreadable(file, `it is not ${options.format === 'ova' ? 'an' : 'a'} ${options.format} package`);
  if (compression !== 'none' && compression !== 'gzip' && compression !== 'bzip2' && !packaged) return { facts: { compression }, dispose: () => undefined };
  const tmp = mkdtempSync(path.join(options.tmpRoot, 'cdktf-docker-vm-check-'));
  const dispose = () => rmSync(tmp, { recursive: true, force: true });
  try {
    let image = file;
    // a package (OVA, Vagrant box): its disk is judged, and the format rule judges the package
    if (packaged) image = extractPackagedDisk(file, packaged.format, tmp).file;
    if (compression === 'gzip' || compression === 'bzip2') {
      image = path.join(tmp, 'decompressed');
      await decompress(file, compression, image, options.tools);
      const inner = detectContainer(readHead(image));
      if (inner !== 'none') {
        dispose();
        return { facts: { compression, inner }, dispose: () => undefined };
      }
    }
    const info = await qemuInfo(file, image, { ...options, format: options.format && diskFormatInside(options.format) });
    let rawPath = image;
    if (info.format !== 'raw') {
      rawPath = path.join(tmp, 'disk.raw');
      await options.tools.run({ tool: 'qemu-img', args: ['convert', '-q', '-f', info.format, '-O', 'raw', image, rawPath] })
        .catch(e => { throw unreadable(file, `qemu-img could not convert it to raw${e instanceof ToolFailedError ? `: ${e.stderrTail}` : ''}`); });
      if (image !== file) rmSync(image, { force: true });
    }
    requireDiskLike(file, statSync(rawPath).size, readHead(rawPath));
    const facts: ImageFacts = { compression, inner: 'none', format: info.format, virtualBytes: info.virtualBytes, ...(packaged ? { package: packaged.format } : {}) };
    return { facts, rawPath, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}

/** Fails with a plain message when `file` is missing, a directory or unreadable: checked before any tool runs. */
export function requireImageFile(file: string): void {
  closeSync(openImageFile(file));
}

function openImageFile(file: string): number {
  try {
    if (statSync(file).isDirectory()) throw unreadable(file, 'it is a directory');
    return openSync(file, 'r');
  } catch (e) {
    if (e instanceof BuilderError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw unreadable(file, code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : (e as Error).message);
  }
}

function readHead(file: string): Buffer {
  const fd = openImageFile(file);
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    return head.subarray(0, readSync(fd, head, 0, HEAD_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}

function unreadable(file: string, why: string): BuilderError {
  return new SpecError(`cannot read image ${file} (${why.trim()}); give the path of a disk image file (raw, qcow2, vmdk, vhdx, vdi or vhd, optionally .gz or .bz2)`);
}

async function qemuInfo(file: string, image: string, options: OpenOptions): Promise<{ format: string; virtualBytes: number }> {
  const fmt = options.format ? ['-f', qemuFormatName(options.format)] : [];
  try {
    const { stdout } = await options.tools.run({ tool: 'qemu-img', args: ['info', '--output=json', ...fmt, image] });
    const info = JSON.parse(stdout) as { 'format': string; 'virtual-size': number };
    return { format: info.format, virtualBytes: info['virtual-size'] };
  } catch (e) {
    if (!(e instanceof ToolFailedError)) throw e;
    throw unreadable(file, `qemu-img cannot open it${options.format ? ` as ${options.format}` : ''}: ${e.stderrTail}`);
  }
}

async function decompress(file: string, compression: 'gzip' | 'bzip2', out: string, tools: ToolRunner): Promise<void> {
  try {
    if (compression === 'bzip2') {
      await tools.run({ tool: 'bzip2', args: ['-dc', file], stdoutFile: out });
    } else {
      await gunzipSparse(file, out);
    }
  } catch (e) {
    if (e instanceof ToolFailedError || !(e instanceof BuilderError)) {
      throw unreadable(file, `it is not a valid ${compression} stream: ${e instanceof ToolFailedError ? e.stderrTail : (e as Error).message}`);
    }
    throw e;
  }
}

const BLOCK = 64 * 1024;
const ZERO_BLOCK = Buffer.alloc(BLOCK);

/** Gunzips to `out`, leaving all-zero 64 KiB blocks as holes: a mostly empty disk stays small. */
async function gunzipSparse(file: string, out: string): Promise<void> {
  const fd = openSync(out, 'w');
  try {
    let position = 0;
    let pending: Buffer = Buffer.alloc(0);
    const flush = (block: Buffer) => {
      if (!block.equals(ZERO_BLOCK.subarray(0, block.length))) writeSync(fd, block, 0, block.length, position);
      position += block.length;
    };
    for await (const chunk of createReadStream(file).pipe(createGunzip())) {
      pending = pending.length ? Buffer.concat([pending, chunk as Buffer]) : chunk as Buffer;
      let offset = 0;
      for (; offset + BLOCK <= pending.length; offset += BLOCK) flush(pending.subarray(offset, offset + BLOCK));
      pending = pending.subarray(offset);
    }
    if (pending.length) flush(pending);
    ftruncateSync(fd, position);
  } finally {
    closeSync(fd);
  }
}
