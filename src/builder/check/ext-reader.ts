import { ToolRunner } from '../common/tools';

export interface DirEntry {
  readonly name: string;
  readonly kind: 'file' | 'dir' | 'symlink' | 'other';
  /** Size in bytes as debugfs lists it. */
  readonly sizeBytes: number;
}

const NOT_FOUND = /File not found by ext2_lookup|not found by ext2_lookup/;
const MAX_LINKS = 8;

/**
 * Reads an ext2/3/4 filesystem inside a disk image with debugfs, read-only and
 * without mounting: `debugfs -R 'cat PATH' 'disk.img?offset=N'`.
 */
export class ExtReader {
  private readonly device: string;

  constructor(image: string, offsetBytes: number, private readonly tools: ToolRunner) {
    this.device = `${image}?offset=${offsetBytes}`;
  }

  /** The file's text (symlinks followed), or undefined when it does not exist. */
  public async read(file: string): Promise<string | undefined> {
    let current = file;
    for (let i = 0; i < MAX_LINKS; i++) {
      const { stdout, stderr } = await this.request(`cat ${quote(current)}`);
      if (NOT_FOUND.test(stderr)) return undefined;
      if (stdout !== '') return stdout;
      const target = await this.linkTarget(current);
      if (target === undefined) return stdout; // an empty regular file
      current = target.startsWith('/') ? target : `${current.slice(0, current.lastIndexOf('/'))}/${target}`;
    }
    return undefined;
  }

  /** True when the path exists; a symlink counts even when its target does not. */
  public async exists(file: string): Promise<boolean> {
    return !NOT_FOUND.test((await this.request(`stat ${quote(file)}`)).stderr);
  }

  /** The directory's entries (without . and ..), or undefined when it does not exist. */
  public async list(dir: string): Promise<DirEntry[] | undefined> {
    const { stdout, stderr } = await this.request(`ls -p ${quote(dir)}`);
    if (NOT_FOUND.test(stderr)) return undefined;
    const entries: DirEntry[] = [];
    for (const line of stdout.split('\n')) {
      // /inode/mode/uid/gid/name/size/
      const m = /^\/\d+\/(\d+)\/\d+\/\d+\/(.*)\/(\d*)\/$/.exec(line);
      if (!m || m[2] === '.' || m[2] === '..') continue;
      const type = parseInt(m[1], 8) & 0o170000;
      const kind = type === 0o100000 ? 'file' : type === 0o040000 ? 'dir' : type === 0o120000 ? 'symlink' : 'other';
      entries.push({ name: m[2], kind, sizeBytes: Number(m[3] || 0) });
    }
    return entries;
  }

  private async linkTarget(file: string): Promise<string | undefined> {
    const { stdout } = await this.request(`stat ${quote(file)}`);
    if (!/Type: symlink/.test(stdout)) return undefined;
    return /Fast link dest: "(.*)"/.exec(stdout)?.[1];
  }

  private async request(command: string) {
    return this.tools.run({ tool: 'debugfs', args: ['-R', command, this.device] });
  }
}

function quote(p: string): string {
  if (p.includes('"') || p.includes('\n')) throw new Error(`cannot read ${JSON.stringify(p)} with debugfs`);
  return `"${p}"`;
}
