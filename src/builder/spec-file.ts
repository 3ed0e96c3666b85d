/**
 * Reads a spec file and checks it against its schema, so a file of the wrong
 * shape is refused with the field, its value and the fix (never a TypeError
 * deep in a stage).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { SpecError } from './common/errors';
import { SPEC_FILE_VERSION, SpecFile } from './spec';
import { specFileSchema } from './spec-schema';

const FIX = 'synthesize the stack again with this version of cdktf-docker-vm (cdktf synth)';
const SHOWN_PROBLEMS = 3;

export function readSpecFile(file: string): { specFile: SpecFile; baseDir: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SpecError(`cannot read spec file ${file} (${(e as Error).message}); ${FIX}`);
  }
  const version = typeof parsed === 'object' && parsed !== null ? (parsed as { specFileVersion?: unknown }).specFileVersion : undefined;
  if (version !== SPEC_FILE_VERSION) {
    throw new SpecError(`spec file ${file} has version ${shown(version)}, this builder reads ${SPEC_FILE_VERSION}; ${FIX}`);
  }
  const checked = specFileSchema.safeParse(parsed);
  if (!checked.success) throw new SpecError(`spec file ${file} is not valid: ${describeIssues(checked.error.issues, parsed)}; ${FIX}`);
  return { specFile: checked.data, baseDir: path.dirname(path.resolve(file)) };
}

/** The first few problems, unknown fields first (a misspelt field also shows up as a missing one). */
export function describeIssues(issues: readonly z.core.$ZodIssue[], data: unknown): string {
  const ordered = [...issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
  const lines = ordered.slice(0, SHOWN_PROBLEMS).map(issue => describeIssue(issue, data));
  const more = ordered.length - lines.length;
  return lines.join('; ') + (more > 0 ? ` (and ${more} more)` : '');
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): string {
  const at = fieldName(issue.path);
  const value = valueAt(data, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map(key => `${fieldName([...issue.path, key])} is not a known field (got ${shown(valueAt(value, [key]))})`).join('; ');
    case 'invalid_type':
      return value === undefined ? `${at} is missing (expected ${issue.expected})` : `${at} must be ${issue.expected}, got ${shown(value)}`;
    case 'invalid_value':
      return `${at} must be one of ${issue.values.map(v => JSON.stringify(v)).join(', ')}, got ${shown(value)}`;
    case 'invalid_union':
      if ('options' in issue && Array.isArray(issue.options)) {
        return `${at} must be one of ${(issue.options as unknown[]).map(v => JSON.stringify(v)).join(', ')}, got ${shown(value)}`;
      }
      return `${at} is not valid, got ${shown(value)}`;
    case 'too_small':
      return issue.origin === 'string' ? `${at} must not be empty` : `${at} must be ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}, got ${shown(value)}`;
    case 'too_big':
      return issue.origin === 'string' ? `${at} must be at most ${issue.maximum} characters` : `${at} must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}, got ${shown(value)}`;
    default:
      return `${at}: ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}, got ${shown(value)}`;
  }
}

function fieldName(p: readonly PropertyKey[]): string {
  return p.length ? p.map(k => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '') : 'the file';
}

function valueAt(data: unknown, p: readonly PropertyKey[]): unknown {
  let v = data;
  for (const k of p) v = typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

function shown(value: unknown): string {
  const s = value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
