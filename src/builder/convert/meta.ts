import type { CompressionName, DiskFormatName } from '../spec';

/** The convert stage's meta. */
export interface ConvertMeta {
  readonly format: DiskFormatName;
  readonly compression: CompressionName;
  /** The gzip or bzip2 program that compressed it, if any. */
  readonly compressor: string | null;
}
