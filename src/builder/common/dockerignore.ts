/**
 * `.dockerignore` matching as docker's builder does it: patterns are cleaned
 * paths relative to the context root, `*` and `?` stay inside one path
 * segment, `**` spans segments, a leading `!` re-includes, the last matching
 * pattern wins, and a pattern that matches a directory also covers its content.
 */
export interface IgnoreRule {
  readonly negate: boolean;
  readonly regex: RegExp;
}

export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    let line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1).trim();
    line = cleanPattern(line);
    if (line === '') continue;
    rules.push({ negate, regex: patternToRegex(line) });
  }
  return rules;
}

export function isIgnored(relPath: string, rules: readonly IgnoreRule[]): boolean {
  let ignored = false;
  for (const rule of rules) {
    if (matchesSelfOrParent(relPath, rule.regex)) ignored = !rule.negate;
  }
  return ignored;
}

/** A directory can be skipped whole only when no `!` rule could re-include something below it. */
export function canSkipDirectory(relDir: string, rules: readonly IgnoreRule[]): boolean {
  return isIgnored(relDir, rules) && !rules.some(r => r.negate);
}

function matchesSelfOrParent(relPath: string, regex: RegExp): boolean {
  const parts = relPath.split('/');
  for (let i = parts.length; i > 0; i--) {
    if (regex.test(parts.slice(0, i).join('/'))) return true;
  }
  return false;
}

function cleanPattern(pattern: string): string {
  const out: string[] = [];
  for (const seg of pattern.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

function patternToRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else {
          re += '.*';
        }
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
      } else {
        let cls = pattern.slice(i + 1, end);
        if (cls.startsWith('^') || cls.startsWith('!')) cls = '^' + cls.slice(1);
        re += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else {
      re += c.replace(/[.+^${}()|\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}
