/**
 * Small, pure parsers for the few configuration files the preflight check
 * reads from an image: fstab, shadow, cloud-init's datasource_list and sshd's
 * effective PasswordAuthentication. Each knows just enough of its format.
 */

export interface FstabEntry {
  readonly device: string;
  readonly mountPoint: string;
  readonly type: string;
}

export function parseFstab(text: string): FstabEntry[] {
  const entries: FstabEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [device, mountPoint, type] = line.split(/\s+/);
    if (device && mountPoint) entries.push({ device, mountPoint: unescapeOctal(mountPoint), type: type ?? '' });
  }
  return entries;
}

function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The password field of root in /etc/shadow, or undefined when there is no root line. */
export function rootPasswordField(shadow: string): string | undefined {
  for (const line of shadow.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === 'root' && fields.length >= 2) return fields[1];
  }
  return undefined;
}

/**
 * The `datasource_list` of one cloud-init YAML file: an inline flow list
 * (`datasource_list: [ A, B ]`, possibly over several lines) or a block list
 * (`- A` lines). Undefined when the file does not set it at the top level.
 */
export function parseDatasourceList(yaml: string): string[] | undefined {
  const lines = yaml.split('\n');
  let found: string[] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const m = /^datasource_list\s*:(.*)$/.exec(stripComment(lines[i]));
    if (!m) continue;
    let rest = m[1].trim();
    if (rest.startsWith('[')) {
      while (!rest.includes(']') && i + 1 < lines.length) rest += ' ' + stripComment(lines[++i]).trim();
      found = splitFlowList(rest.slice(1, rest.includes(']') ? rest.indexOf(']') : undefined));
    } else if (rest === '') {
      const items: string[] = [];
      while (i + 1 < lines.length) {
        const next = stripComment(lines[i + 1]);
        const item = /^\s*-\s+(.*)$/.exec(next) ?? /^\s*-$/.exec(next);
        if (item) items.push(unquote((item[1] ?? '').trim()));
        else if (next.trim() !== '') break;
        i++;
      }
      found = items.filter(Boolean);
    } else {
      found = [unquote(rest)]; // a scalar: cloud-init wants a list, but take it as one item
    }
  }
  return found;
}

/**
 * The effective `datasource_list` of cloud.cfg, then cloud.cfg.d/*.cfg in
 * lexical order: a later file that sets it replaces the earlier value.
 */
export interface DatasourceList {
  readonly list?: string[];
  /** The file that set it last. */
  readonly from?: string;
}

export function effectiveDatasourceList(cloudCfg: string | undefined, dropIns: ReadonlyArray<{ name: string; text: string }>): DatasourceList {
  let result: DatasourceList = {};
  const ordered = [...dropIns].filter(f => f.name.endsWith('.cfg')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files = [...(cloudCfg === undefined ? [] : [{ name: '/etc/cloud/cloud.cfg', text: cloudCfg }]), ...ordered.map(f => ({ name: `/etc/cloud/cloud.cfg.d/${f.name}`, text: f.text }))];
  for (const f of files) {
    const list = parseDatasourceList(f.text);
    if (list !== undefined) result = { list, from: f.name };
  }
  return result;
}

function stripComment(line: string): string {
  // '#' starts a comment at the line start or after whitespace (YAML); quoted '#' is rare enough here to ignore.
  return line.replace(/(^|\s)#.*$/, '');
}

function splitFlowList(inner: string): string[] {
  return inner.split(',').map(s => unquote(s.trim())).filter(Boolean);
}

function unquote(s: string): string {
  const m = /^(['"])(.*)\1$/.exec(s);
  return m ? m[2] : s;
}

/**
 * The value sshd uses for a keyword: the first one it reads wins, and
 * `Include` pulls in files (globs, relative to /etc/ssh, lexical order) at the
 * place it appears. Keywords inside `Match` blocks are conditional and do not
 * set the global value. `files` maps absolute paths to contents; includes of
 * files not in it are skipped.
 */
export function effectiveSshdOption(files: ReadonlyMap<string, string>, keyword: string, mainFile = '/etc/ssh/sshd_config'): { value?: string; from?: string } {
  const want = keyword.toLowerCase();
  const visit = (file: string, depth: number): { value?: string; from?: string } | undefined => {
    const text = files.get(file);
    if (text === undefined || depth > 8) return undefined;
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
      if (!m) continue;
      const key = m[1].toLowerCase();
      if (key === 'match') return undefined; // the rest of this file is conditional
      if (key === 'include') {
        for (const pattern of splitWords(m[2])) {
          for (const included of expandGlob(pattern.startsWith('/') ? pattern : `/etc/ssh/${pattern}`, files)) {
            const found = visit(included, depth + 1);
            if (found) return found;
          }
        }
      } else if (key === want) {
        return { value: splitWords(m[2])[0], from: file };
      }
    }
    return undefined;
  };
  return visit(mainFile, 0) ?? {};
}

function splitWords(s: string): string[] {
  return (s.match(/"[^"]*"|\S+/g) ?? []).map(w => w.replace(/^"(.*)"$/, '$1'));
}

function expandGlob(pattern: string, files: ReadonlyMap<string, string>): string[] {
  if (!/[*?[]/.test(pattern)) return files.has(pattern) ? [pattern] : [];
  const re = new RegExp('^' + pattern.split('').map(c => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\\\]]/g, '\\$&'))).join('') + '$');
  return [...files.keys()].filter(f => re.test(f)).sort();
}
