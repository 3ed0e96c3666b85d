import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ToolCall, ToolRunner, RunOptions, RunResult } from '../../../src/builder/common/tools';
import { gzipInMembers, GzipMemberTool } from '../../../src/builder/convert/gzip-members';

const MEMBER = 64 * 1024;

/** Counts the compressor's calls, and fails the one numbered `failAt` (1-based) when given. */
class CountingRunner extends ToolRunner {
  public calls = 0;
  constructor(private readonly failAt?: number) { super(); }
  public async run(call: ToolCall, options?: RunOptions): Promise<RunResult> {
    this.calls++;
    if (this.calls === this.failAt) throw new Error(`call ${this.calls} failed`);
    return super.run(call, options);
  }
}

/** What the tool writes for each chunk on its own, concatenated: the expected members. */
function membersByHand(tool: GzipMemberTool, data: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < Math.max(1, data.length); at += MEMBER) {
    parts.push(execFileSync(tool, ['-6', '-n', '-c'], { input: data.subarray(at, at + MEMBER) }));
  }
  return Buffer.concat(parts);
}

/** Compressible but not trivial: text with counters. */
function sampleData(bytes: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `line ${i} ${(i * 2654435761) % 4294967296}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, bytes);
}

describe('gzipInMembers', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'gzip-members-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const compress = async (data: Buffer | number, tool: GzipMemberTool, workers: number, tools = new ToolRunner()) => {
    const input = path.join(dir, 'in');
    if (typeof data === 'number') {
      writeFileSync(input, '');
      truncateSync(input, data);
    } else {
      writeFileSync(input, data);
    }
    const output = path.join(dir, `out-${workers}.gz`);
    await gzipInMembers({ input, output, tool, tools, memberBytes: MEMBER, workers });
    return readFileSync(output);
  };

  test.each([0, 1, MEMBER - 1, MEMBER, 3 * MEMBER + 5])('GIVEN %i bytes WHEN compressed THEN gunzip gives them back', async bytes => {
    // GIVEN
    const data = sampleData(bytes);
    // WHEN
    const gz = await compress(data, 'gzip', 2);
    // THEN
    expect(gunzipSync(gz).equals(data)).toBe(true);
  });

  test.each(['libdeflate-gzip', 'gzip'] as const)('writes exactly what %s writes for each chunk, concatenated', async tool => {
    // GIVEN
    const data = sampleData(5 * MEMBER + 123);
    // WHEN
    const gz = await compress(data, tool, 2);
    // THEN
    expect(gz.equals(membersByHand(tool, data))).toBe(true);
    // and the gzip program itself reads every member
    expect(execFileSync('gzip', ['-dc'], { input: gz }).equals(data)).toBe(true);
  });

  test('GIVEN 1, 2 or 4 workers THEN the bytes are the same', async () => {
    // GIVEN
    const data = sampleData(7 * MEMBER + 9);
    // WHEN
    const outputs = [];
    for (const workers of [1, 2, 4]) outputs.push(await compress(data, 'libdeflate-gzip', workers));
    // THEN
    expect(outputs[1].equals(outputs[0])).toBe(true);
    expect(outputs[2].equals(outputs[0])).toBe(true);
  });

  test('GIVEN a sparse file THEN a chunk of zeros is compressed once and its member reused', async () => {
    // GIVEN: 6 chunks of zeros and a short zero tail
    const bytes = 6 * MEMBER + 100;
    const tools = new CountingRunner();
    // WHEN
    const gz = await compress(bytes, 'libdeflate-gzip', 2, tools);
    // THEN: one call for the full-size zero chunk, one for the tail
    expect(tools.calls).toBe(2);
    expect(gz.equals(membersByHand('libdeflate-gzip', Buffer.alloc(bytes)))).toBe(true);
  });

  test('GIVEN the compressor fails on one chunk THEN the compression fails with that error', async () => {
    // GIVEN
    const tools = new CountingRunner(3);
    // WHEN
    const result = compress(sampleData(8 * MEMBER), 'gzip', 2, tools);
    // THEN
    await expect(result).rejects.toThrow('call 3 failed');
  });

  test('GIVEN a later member fails before the one being written THEN its rejection is handled, not left unhandled', () => {
    // GIVEN call 1 answers late and call 2 fails at once, in a plain node process (jest keeps
    // unhandled rejections to itself; the CLI exits 1 with "unexpected error" on one, as a Ctrl-C during convert once did)
    const script = path.join(dir, 'later-fails-first.ts');
    writeFileSync(script, [
      'import { writeFileSync } from \'node:fs\';',
      `import { ToolCall, ToolRunner, RunOptions, RunResult } from ${JSON.stringify(path.resolve(__dirname, '../../../src/builder/common/tools'))};`,
      `import { gzipInMembers } from ${JSON.stringify(path.resolve(__dirname, '../../../src/builder/convert/gzip-members'))};`,
      'class LaterFailsFirst extends ToolRunner {',
      '  private calls = 0;',
      '  public async run(call: ToolCall, options?: RunOptions): Promise<RunResult> {',
      '    const n = ++this.calls;',
      '    if (n === 2) throw new Error(\'call 2 failed\');',
      '    if (n === 1) await new Promise(r => setTimeout(r, 200));',
      '    return super.run(call, options);',
      '  }',
      '}',
      'process.on(\'unhandledRejection\', e => { console.log(\'unhandled: \' + (e as Error).message); });',
      `writeFileSync(${JSON.stringify(path.join(dir, 'in'))}, Buffer.alloc(8 * ${MEMBER}, 'ab'));`,
      `gzipInMembers({ input: ${JSON.stringify(path.join(dir, 'in'))}, output: ${JSON.stringify(path.join(dir, 'out.gz'))}, tool: 'gzip', tools: new LaterFailsFirst(), memberBytes: ${MEMBER}, workers: 2 })`,
      '  .catch(e => console.log(\'rejected: \' + e.message));',
    ].join('\n'));
    // WHEN
    const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', script], { encoding: 'utf8', timeout: 120_000 });
    // THEN
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: 'rejected: call 2 failed\n', stderr: '' });
  });
});
