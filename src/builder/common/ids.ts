import { createHash } from 'node:crypto';

/**
 * Identifiers derived from a stage fingerprint, so the same inputs give the
 * same filesystem UUIDs, partition GUIDs and FAT serial (reproducible images)
 * while different images never share them.
 */
export function derivedUuid(fingerprint: string, purpose: string): string {
  const b = createHash('sha256').update(`${fingerprint}:${purpose}`).digest();
  b[6] = (b[6] & 0x0f) | 0x40; // version 4 layout
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
  const h = b.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function derivedHex32(fingerprint: string, purpose: string): string {
  return createHash('sha256').update(`${fingerprint}:${purpose}`).digest('hex').slice(0, 8);
}

/** FAT volume serial as fstab and blkid show it: `ABCD-EF01`. */
export function fatSerialForFstab(hex32: string): string {
  const u = hex32.toUpperCase();
  return `${u.slice(0, 4)}-${u.slice(4, 8)}`;
}
