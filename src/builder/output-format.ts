import * as path from 'node:path';
import { SpecError } from './common/errors';
import { CompressionName, DISK_FORMATS, DiskFormatName } from './spec';

/** Extensions `build --output` reads a format from; raw images are `.img` or `.raw`. */
const FORMAT_EXTENSIONS: Readonly<Record<string, DiskFormatName>> = {
  img: 'raw', raw: 'raw', ...Object.fromEntries(DISK_FORMATS.map(f => [f, f])),
};
const COMPRESSION_EXTENSIONS: Readonly<Record<string, CompressionName>> = { gz: 'gzip', bz2: 'bzip2' };

/**
 * Format and compression from the output name (`vm.qcow2.gz`). A name with no
 * extension is raw; an extension this tool does not know is an error unless
 * --format says what to write (`hasFormatFlag`), so `vm.ova` is never a raw disk by surprise.
 */
export function guessFromOutput(output: string, hasFormatFlag: boolean): { format: DiskFormatName; compression: CompressionName } {
  let name = path.basename(output);
  const compressionExt = path.extname(name).slice(1).toLowerCase();
  const compression = COMPRESSION_EXTENSIONS[compressionExt] ?? 'none';
  if (compression !== 'none') name = name.slice(0, -compressionExt.length - 1);
  const ext = path.extname(name).slice(1).toLowerCase();
  const format = ext ? FORMAT_EXTENSIONS[ext] : 'raw';
  if (format) return { format, compression };
  if (hasFormatFlag) return { format: 'raw', compression };
  throw new SpecError(`--output ${output}: the extension .${ext} is not one this tool writes; use ${Object.keys(FORMAT_EXTENSIONS).map(e => `.${e}`).join(', ')} ` +
    '(optionally followed by .gz or .bz2), or pass --format to write that format under any name');
}
