import { ToolCall, findTool } from '../common/tools';
import { CompressionName, DiskFormatName, diskFormatFacts, imageExtension } from '../spec';

export function artifactFileName(format: DiskFormatName, compression: CompressionName): string {
  return `disk${imageExtension(format, compression)}`;
}

export interface ConvertPlan {
  readonly artifact: string;
  /** Writes the uncompressed image (sparse). */
  readonly convert: ToolCall;
  /** Compresses `convert`'s output to the artifact, deterministically (no name or time in the header). */
  readonly compress?: ToolCall;
}

export type GzipTool = 'libdeflate-gzip' | 'pigz' | 'gzip';

/** Above this many allocated bytes, libdeflate-gzip (which holds its whole output in memory) gives way to pigz. */
export const LIBDEFLATE_MAX_INPUT_BYTES = 2 * 1024 ** 3;

/**
 * The fastest gzip at level 6 that is installed. Measured on a 690 MB qcow2 of
 * Debian: libdeflate-gzip 5.9 s CPU and 256 MB, pigz 17.6 s CPU (2 threads)
 * and 258 MB, gzip about the same CPU as pigz on one thread. Each gives
 * deterministic output, but not the same bytes as the others.
 */
export function chooseGzipTool(inputAllocatedBytes: number, installed: (tool: string) => boolean): GzipTool {
  if (inputAllocatedBytes <= LIBDEFLATE_MAX_INPUT_BYTES && installed('libdeflate-gzip')) return 'libdeflate-gzip';
  return installed('pigz') ? 'pigz' : 'gzip';
}

export const isInstalled = (tool: string): boolean => findTool(tool) !== undefined;

/** No I/O. */
export function planConvert(format: DiskFormatName, compression: CompressionName, inputRaw: string, tmpDir: string, gzipTool: GzipTool = 'gzip'): ConvertPlan {
  const artifact = `${tmpDir}/${artifactFileName(format, compression)}`;
  const image = compression === 'none' ? artifact : `${tmpDir}/${artifactFileName(format, 'none')}`;
  const f = diskFormatFacts(format);
  const convert: ToolCall = format === 'raw'
    ? { tool: 'cp', args: ['--reflink=auto', '--sparse=always', '--', inputRaw, image] }
    : { tool: 'qemu-img', args: ['convert', '-q', '-f', 'raw', '-O', f.qemuName, ...f.qemuOptions, inputRaw, image] };
  let compress: ToolCall | undefined;
  if (compression === 'gzip') {
    compress = { tool: gzipTool, args: ['-6', '-n', '-c', image], stdoutFile: artifact };
  } else if (compression === 'bzip2') {
    compress = { tool: 'bzip2', args: ['-9', '-c', image], stdoutFile: artifact };
  }
  return { artifact, convert, compress };
}
