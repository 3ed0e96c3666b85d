import { Token } from 'cdktf';

/**
 * One validation rule: when `fails` holds for the props, `message` says what is
 * wrong and what to do (prop, value, what is allowed; lowercase, no final period).
 */
export interface ValidationRule<T> {
  readonly fails: (props: T) => boolean;
  readonly message: (props: T) => string;
}

/** Throws one Error listing every rule that fails, one per line. */
export function validate<T>(props: T, rules: readonly ValidationRule<T>[]): void {
  const errors = rules.filter(r => r.fails(props)).map(r => r.message(props));
  if (errors.length > 0) throw new Error(errors.join('\n'));
}

/** A value that is set and known at synth time (not a token). */
export function isKnown<T>(value: T | undefined): value is T {
  return value !== undefined && !Token.isUnresolved(value);
}

/** A value that is a token (unknown until Terraform runs). */
export function isToken(value: unknown): boolean {
  return value !== undefined && Token.isUnresolved(value);
}

/**
 * Fails with the prop's name when a required prop is missing (JavaScript callers,
 * or `null` from another jsii language), before a rule reads it and dies with a TypeError.
 */
export function requireProps<T extends object>(construct: string, props: T | undefined, names: readonly (keyof T & string)[]): void {
  const missing = names.filter(n => props?.[n] === undefined || props?.[n] === null);
  if (missing.length > 0) throw new Error(`${missing.join(' and ')} must be set for ${construct}, got ${String(props?.[missing[0]])}; pass ${missing.length === 1 ? 'it' : 'them'} in the props`);
}
