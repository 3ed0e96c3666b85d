/**
 * The cache's bound, from the environment (the automatic prune after each
 * build) or from `cache prune` flags. A wrong value fails before any work with
 * the variable or flag, the value and what to write instead.
 */
import { PruneLimits } from './cache-gc';
import { SpecError } from './errors';

export const MAX_BYTES_VARIABLE = 'CDKTF_DOCKER_VM_CACHE_MAX_BYTES';
export const MAX_AGE_VARIABLE = 'CDKTF_DOCKER_VM_CACHE_MAX_AGE';

const KiB = 1024;
const GiB = KiB ** 3;

/**
 * 20 GiB: one Debian-based image version takes about 3.2 GB over its four
 * stages, so the default keeps the current and several earlier versions (a
 * revert or a second branch rebuilds nothing) while ten versions no longer fill
 * a laptop's or a CI runner's disk.
 */
export const DEFAULT_CACHE_MAX_BYTES = 20 * GiB;

const UNITS: Readonly<Record<string, number>> = { '': 1, 'K': KiB, 'M': KiB ** 2, 'G': GiB, 'T': KiB ** 4 };

/**
 * `10G`, `1.5GiB`, `500M`, `2T`, `4096K` (binary units, an optional `i`/`iB`/`B`);
 * a bare number counts `bareUnit` bytes. Undefined when `text` is not a size.
 */
export function readByteSize(text: string, bareUnit: number): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(?:([KMGT])(?:i?B)?|B)?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2] ? UNITS[m[2].toUpperCase()] : /B$/i.test(text.trim()) ? 1 : bareUnit;
  const bytes = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

const AGE_UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `7d`, `12h`, `30m`, `2w`, `90s` in ms; undefined when `text` is not an age (a bare number is ambiguous). */
export function readAge(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * AGE_UNITS[m[2].toLowerCase()];
  return Number.isFinite(ms) ? ms : undefined;
}

/** `--max-size SIZE` of `cache prune`: a bare number is MiB, as in the other size flags. */
export function maxSizeFlag(value: string): number {
  const bytes = readByteSize(value, KiB ** 2);
  if (bytes === undefined) {
    throw new SpecError(`--max-size ${value || '""'} is not a size; write it like --max-size 10G (K, M, G or T; a bare number is MiB)`);
  }
  return bytes;
}

/** `--older-than AGE` of `cache prune`. */
export function olderThanFlag(value: string): number {
  const ms = readAge(value);
  if (ms === undefined) throw new SpecError(`--older-than ${value || '""'} is not an age; write it like --older-than 7d (s, m, h, d or w)`);
  return ms;
}

/**
 * The limits the automatic prune applies: `CDKTF_DOCKER_VM_CACHE_MAX_BYTES`
 * (bytes, or a size like 20G; `unlimited` turns it off; default 20 GiB) and
 * `CDKTF_DOCKER_VM_CACHE_MAX_AGE` (like 30d; default none).
 */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): PruneLimits {
  const sizeText = env[MAX_BYTES_VARIABLE];
  let maxBytes: number | undefined = DEFAULT_CACHE_MAX_BYTES;
  if (sizeText !== undefined && sizeText.trim() !== '') {
    if (sizeText.trim().toLowerCase() === 'unlimited') {
      maxBytes = undefined;
    } else {
      maxBytes = readByteSize(sizeText, 1);
      if (maxBytes === undefined) {
        throw new SpecError(`${MAX_BYTES_VARIABLE}=${sizeText} is not a size; set it like ${MAX_BYTES_VARIABLE}=20G ` +
          '(a bare number is bytes; unlimited turns the limit off), or unset it for the default 20 GiB');
      }
    }
  }
  const ageText = env[MAX_AGE_VARIABLE];
  let maxAgeMs: number | undefined;
  if (ageText !== undefined && ageText.trim() !== '') {
    maxAgeMs = readAge(ageText);
    if (maxAgeMs === undefined) {
      throw new SpecError(`${MAX_AGE_VARIABLE}=${ageText} is not an age; set it like ${MAX_AGE_VARIABLE}=30d (s, m, h, d or w), or unset it for no age limit`);
    }
  }
  return { maxBytes, maxAgeMs };
}
