/**
 * Timestamp for everything the builder creates. mke2fs clamps every file time
 * to SOURCE_DATE_EPOCH, so the default is the rootfs's newest mtime: nothing is
 * clamped and the superblock times still depend on the content only.
 */
export function sourceDateEpoch(newestMtime: number, env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.SOURCE_DATE_EPOCH);
  return env.SOURCE_DATE_EPOCH !== undefined && Number.isInteger(v) && v >= 0 ? v : newestMtime;
}

/** Environment for e2fsprogs: fixed timestamps, and a UTF-8 locale (libarchive in mke2fs refuses non-ASCII tar paths under C). */
export function reproducibleEnv(epoch: number, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, SOURCE_DATE_EPOCH: String(epoch), LC_ALL: 'C.UTF-8' };
}
