import * as path from 'node:path';
import { SpecError } from './common/errors';
import { choice, diskFormat } from './flag-values';
import { COMPRESSIONS, CompressionName, DISK_FORMATS, DiskFormatName } from './spec';

/** Extensions `build --output` reads a format from; raw images are `.img` or `.raw`. */
const FORMAT_EXTENSIONS: Readonly<Record<string, DiskFormatName>> = {
  img: 'raw', raw: 'raw', ...Object.fromEntries(DISK_FORMATS.map(f => [f, f])),
};
const COMPRESSION_EXTENSIONS: Readonly<Record<string, CompressionName>> = { gz: 'gzip', bz2: 'bzip2' };

/**
 * What `build` writes: --format and --compress when given, else what the
 * output name says (`vm.qcow2.gz`). A name with no extension is raw; an
 * extension this tool does not know is an error unless --format says what to
 * write, so `vm.ova` is never a raw disk by surprise.
 */
export function outputFormat(
  output: string, formatFlag: string | undefined, compressFlag: string | undefined,
): { format: DiskFormatName; compression: CompressionName } {
  let name = path.basename(output);
  const compressionExt = path.extname(name).slice(1).toLowerCase();
  const compression = Object.hasOwn(COMPRESSION_EXTENSIONS, compressionExt) ? COMPRESSION_EXTENSIONS[compressionExt] : 'none';
  if (compression !== 'none') name = name.slice(0, -compressionExt.length - 1);
  return {
    format: diskFormat(formatFlag) ?? formatOfExtension(output, path.extname(name).slice(1).toLowerCase()),
    compression: compressFlag === undefined ? compression : choice('compress', compressFlag, COMPRESSIONS),
  };
}

function formatOfExtension(output: string, ext: string): DiskFormatName {
  if (!ext) return 'raw';
  if (Object.hasOwn(FORMAT_EXTENSIONS, ext)) return FORMAT_EXTENSIONS[ext];
  throw new SpecError(`--output ${output}: the extension .${ext} is not one this tool writes; use ${Object.keys(FORMAT_EXTENSIONS).map(e => `.${e}`).join(', ')} ` +
    '(optionally followed by .gz or .bz2), or pass --format to write that format under any name');
}
