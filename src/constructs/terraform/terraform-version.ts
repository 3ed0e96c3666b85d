import { spawnSync } from 'node:child_process';
import { TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';

/** terraform_data came with Terraform 1.4. */
const MINIMUM = { major: 1, minor: 4 };

const checkedStacks = new WeakSet<TerraformStack>();
const problemsByBinary = new Map<string, string[]>();

/**
 * Adds, once per stack, a synth-time validation that Terraform is 1.4 or later
 * (`terraform version`, or the binary TERRAFORM_BINARY_NAME names, as cdktf uses).
 * The answer is remembered per binary for the life of the process.
 */
export function requireTerraformVersion(scope: IConstruct): void {
  const stack = TerraformStack.of(scope);
  if (checkedStacks.has(stack)) return;
  checkedStacks.add(stack);
  stack.node.addValidation({ validate: () => terraformVersionProblems(process.env.TERRAFORM_BINARY_NAME || 'terraform') });
}

/** What is wrong with the Terraform binary for terraform_data: nothing, or one message naming the fix. */
export function terraformVersionProblems(binary: string): string[] {
  let problems = problemsByBinary.get(binary);
  if (!problems) {
    problems = check(binary);
    problemsByBinary.set(binary, problems);
  }
  return problems;
}

function check(binary: string): string[] {
  const fix = 'install Terraform 1.4 or later (https://developer.hashicorp.com/terraform/install), or set TERRAFORM_BINARY_NAME to its path';
  const r = spawnSync(binary, ['version'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : `exit ${r.status}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`;
    return [`cdktf-docker-vm's resources are terraform_data, built into Terraform 1.4 and later, but \`${binary} version\` failed (${why}); ${fix}`];
  }
  const m = /v?(\d+)\.(\d+)\.(\d+)/.exec(r.stdout);
  if (!m) return [`cdktf-docker-vm could not read a version from \`${binary} version\` (it printed: ${r.stdout.trim().split('\n')[0]}); ${fix}`];
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major < MINIMUM.major || (major === MINIMUM.major && minor < MINIMUM.minor)) {
    return [`Terraform ${m[0].replace(/^v/, '')} is too old for terraform_data, which cdktf-docker-vm's resources are; ${fix}`];
  }
  return [];
}
