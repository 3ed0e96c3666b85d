import * as path from 'node:path';
import { SpecError } from './common/errors';
import { choice, diskFormat } from './flag-values';
import { COMPRESSIONS, CompressionName, DiskFormatName, compressionOfExtension, compressionProblem, formatExtensions, formatOfExtension } from './spec';

/**
 * What `build` writes: --format and --compress when given, else what the
 * output name says (`vm.qcow2.gz`). A name with no extension is raw; an
 * extension this tool does not know is an error unless --format says what to
 * write, so `vm.iso` is never a raw disk by surprise. A package (`.ova`,
 * `.box`) is not compressed: `vm.ova.gz` is an error.
 */
export function outputFormat(
  output: string, formatFlag: string | undefined, compressFlag: string | undefined,
): { format: DiskFormatName; compression: CompressionName } {
  let name = path.basename(output);
  const compressionExt = path.extname(name).slice(1).toLowerCase();
  const compression = compressionOfExtension(compressionExt) ?? 'none';
  if (compression !== 'none') name = name.slice(0, -compressionExt.length - 1);
  const result = {
    format: diskFormat(formatFlag) ?? formatOfOutputName(output, path.extname(name).slice(1).toLowerCase()),
    compression: compressFlag === undefined ? compression : choice('compress', compressFlag, COMPRESSIONS),
  };
  const problem = compressionProblem(result.format, result.compression);
  if (problem) throw new SpecError(`--output ${output}${compressFlag === undefined ? '' : ` --compress ${compressFlag}`}: ${problem}`);
  return result;
}

function formatOfOutputName(output: string, ext: string): DiskFormatName {
  if (!ext) return 'raw';
  const format = formatOfExtension(ext);
  if (format) return format;
  throw new SpecError(`--output ${output}: the extension .${ext} is not one this tool writes; use ${formatExtensions().map(e => `.${e}`).join(', ')} ` +
    '(optionally followed by .gz or .bz2), or pass --format to write that format under any name');
}
