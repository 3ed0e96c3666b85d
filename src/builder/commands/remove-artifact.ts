import { lstatSync, realpathSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { Command } from './command';
import { INPUT_VARIABLE, readEnvInput } from './env-input';

/** The folder of the stack directory the stages copy their artifacts into (constructs/private/stage-resource.ts). */
export const ARTIFACTS_DIR = 'docker-vm-artifacts';

/** What this tool names an artifact copy: `<fingerprint>-<stage><extension>`. */
const ARTIFACT_NAME = /^[0-9a-f]{64}-(rootfs|disk|bootloader|convert)(\.[a-z0-9]+){0,2}$/;

// The stage resource's own input: a destroy-time provisioner may read only `self`.
const inputSchema = z.looseObject({ artifact_path: z.string() });

/**
 * Removes the artifact copy at `artifactPath` (relative to `stackDir`) when it
 * is one this tool made: a regular file named like an artifact directly in
 * `<stackDir>/docker-vm-artifacts/`, reached without a symlink. Returns what it
 * did, for the log line.
 */
export function removeArtifactCopy(stackDir: string, artifactPath: string): string {
  const parts = artifactPath.split('/');
  if (parts.length !== 2 || parts[0] !== ARTIFACTS_DIR || !ARTIFACT_NAME.test(parts[1])) {
    return `kept ${artifactPath}: not an artifact copy of cdktf-docker-vm (${ARTIFACTS_DIR}/<fingerprint>-<stage>.<ext>)`;
  }
  const dir = path.join(stackDir, ARTIFACTS_DIR);
  const file = path.join(dir, parts[1]);
  let st;
  try {
    st = lstatSync(file);
  } catch {
    return `${artifactPath} is already gone`;
  }
  if (!st.isFile()) return `kept ${artifactPath}: not a regular file`;
  if (realpathSync(dir) !== path.join(realpathSync(stackDir), ARTIFACTS_DIR)) return `kept ${artifactPath}: ${ARTIFACTS_DIR} is a symlink`;
  rmSync(file, { force: true });
  return `removed ${artifactPath}`;
}

/** `remove-artifact`: a stage resource's destroy step, removing its artifact copy. */
export const removeArtifactCommand: Command = {
  name: 'remove-artifact',
  flags: { quiet: 'switch' },
  synopsis: '(its input is JSON in the environment variable CDKTF_DOCKER_VM_INPUT)',
  options: `Remove-artifact input (${INPUT_VARIABLE}, a stage resource's input): removes the artifact copy at
  artifact_path (relative to the working directory) when the stage is destroyed or replaced; only a regular
  file ${ARTIFACTS_DIR}/<fingerprint>-<stage>.<ext>, never through a symlink.
`,
  examples: [],
  run: async (_args, { progress }) => {
    const input = readEnvInput('remove-artifact', inputSchema);
    progress.step('artifact', removeArtifactCopy(process.cwd(), input.artifact_path));
    return 0;
  },
};
