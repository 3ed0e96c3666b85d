import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../src/builder/cli';
import { removeArtifactCopy } from '../../../src/builder/commands/remove-artifact';
import { fakeIo } from '../support/fake-io';
import { tempDir } from '../support/tar';

const NAME = `${'ab'.repeat(32)}-convert.qcow2.gz`;

describe('remove-artifact', () => {
  let tmp: ReturnType<typeof tempDir>;
  let stack: string;
  beforeEach(() => {
    tmp = tempDir();
    stack = path.join(tmp.dir, 'stack');
    fs.mkdirSync(path.join(stack, 'docker-vm-artifacts'), { recursive: true });
  });
  afterEach(() => tmp.cleanup());

  test('removes the artifact copy named in its input', async () => {
    // GIVEN
    const file = path.join(stack, 'docker-vm-artifacts', NAME);
    fs.writeFileSync(file, 'image');
    const saved = process.cwd();
    process.chdir(stack);
    process.env.CDKTF_DOCKER_VM_INPUT = JSON.stringify({ artifact_path: `docker-vm-artifacts/${NAME}` });
    try {
      // WHEN
      const { io, out } = fakeIo();
      const code = await main(['remove-artifact'], io);
      // THEN
      expect(code).toBe(0);
      expect(out.stderr).toContain(`artifact: removed docker-vm-artifacts/${NAME}`);
      expect(fs.existsSync(file)).toBe(false);
    } finally {
      process.chdir(saved);
      delete process.env.CDKTF_DOCKER_VM_INPUT;
    }
  });

  test('succeeds when the copy is already gone', () => {
    expect(removeArtifactCopy(stack, `docker-vm-artifacts/${NAME}`)).toBe(`docker-vm-artifacts/${NAME} is already gone`);
  });

  test.each([
    ['../outside.img'],
    ['docker-vm-artifacts/../../etc/passwd'],
    ['docker-vm-artifacts/notes.txt'],
    [`other/${NAME}`],
    [`/docker-vm-artifacts/${NAME}`],
  ])('keeps %s: not a path this tool writes', artifactPath => {
    expect(removeArtifactCopy(stack, artifactPath)).toMatch(/^kept .*not an artifact copy of cdktf-docker-vm/);
  });

  test('never follows a symlink out of the artifacts directory', () => {
    // GIVEN the artifact name is a symlink to a file elsewhere
    const outside = path.join(tmp.dir, 'precious.img');
    fs.writeFileSync(outside, 'keep');
    fs.symlinkSync(outside, path.join(stack, 'docker-vm-artifacts', NAME));
    // WHEN
    const said = removeArtifactCopy(stack, `docker-vm-artifacts/${NAME}`);
    // THEN
    expect(said).toMatch(/not a regular file/);
    expect(fs.readFileSync(outside, 'utf8')).toBe('keep');
  });

  test('never removes through a symlinked artifacts directory', () => {
    // GIVEN docker-vm-artifacts points elsewhere
    const elsewhere = path.join(tmp.dir, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.writeFileSync(path.join(elsewhere, NAME), 'keep');
    fs.rmSync(path.join(stack, 'docker-vm-artifacts'), { recursive: true });
    fs.symlinkSync(elsewhere, path.join(stack, 'docker-vm-artifacts'));
    // WHEN
    const said = removeArtifactCopy(stack, `docker-vm-artifacts/${NAME}`);
    // THEN
    expect(said).toMatch(/is a symlink/);
    expect(fs.existsSync(path.join(elsewhere, NAME))).toBe(true);
  });

  test('fails with exit 2 when its input is missing', async () => {
    const { io, out } = fakeIo();
    expect(await main(['remove-artifact'], io)).toBe(2);
    expect(out.stderr).toMatch(/remove-artifact reads its input from the environment variable CDKTF_DOCKER_VM_INPUT, which is not set/);
  });
});
