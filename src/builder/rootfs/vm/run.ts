import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { VmSetupPlan } from './plan';
import { Progress } from '../../common/progress';
import { ToolRunner } from '../../common/tools';
import { temporaryLabel } from '../docker-leftovers';

/**
 * Builds `FROM baseImage` plus the plan's files and setup script, in a context
 * made under tmpDir (nothing of the user's is in it). Returns the new image id.
 */
export async function buildDerivedImage(
  plan: VmSetupPlan, baseImage: string, tmpDir: string, tools: ToolRunner, progress: Progress,
): Promise<string> {
  const contextDir = path.join(tmpDir, 'vm-setup');
  for (const f of plan.files) {
    const target = path.join(contextDir, 'rootfs', f.path);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, f.content);
    chmodSync(target, f.mode);
  }
  writeFileSync(path.join(contextDir, 'Dockerfile'), plan.dockerfile(baseImage));
  const iidFile = path.join(tmpDir, 'vm-setup-image-id');
  progress.step('rootfs', 'docker build of the VM layer (FROM the image)');
  await tools.run({
    tool: 'docker',
    args: ['build', '--iidfile', iidFile, '--force-rm', '--label', temporaryLabel(), '--', contextDir],
    failureHint: 'adding the VM parts failed: the lines above are the end of the package manager\'s output; ' +
      'check that the image\'s package mirror is reachable, or install the parts in the Dockerfile and set inject to never',
  }, { stdoutIsLog: true, onStderrLine: line => progress.step('rootfs', `  ${line}`) });
  return readFileSync(iidFile, 'utf8').trim();
}

/** Turns a rootfs tar into an image, so a derived build can start FROM it. */
export async function importTar(tarFile: string, tools: ToolRunner): Promise<string> {
  const { stdout } = await tools.run({ tool: 'docker', args: ['import', '--change', `LABEL ${temporaryLabel()}`, '--', tarFile] }, { timeoutMs: 30 * 60_000 });
  return stdout.trim();
}

/**
 * Removes the images this tool made, by id. `--no-prune`: without it docker also deletes
 * their untagged parents, which is the image built from the user's Dockerfile and with it
 * the user's layer cache.
 */
export async function removeImages(images: readonly string[], tools: ToolRunner): Promise<void> {
  if (images.length === 0) return;
  await tools.run({ tool: 'docker', args: ['image', 'rm', '--force', '--no-prune', '--', ...images] }, { cleanup: true }).catch(() => undefined);
}
