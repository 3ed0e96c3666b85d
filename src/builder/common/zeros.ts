const ZERO_PAGE = Buffer.alloc(64 * 1024);

/** Whether a buffer holds only zero bytes, compared 64 KiB at a time against one zero page. */
export function isAllZero(chunk: Buffer): boolean {
  for (let at = 0; at < chunk.length; at += ZERO_PAGE.length) {
    const end = Math.min(chunk.length, at + ZERO_PAGE.length);
    if (chunk.compare(ZERO_PAGE, 0, end - at, at, end) !== 0) return false;
  }
  return true;
}
