import { GZIP_MEMBER_TOOLS, GzipMemberTool } from './gzip-members';
import { ToolCall, findTool } from '../common/tools';
import { CompressionName, DiskFormatName, PackagerName, diskFormatFacts, imageExtension, packageFacts } from '../spec';

export function artifactFileName(format: DiskFormatName, compression: CompressionName): string {
  return `disk${imageExtension(format, compression)}`;
}

export interface ConvertPlan {
  readonly artifact: string;
  /** Writes the uncompressed image (sparse); absent when the compressor reads the bootable raw disk itself. */
  readonly convert?: ToolCall;
  /** The uncompressed image: what `convert` writes, or the bootable raw disk. */
  readonly image: string;
  /** Compresses `image` to the artifact as gzip members (see gzip-members.ts) with this program. */
  readonly gzip?: GzipMemberTool;
  /** Compresses `image` to the artifact with bzip2. */
  readonly bzip2?: ToolCall;
  /** Writes the artifact, a package holding `image` (named as the package names its disk), with this packager (packages.ts). */
  readonly packager?: PackagerName;
}

/**
 * The fastest installed gzip: libdeflate-gzip at level 6 takes about a third
 * of zlib's CPU (measured on a 690 MB qcow2 of Debian: 5.9 s against 17.6 s
 * for pigz). Each writes deterministic members, but not the same bytes as the other.
 */
export function chooseGzipTool(installed: (tool: string) => boolean): GzipMemberTool {
  return GZIP_MEMBER_TOOLS.find(installed) ?? 'gzip';
}

export const isInstalled = (tool: string): boolean => findTool(tool) !== undefined;

/** No I/O. A raw image is compressed straight from the bootable disk, with no copy. */
export function planConvert(format: DiskFormatName, compression: CompressionName, inputRaw: string, tmpDir: string, gzipTool: GzipMemberTool = 'gzip'): ConvertPlan {
  const artifact = `${tmpDir}/${artifactFileName(format, compression)}`;
  const f = diskFormatFacts(format);
  const copyNeeded = format !== 'raw' || compression === 'none';
  const pkg = packageFacts(format);
  const image = pkg ? `${tmpDir}/${pkg.diskMember}` : !copyNeeded ? inputRaw : compression === 'none' ? artifact : `${tmpDir}/${artifactFileName(format, 'none')}`;
  const convert: ToolCall | undefined = !copyNeeded ? undefined : format === 'raw'
    ? { tool: 'cp', args: ['--reflink=auto', '--sparse=always', '--', inputRaw, image] }
    : { tool: 'qemu-img', args: ['convert', '-q', '-f', 'raw', '-O', f.qemuName, ...f.qemuOptions, inputRaw, image] };
  return {
    artifact,
    convert,
    image,
    gzip: compression === 'gzip' ? gzipTool : undefined,
    bzip2: compression === 'bzip2' ? { tool: 'bzip2', args: ['-9', '-c', image], stdoutFile: artifact } : undefined,
    ...(pkg ? { packager: pkg.packager } : {}),
  };
}
