/** A Droplet name (a hostname) from construct ids: lowercased, '-' for anything else, at most 63 characters. */
export function dropletNameOf(parts: readonly string[], fallback: string): string {
  const name = parts.join('-').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  return (name || fallback).slice(0, 63).replace(/-$/, '');
}
