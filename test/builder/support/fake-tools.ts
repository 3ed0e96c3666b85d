/**
 * Fake host tools for unit tests: small sh scripts in a temp bin dir, put first
 * on PATH, standing in for qemu-system-x86_64, qemu-img, ssh and friends.
 */
import * as fs from 'node:fs';
// The default import is the module object itself, which a spy can change (a namespace import is a frozen copy).
import os from 'node:os';
import * as path from 'node:path';
import { tempDir } from './tar';

export interface FakeBin {
  readonly dir: string;
  /** Writes an executable `name` running `body` under /bin/sh; returns its path. */
  add(name: string, body: string): string;
  /** Writes an executable `name` running `script` under this Node; returns its path. */
  addNode(name: string, script: string): string;
  /** Puts the bin dir first on PATH (until cleanup). */
  onPath(): void;
  cleanup(): void;
}

export function fakeBin(): FakeBin {
  const tmp = tempDir('cdvm-fake-bin-');
  const savedPath = process.env.PATH;
  return {
    dir: tmp.dir,
    add(name, body) {
      return write(tmp.dir, name, `#!/bin/sh\n${body}\n`);
    },
    addNode(name, script) {
      return write(tmp.dir, name, `#!${process.execPath}\n${script}\n`);
    },
    onPath() {
      process.env.PATH = `${tmp.dir}${path.delimiter}${savedPath}`;
    },
    cleanup() {
      process.env.PATH = savedPath;
      tmp.cleanup();
    },
  };
}

function write(dir: string, name: string, content: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content, { mode: 0o755 });
  return file;
}

/**
 * Points os.tmpdir() at a fresh dir until restore(), so a test sees exactly the temp
 * files the code under test leaves, whatever else runs on the machine. A spy, because
 * Jest's process.env is a copy: TMPDIR set in a test does not reach os.tmpdir().
 */
export function isolatedTmpdir(): { dir: string; leftovers: () => string[]; restore: () => void } {
  const tmp = tempDir('cdvm-tmpdir-');
  const spy = jest.spyOn(os, 'tmpdir').mockReturnValue(tmp.dir);
  return {
    dir: tmp.dir,
    leftovers: () => fs.readdirSync(tmp.dir),
    restore: () => {
      spy.mockRestore();
      tmp.cleanup();
    },
  };
}

/**
 * A QEMU stand-in: prints its argv, its pid and a coloured boot line, then a login
 * prompt, and runs until killed (`exec`, so the pid is the one that holds the pipes).
 * `before` runs first, e.g. a trap or a KVM failure.
 */
export function fakeQemuBody(before = ''): string {
  return `${before}
printf 'argv: %s\\n' "$*"
printf 'pid: %s\\n' "$$"
printf '[  \\033[0;32mOK\\033[0m  ] Reached target multi-user\\r\\n'
printf 'vm login: '
exec sleep 600`;
}

/** The pid a fakeQemuBody printed on the console. */
export function fakePid(consoleText: string): number {
  const m = /^pid: (\d+)$/m.exec(consoleText);
  if (!m) throw new Error(`no pid on the console:\n${consoleText}`);
  return Number(m[1]);
}

/** True while `pid` runs (a zombie waiting to be reaped does not count). */
export function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
