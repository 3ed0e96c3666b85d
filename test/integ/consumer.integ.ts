/**
 * The package as a user gets it: `npm pack`, installed from the tarball into a
 * fresh app directory that holds only what a user installs, then the README's
 * examples synthesized with the real `cdktf` CLI, the local stages applied with
 * real Terraform, and the builder CLI run through `npx`. This catches a file
 * missing from the package, a runtime dependency left in devDependencies, and
 * a path that only works inside this repository.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEBIAN_FIXTURE, REPO } from './support/builder';
import { appliedImageInfo, copyExample, createConsumerApp, mustRun, packRepository, readmeTypeScriptBlocks, writeCdktfProject } from './support/consumer-app';
import { installNode, withNode } from './support/node-runtime';
import { Terraform } from './support/terraform';

let work: string;
let app: string;

// What the cdktf CLI needs to run unattended and offline.
const cdktfEnv = { CI: '1', CHECKPOINT_DISABLE: '1', CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1' };

/** The README's stage-by-stage fragment, wrapped in the stack a user would write around it. */
function localStackProgram(fragment: string): string {
  return [
    "import { App, Fn, TerraformOutput, TerraformStack } from 'cdktf';",
    "import { Construct } from 'constructs';",
    "import { Bootloader, ContainerRootfs, DiskFormat, DiskImage, ImageArtifact, RootfsSource } from 'cdktf-docker-vm';",
    '',
    'class LocalStack extends TerraformStack {',
    '  constructor(scope: Construct, id: string) {',
    '    super(scope, id);',
    fragment,
    '  }',
    '}',
    '',
    'const app = new App();',
    "new LocalStack(app, 'local');",
    'app.synth();',
    '',
  ].join('\n');
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-consumer-'));
  const tarball = packRepository(work);
  app = path.join(work, 'app');
  createConsumerApp(app, tarball);
}, 1_800_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package in a fresh cdktf app', () => {
  test('holds the compiled library, the CLI and no test or source files', () => {
    // GIVEN the installed package
    const installed = path.join(app, 'node_modules', 'cdktf-docker-vm');
    // THEN
    expect(existsSync(path.join(installed, 'lib', 'index.js'))).toBe(true);
    expect(existsSync(path.join(installed, 'lib', 'index.d.ts'))).toBe(true);
    expect(existsSync(path.join(installed, 'lib', 'builder', 'cli.js'))).toBe(true);
    expect(existsSync(path.join(installed, '.jsii'))).toBe(true);
    expect(existsSync(path.join(installed, 'test'))).toBe(false);
  });

  test('npx cdktf-docker-vm --help prints the usage from the installed bin', () => {
    // WHEN
    const r = mustRun('npx', ['cdktf-docker-vm', '--help'], { cwd: app });
    // THEN
    expect(r.stdout).toMatch(/cdktf-docker-vm build SOURCE --output FILE/);
  });

  test('cdktf synth of the README DockerVm example writes the DigitalOcean resources and the stage specs', () => {
    // GIVEN the README's first example, verbatim, with its ./app context
    const [program] = readmeTypeScriptBlocks('Use it from CDK for Terraform');
    const project = path.join(app, 'web');
    writeCdktfProject(project, program);
    cpSync(path.join(REPO, 'examples/digitalocean/app'), path.join(project, 'app'), { recursive: true });
    // WHEN
    mustRun('npx', ['cdktf', 'synth'], { cwd: project, env: cdktfEnv });
    // THEN
    const stackDir = path.join(project, 'cdktf.out', 'stacks', 'web');
    const json = JSON.parse(readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(json.resource).sort()).toEqual(['digitalocean_custom_image', 'digitalocean_droplet', 'digitalocean_spaces_bucket', 'terraform_data']);
    expect(Object.values(json.resource.digitalocean_droplet).map((d: any) => d.name)).toEqual(['web-1', 'web-2']);
    expect(json.terraform.required_providers.digitalocean.source).toBe('digitalocean/digitalocean');
    // every local-exec runs the installed package's CLI
    const interpreters = Object.values(json.resource.terraform_data).flatMap((r: any) => (r.provisioner ?? []).map((p: any) => p['local-exec'].interpreter));
    expect(interpreters.length).toBeGreaterThan(0);
    for (const [node, cli] of interpreters) {
      expect(node).toBe('node');
      expect(cli).toBe(path.join(app, 'node_modules', 'cdktf-docker-vm', 'lib', 'builder', 'cli.js'));
    }
  });

  test.each([
    ['local', 'local-vm', ['terraform_data']],
    ['digitalocean', 'digitalocean-vm', ['digitalocean_custom_image', 'digitalocean_droplet', 'digitalocean_spaces_bucket', 'terraform_data']],
  ])('examples/%s synthesizes from the installed package', (name, stack, resourceTypes) => {
    // GIVEN the example importing 'cdktf-docker-vm' instead of the repository's src/
    const project = path.join(app, 'examples', name);
    copyExample(name, project, 'cdktf-docker-vm');
    // WHEN
    mustRun('npx', ['cdktf', 'synth'], { cwd: project, env: cdktfEnv });
    // THEN
    expect(readdirSync(path.join(project, 'cdktf.out', 'stacks'))).toEqual([stack]);
    const json = JSON.parse(readFileSync(path.join(project, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(json.resource).sort()).toEqual(resourceTypes);
  });

  // cdktf-cli 0.21's node-pty ships prebuilt binaries up to Node 22's ABI (127), none for Node 24's (137),
  // so on Node 24 the app runs directly, as the CLI would run it.
  test.each([
    [22, ['cdktf', 'synth']],
    [24, ['ts-node', 'main.ts']],
  ])('the README DockerVm example synthesizes the same stack on Node %i (npx %p)', (major, synthCommand) => {
    // GIVEN the stack synthesized on Node 20 by the test before, and Node `major`
    const project = path.join(app, 'web');
    const stackFile = path.join(project, 'cdktf.out', 'stacks', 'web', 'cdk.tf.json');
    const onNode20 = readFileSync(stackFile, 'utf8');
    rmSync(path.join(project, 'cdktf.out'), { recursive: true });
    const env = { ...cdktfEnv, ...withNode(installNode(major, work)) };
    // WHEN
    mustRun('npx', synthCommand, { cwd: project, env });
    // THEN
    expect(readFileSync(stackFile, 'utf8')).toBe(onNode20);
  });

  test('the README stage-by-stage example applies offline: the local stages build a qcow2', () => {
    // GIVEN the README's second example in a stack, with a Debian VM Dockerfile as ./app
    const [, fragment] = readmeTypeScriptBlocks('Use it from CDK for Terraform');
    const project = path.join(app, 'local');
    writeCdktfProject(project, localStackProgram(fragment));
    cpSync(DEBIAN_FIXTURE, path.join(project, 'app'), { recursive: true });
    mustRun('npx', ['cdktf', 'synth'], { cwd: project, env: cdktfEnv });
    const tf = new Terraform(path.join(project, 'cdktf.out', 'stacks', 'local'), { CDKTF_DOCKER_VM_CACHE_DIR: path.join(work, 'cache') });
    // WHEN
    tf.init();
    tf.apply();
    // THEN
    expect(appliedImageInfo(tf)).toEqual({ format: 'qcow2', virtualSize: 4 * 1024 ** 3 });
  });
});
