/** S3's limits: parts of 5 MiB or more, at most 10,000 of them. */
export const MIN_PART_MIB = 5;
export const MAX_PARTS = 10_000;
/** The part size: the one asked for, raised when the file would need more than 10,000 parts. */
export function partSizeBytes(fileBytes: number, partSizeMiB: number): number {
  const mib = 1024 * 1024;
  const needed = Math.ceil(fileBytes / MAX_PARTS / mib) * mib;
  return Math.max(partSizeMiB * mib, MIN_PART_MIB * mib, needed);
}
