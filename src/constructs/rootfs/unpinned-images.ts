/**
 * Finds base images in a Dockerfile that are not pinned to a digest.
 *
 * Not exported from the package. Handles line continuations, comments, parser
 * directives, `--platform` style flags, `AS name`, references to earlier build
 * stages and `FROM scratch`, and substitutes `ARG`s declared before the first
 * `FROM` (build args win over their defaults). A reference that still holds a
 * variable after that is skipped: it cannot be judged at synth time.
 */

export interface UnpinnedImage {
  /** The image reference as it is after ARG substitution. */
  readonly reference: string;
  /** 1-based line number of the FROM instruction. */
  readonly line: number;
}

export function findUnpinnedImages(dockerfile: string, buildArgs: { readonly [name: string]: string } = {}): UnpinnedImage[] {
  const result: UnpinnedImage[] = [];
  const globalArgs: Record<string, string | undefined> = {};
  const stageNames = new Set<string>();
  let seenFrom = false;
  for (const { text, line } of logicalLines(dockerfile)) {
    const match = /^(\w+)\s*(.*)$/s.exec(text);
    if (!match) continue;
    const instruction = match[1].toUpperCase();
    const rest = match[2].trim();
    if (instruction === 'ARG' && !seenFrom) {
      for (const decl of rest.split(/\s+/).filter(Boolean)) {
        const eq = decl.indexOf('=');
        const name = eq < 0 ? decl : decl.slice(0, eq);
        const value = eq < 0 ? undefined : unquote(decl.slice(eq + 1));
        globalArgs[name] = Object.prototype.hasOwnProperty.call(buildArgs, name) ? buildArgs[name] : value;
      }
      continue;
    }
    if (instruction !== 'FROM') continue;
    seenFrom = true;
    const words = rest.split(/\s+/).filter(w => w !== '' && !w.startsWith('--'));
    if (words.length === 0) continue;
    const reference = substitute(words[0], globalArgs);
    const isEarlierStage = reference !== undefined && stageNames.has(reference.toLowerCase());
    if (words.length >= 3 && words[1].toUpperCase() === 'AS') stageNames.add(words[2].toLowerCase());
    if (reference === undefined || isEarlierStage || reference.toLowerCase() === 'scratch') continue;
    if (/@sha256:[0-9a-f]{64}$/i.test(reference)) continue;
    result.push({ reference, line });
  }
  return result;
}

interface LogicalLine {
  readonly text: string;
  readonly line: number;
}

function logicalLines(dockerfile: string): LogicalLine[] {
  const physical = dockerfile.split(/\r?\n/);
  let escape = '\\';
  // Parser directives: only at the very top, before any other line.
  for (const l of physical) {
    const directive = /^#\s*escape\s*=\s*(\S)\s*$/i.exec(l);
    if (directive) {
      escape = directive[1];
      continue;
    }
    if (/^#\s*\w+\s*=/.test(l)) continue;
    break;
  }
  const lines: LogicalLine[] = [];
  let current = '';
  let start = 0;
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i];
    const trimmed = raw.trim();
    if (current === '') start = i + 1;
    // Comment lines are dropped, also inside a continuation.
    if (trimmed.startsWith('#')) continue;
    if (trimmed.endsWith(escape)) {
      current += trimmed.slice(0, -1) + ' ';
      continue;
    }
    current += trimmed;
    if (current.trim() !== '') lines.push({ text: current.trim(), line: start });
    current = '';
  }
  if (current.trim() !== '') lines.push({ text: current.trim(), line: start });
  return lines;
}

/** `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME:+alt}`; undefined when a variable has no value. */
function substitute(word: string, args: Record<string, string | undefined>): string | undefined {
  let unresolved = false;
  const out = word.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_m, braced: string | undefined, op: string | undefined, alt: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare)!;
      const value = args[name];
      if (op === '-') return value !== undefined && value !== '' ? value : alt ?? '';
      if (op === '+') return value !== undefined && value !== '' ? alt ?? '' : '';
      if (value === undefined) {
        unresolved = true;
        return '';
      }
      return value;
    });
  return unresolved || out === '' ? undefined : out;
}

function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === '\'') && value[value.length - 1] === value[0]) {
    return value.slice(1, -1);
  }
  return value;
}
