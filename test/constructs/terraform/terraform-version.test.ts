import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, TerraformStack, Testing } from 'cdktf';
import { TerraformData } from '../../../src/constructs/terraform/terraform-data';
import { terraformVersionProblems } from '../../../src/constructs/terraform/terraform-version';

let dir: string;
beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'cdvm-tf-version-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in `terraform` that prints `version` and counts its runs in `runs`. */
function fakeTerraform(name: string, version: string): string {
  const bin = path.join(dir, name);
  writeFileSync(bin, `#!/bin/sh\necho run >> "${path.join(dir, 'runs')}"\necho "Terraform ${version}"\necho "on linux_amd64"\n`);
  chmodSync(bin, 0o755);
  return bin;
}

describe('terraformVersionProblems', () => {
  test('accepts 1.4 and later', () => {
    expect(terraformVersionProblems(fakeTerraform('tf-1.4', 'v1.4.0'))).toEqual([]);
    expect(terraformVersionProblems(fakeTerraform('tf-1.11', 'v1.11.4'))).toEqual([]);
  });

  test('refuses 1.3, naming the fix', () => {
    expect(terraformVersionProblems(fakeTerraform('tf-1.3', 'v1.3.9'))).toEqual([
      expect.stringMatching(/^Terraform 1\.3\.9 is too old for terraform_data.*install Terraform 1\.4 or later.*TERRAFORM_BINARY_NAME/),
    ]);
  });

  test('a missing binary is a problem that names the fix, not a throw', () => {
    expect(terraformVersionProblems(path.join(dir, 'no-such-terraform'))).toEqual([
      expect.stringMatching(/`.*no-such-terraform version` failed \(.*ENOENT.*\); install Terraform 1\.4 or later/),
    ]);
  });
});

describe('the synth-time check', () => {
  const saved = process.env.TERRAFORM_BINARY_NAME;
  afterEach(() => {
    if (saved === undefined) delete process.env.TERRAFORM_BINARY_NAME;
    else process.env.TERRAFORM_BINARY_NAME = saved;
  });

  test('runs `terraform version` once for a stack of many terraform_data, not once each', () => {
    // GIVEN
    process.env.TERRAFORM_BINARY_NAME = fakeTerraform('tf-count', 'v1.11.4');
    const stack = new TerraformStack(Testing.app(), 'many');
    for (let i = 0; i < 30; i++) new TerraformData(stack, `Stage${i}`, { input: { i } });
    // WHEN
    Testing.synth(stack, true);
    // THEN
    expect(readFileSync(path.join(dir, 'runs'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  test('an old Terraform fails app.synth() with the message', () => {
    // GIVEN
    process.env.TERRAFORM_BINARY_NAME = fakeTerraform('tf-old', 'v1.2.0');
    const app = new App({ outdir: dir });
    new TerraformData(new TerraformStack(app, 'old'), 'Stage');
    // WHEN / THEN
    expect(() => app.synth()).toThrow(/Terraform 1\.2\.0 is too old for terraform_data/);
  });
});
