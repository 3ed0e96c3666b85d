/**
 * Values of command-line flags read from their text (choices, sizes, numbers,
 * durations, patterns), so a wrong one fails before any work with a message
 * naming the flag, the value and what to write instead.
 */
import * as os from 'node:os';
import { SpecError } from './common/errors';
import { DISK_FORMATS, DiskFormatName } from './spec';

/** `value` when it is one of `allowed`; `orElse` adds what leaving the flag out does. */
export function choice<T extends string>(name: string, value: string, allowed: readonly T[], orElse?: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new SpecError(`--${name} ${value} is not supported; use one of ${allowed.join(', ')}${orElse ? `, or ${orElse}` : ''}`);
}

/** `--format`, of every command that takes one; undefined when it is not given. */
export function diskFormat(value: string | undefined, orElse?: string): DiskFormatName | undefined {
  return value === undefined ? undefined : choice('format', value, DISK_FORMATS, orElse);
}

/**
 * The size grammar of every size flag: `4G`, `1.5GiB`, `2048M`, `512MB` or a
 * bare number of MiB, rounded up to whole MiB; undefined when `text` is not a
 * size. Each flag adds its own bounds.
 */
export function readSizeMiB(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(?:([MG])i?B?)?$/i.exec(text.trim());
  if (!m) return undefined;
  return Math.ceil(Number(m[1]) * (m[2]?.toUpperCase() === 'G' ? 1024 : 1));
}

/** A whole number in [min, max] given with `--name`; `example` shows a good value. */
export function wholeNumber(name: string, value: string, min: number, max: number, example: string): number {
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new SpecError(`--${name} ${value || '""'} must be a whole number from ${min} to ${max}; write it like --${name} ${example}`);
  }
  return n;
}

/** Seconds given with `--name`: a positive number, at most a day. */
export function seconds(name: string, value: string): number {
  const n = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!(n > 0) || n > 86_400) throw new SpecError(`--${name} ${value || '""'} must be a positive number of seconds, at most 86400; write it like --${name} 600`);
  return n;
}

/** Guest memory: at least 64 MiB, at most what this machine has. */
export function memoryMiB(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return wholeNumber('memory', value, 64, Math.floor(os.totalmem() / 1024 / 1024), '1024');
}

/** A regular expression given with `--name`. */
export function regex(name: string, value: string): RegExp {
  try {
    return new RegExp(value, 'm');
  } catch (e) {
    throw new SpecError(`--${name} ${value} is not a valid regular expression (${(e as Error).message}); write it like --${name} 'login: *$'`);
  }
}

// Docker's reference grammar (distribution/reference): [domain/]path[:tag][@digest], paths in lower case.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const IMAGE_REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`);

/** An image reference as docker takes it, given with `--name`; docker's own error would come only after the build started. */
export function imageReference(name: string, value: string): string {
  if (!IMAGE_REFERENCE.test(value)) {
    throw new SpecError(`--${name} ${JSON.stringify(value)} is not an image reference; write it like debian:bookworm, ` +
      'registry.example.com:5000/team/app:1.4 or debian@sha256:<64 hex digits> (lower-case name, no spaces)');
  }
  return value;
}
