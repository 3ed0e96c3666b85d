/**
 * The CDK Terrain package as a cdktn user gets it: `cdktn-docker-vm` built from
 * this repository's src/ by scripts/build-cdktn.js (the `package:cdktn` task),
 * installed from its tarball into a fresh app directory that holds only what a
 * cdktn user installs, on Node 22 (cdktn's CLI needs >= 22.19). The README's
 * stage-by-stage example is synthesized with the real `cdktn` CLI and applied
 * offline with real Terraform, and the builder CLI runs through `npx`.
 *
 * One source, both frameworks: the same stacks synthesized with cdktf and this
 * repository's lib/ (compiled by `npx projen compile`, as `test:integ` does
 * first) give the same stage resources, spec files and DigitalOcean resources,
 * apart from the path of the installed package in the local-exec command.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEBIAN_FIXTURE, REPO } from './support/builder';
import { APP_TSCONFIG, appliedImageInfo, copyExample, mustRun, readmeTypeScriptBlocks, repoVersionOf, writeCdktfProject } from './support/consumer-app';
import { installNode, nodeMajor, withNode } from './support/node-runtime';
import { Terraform } from './support/terraform';

const README_SECTION = 'Use it from CDK for Terraform';
/** What the cdktn CLI needs to run unattended and offline. */
const CLI_ENV = { CI: '1', CHECKPOINT_DISABLE: '1', CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1' };


let work: string;
let app: string;
let node22: NodeJS.ProcessEnv;
/** build/cdktn/package.json, as scripts/build-cdktn.js wrote it. */
let variant: { name: string; bin: Record<string, string>; devDependencies: Record<string, string> };

type Framework = 'cdktf' | 'cdktn';

/** A stack program around a README fragment, importing the framework and the library from `library`. */
function stackProgram(framework: Framework, library: string, stackClass: string, body: string, stackId: string): string {
  return [
    `import { App, Fn, TerraformOutput, TerraformStack } from '${framework}';`,
    "import { Construct } from 'constructs';",
    `import { Bootloader, ContainerRootfs, DiskFormat, DiskImage, ImageArtifact, RootfsSource } from '${library}';`,
    '',
    `class ${stackClass} extends TerraformStack {`,
    '  constructor(scope: Construct, id: string) {',
    '    super(scope, id);',
    body,
    '  }',
    '}',
    '',
    'const app = new App();',
    `new ${stackClass}(app, '${stackId}');`,
    'app.synth();',
    '',
  ].join('\n');
}

/**
 * The README's DockerVm example with the provider left out (the library
 * declares the digitalocean provider itself; there is no prebuilt provider
 * package for cdktn), importing from `framework` and `library`.
 */
function dockerVmProgram(framework: Framework, library: string): string {
  const [program] = readmeTypeScriptBlocks(README_SECTION);
  return program
    .split('\n')
    .filter(line => !/DigitaloceanProvider|provider-digitalocean/.test(line))
    .join('\n')
    .replace(/from 'cdktf'/g, `from '${framework}'`)
    .replace(/from 'cdktf-docker-vm'/g, `from '${library}'`);
}

/**
 * Synthesizes `program` with cdktf and this repository's lib/ in `project`:
 * plain `node` + ts-node (no cdktf CLI needed to compare the library's output),
 * cdktf and constructs resolved from the repository's node_modules.
 */
function synthWithRepoLib(project: string, program: string): void {
  writeCdktfProject(project, program);
  writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify(APP_TSCONFIG, null, 2));
  const tsNode = require.resolve('ts-node/dist/bin.js', { paths: [REPO] });
  mustRun(process.execPath, [tsNode, '--transpile-only', 'main.ts'], { cwd: project, env: { NODE_PATH: path.join(REPO, 'node_modules') } });
}

function stackJson(project: string, stack: string): any {
  return JSON.parse(readFileSync(path.join(project, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), 'utf8'));
}

/** The spec files of a synthesized stack, by file name. */
function specFiles(project: string, stack: string): Record<string, string> {
  const dir = path.join(project, 'cdktf.out', 'stacks', stack, 'docker-vm-specs');
  const files = readdirSync(dir).sort();
  expect(files.length).toBeGreaterThan(0);
  return Object.fromEntries(files.map(f => [f, readFileSync(path.join(dir, f), 'utf8')]));
}

/**
 * The stack's terraform_data resources with the builder CLI's path (the one
 * part that names the package directory) replaced by `<cli>`, after checking
 * that every local-exec runs `expectedCli`.
 */
function stageResources(json: any, expectedCli: string): Record<string, unknown> {
  const resources = json.resource.terraform_data as Record<string, any>;
  const text = JSON.stringify(resources);
  const interpreters = Object.values(resources).flatMap((r: any) => (r.provisioner ?? []).map((p: any) => p['local-exec'].interpreter));
  expect(interpreters.length).toBeGreaterThan(0);
  for (const [node, cli] of interpreters) {
    expect(node).toBe('node');
    expect(cli).toBe(expectedCli);
  }
  return JSON.parse(text.split(JSON.stringify(expectedCli).slice(1, -1)).join('<cli>'));
}

/** The resource types of a stack that are DigitalOcean's, with their blocks. */
function digitaloceanResources(json: any): Record<string, unknown> {
  return Object.fromEntries(Object.entries(json.resource as Record<string, unknown>).filter(([type]) => type.startsWith('digitalocean_')));
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-cdktn-consumer-'));
  // WHEN the cdktn package is built and packed as a release would
  const built = mustRun('node', [path.join(REPO, 'scripts', 'build-cdktn.js')], { cwd: REPO, timeoutMs: 900_000 });
  const tarball = built.stdout.trim().split('\n').pop()!;
  expect(existsSync(tarball)).toBe(true);
  variant = JSON.parse(readFileSync(path.join(REPO, 'build', 'cdktn', 'package.json'), 'utf8'));

  node22 = withNode(installNode(22, work));
  app = path.join(work, 'app');
  mkdirSync(app, { recursive: true });
  const manifest = {
    name: 'cdktn-consumer-app',
    version: '1.0.0',
    private: true,
    dependencies: {
      'cdktn-docker-vm': `file:${tarball}`,
      'cdktn': variant.devDependencies.cdktn,
      'constructs': variant.devDependencies.constructs,
    },
    devDependencies: {
      'cdktn-cli': variant.devDependencies.cdktn,
      'ts-node': repoVersionOf('ts-node'),
      'typescript': repoVersionOf('typescript'),
      '@types/node': repoVersionOf('@types/node'),
    },
  };
  writeFileSync(path.join(app, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify(APP_TSCONFIG, null, 2));
  mustRun('npm', ['install', '--no-audit', '--no-fund'], { cwd: app, env: node22, timeoutMs: 1_200_000 });
}, 2_400_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('cdktn-docker-vm, the cdktn build of the same source, in a fresh cdktn app on Node 22', () => {
  test('runs on Node 22', () => {
    expect(nodeMajor(node22)).toBe(22);
  });

  test('is a jsii package built against cdktn, with the same CLI bin as cdktf-docker-vm', () => {
    // GIVEN the installed package
    const installed = path.join(app, 'node_modules', 'cdktn-docker-vm');
    const assembly = JSON.parse(readFileSync(path.join(installed, '.jsii'), 'utf8'));
    const pkg = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8'));
    const main = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    // THEN
    expect(assembly.schema).toBe('jsii/0.10.0');
    expect(assembly.name).toBe('cdktn-docker-vm');
    expect(Object.keys(assembly.dependencies).sort()).toEqual(['cdktn', 'constructs']);
    expect(pkg.peerDependencies).toEqual({ cdktn: '>=0.22.0 <1', constructs: main.peerDependencies.constructs });
    expect(pkg.bundledDependencies).toEqual(main.bundledDependencies);
    expect(pkg.bin).toEqual({ 'cdktf-docker-vm': 'bin/cdktf-docker-vm' });
    expect(readFileSync(path.join(installed, 'lib', 'constructs', 'private', 'stage-resource.js'), 'utf8')).toMatch(/require\("cdktn"\)/);
    const cdktfImports = spawnSync('grep', ['-rlE', 'require\\("(cdktf|@cdktf/[^"]*)(/[^"]*)?"\\)', path.join(installed, 'lib')], { encoding: 'utf8' });
    expect(cdktfImports.stdout).toBe('');
    expect(existsSync(path.join(installed, 'lib', 'builder', 'cli.js'))).toBe(true);
    expect(existsSync(path.join(installed, 'src'))).toBe(false);
  });

  test('npx cdktf-docker-vm --help prints the usage from the installed bin', () => {
    // WHEN
    const r = mustRun('npx', ['cdktf-docker-vm', '--help'], { cwd: app, env: node22 });
    // THEN
    expect(r.stdout).toMatch(/cdktf-docker-vm build SOURCE --output FILE/);
  });

  test.each([
    ['local', 'local-vm', ['terraform_data']],
    ['digitalocean', 'digitalocean-vm', ['digitalocean_custom_image', 'digitalocean_droplet', 'digitalocean_spaces_bucket', 'terraform_data']],
  ])('examples/%s synthesizes with cdktn from the installed package', (name, stack, resourceTypes) => {
    // GIVEN the example importing cdktn and 'cdktn-docker-vm', without the prebuilt cdktf provider
    const project = path.join(app, 'examples', name);
    copyExample(name, project, 'cdktn-docker-vm', main => main
      .split('\n')
      .filter(line => !/DigitaloceanProvider|provider-digitalocean/.test(line))
      .join('\n')
      .replace(/from 'cdktf'/g, "from 'cdktn'"));
    // WHEN
    mustRun('npx', ['cdktn', 'synth'], { cwd: project, env: { ...CLI_ENV, ...node22 } });
    // THEN
    expect(readdirSync(path.join(project, 'cdktf.out', 'stacks'))).toEqual([stack]);
    expect(Object.keys(stackJson(project, stack).resource).sort()).toEqual(resourceTypes);
  });

  test('cdktn synth of the README stage-by-stage example applies offline: the local stages build a qcow2', () => {
    // GIVEN the README's second example in a stack importing cdktn, with a Debian VM Dockerfile as ./app
    const [, fragment] = readmeTypeScriptBlocks(README_SECTION);
    const project = path.join(app, 'local');
    writeCdktfProject(project, stackProgram('cdktn', 'cdktn-docker-vm', 'LocalStack', fragment, 'local'));
    cpSync(DEBIAN_FIXTURE, path.join(project, 'app'), { recursive: true });
    mustRun('npx', ['cdktn', 'synth'], { cwd: project, env: { ...CLI_ENV, ...node22 } });
    const json = stackJson(project, 'local');
    stageResources(json, path.join(app, 'node_modules', 'cdktn-docker-vm', 'lib', 'builder', 'cli.js'));
    const tf = new Terraform(path.join(project, 'cdktf.out', 'stacks', 'local'), { ...node22, CDKTF_DOCKER_VM_CACHE_DIR: path.join(work, 'cache') });
    // WHEN
    tf.init();
    tf.apply();
    // THEN
    expect(appliedImageInfo(tf)).toEqual({ format: 'qcow2', virtualSize: 4 * 1024 ** 3 });
  });

  test('the local stages synthesize to the same stage resources and spec files with cdktf and with cdktn', () => {
    // GIVEN the stack of the test before (cdktn), and the same stack synthesized with cdktf and the repository's lib/
    const [, fragment] = readmeTypeScriptBlocks(README_SECTION);
    const cdktnProject = path.join(app, 'local');
    const cdktfProject = path.join(work, 'cdktf', 'local');
    cpSync(DEBIAN_FIXTURE, path.join(cdktfProject, 'app'), { recursive: true });
    // WHEN
    synthWithRepoLib(cdktfProject, stackProgram('cdktf', path.join(REPO, 'lib'), 'LocalStack', fragment, 'local'));
    // THEN
    const cdktn = stackJson(cdktnProject, 'local');
    const cdktf = stackJson(cdktfProject, 'local');
    expect(stageResources(cdktn, path.join(app, 'node_modules', 'cdktn-docker-vm', 'lib', 'builder', 'cli.js')))
      .toEqual(stageResources(cdktf, path.join(REPO, 'lib', 'builder', 'cli.js')));
    expect(cdktn.output).toEqual(cdktf.output);
    expect(Object.keys(cdktn.resource)).toEqual(['terraform_data']);
    expect(specFiles(cdktnProject, 'local')).toEqual(specFiles(cdktfProject, 'local'));
  });

  test('the README DockerVm example synthesizes to the same DigitalOcean and stage resources with cdktf and with cdktn', () => {
    // GIVEN the README's first example without the prebuilt provider, with its ./app context, in both frameworks
    const cdktnProject = path.join(app, 'web');
    const cdktfProject = path.join(work, 'cdktf', 'web');
    for (const project of [cdktnProject, cdktfProject]) {
      cpSync(path.join(REPO, 'examples/digitalocean/app'), path.join(project, 'app'), { recursive: true });
    }
    // WHEN
    writeCdktfProject(cdktnProject, dockerVmProgram('cdktn', 'cdktn-docker-vm'));
    mustRun('npx', ['cdktn', 'synth'], { cwd: cdktnProject, env: { ...CLI_ENV, ...node22 } });
    synthWithRepoLib(cdktfProject, dockerVmProgram('cdktf', path.join(REPO, 'lib')));
    // THEN
    const cdktn = stackJson(cdktnProject, 'web');
    const cdktf = stackJson(cdktfProject, 'web');
    expect(Object.keys(cdktn.resource).sort()).toEqual(['digitalocean_custom_image', 'digitalocean_droplet', 'digitalocean_spaces_bucket', 'terraform_data']);
    expect(digitaloceanResources(cdktn)).toEqual(digitaloceanResources(cdktf));
    expect(cdktn.terraform.required_providers).toEqual(cdktf.terraform.required_providers);
    expect(cdktn.provider).toEqual(cdktf.provider);
    expect(cdktn.terraform.required_providers.digitalocean.source).toBe('digitalocean/digitalocean');
    expect(stageResources(cdktn, path.join(app, 'node_modules', 'cdktn-docker-vm', 'lib', 'builder', 'cli.js')))
      .toEqual(stageResources(cdktf, path.join(REPO, 'lib', 'builder', 'cli.js')));
    expect(specFiles(cdktnProject, 'web')).toEqual(specFiles(cdktfProject, 'web'));
  });
});
