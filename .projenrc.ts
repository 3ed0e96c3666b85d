import { cdktf, javascript, JsonFile } from 'projen';

const project = new cdktf.ConstructLibraryCdktf({
  name: 'cdktf-docker-vm',
  description: 'CDK for Terraform constructs that turn Dockerfiles into bootable VM images and DigitalOcean Droplets, built rootless',
  author: 'cdktf-docker-vm developers',
  authorAddress: 'dev@cdktf-docker-vm.invalid',
  repositoryUrl: 'https://github.com/cdktf-docker-vm/cdktf-docker-vm.git',
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  license: 'Apache-2.0',
  keywords: ['cdktf', 'terraform', 'docker', 'vm', 'digitalocean', 'qemu', 'disk-image'],

  cdktfVersion: '0.21.0',
  constructsVersion: '^10.4.2',
  jsiiVersion: '~5.9',
  typescriptVersion: '~5.9',
  minNodeVersion: '20.0.0',
  // not jsii modules, so they ship inside the package: zod (spec schemas), the AWS SDK's S3 client and
  // multipart Upload (Spaces speaks S3; the maintained client does retries, signing and part bookkeeping)
  bundledDeps: ['zod@^4', '@aws-sdk/client-s3@^3', '@aws-sdk/lib-storage@^3'],
  // @cdktf/provider-digitalocean: only the tests, which compare the library's own bindings with the archived prebuilt ones
  // s3rver: a third-party S3 implementation the upload tests talk to on 127.0.0.1
  // cdktf-cli: `npx cdktf deploy` in examples/ and the consumer test's app use the CLI of the tested cdktf version
  devDeps: ['@cdktf/provider-digitalocean@13.14.1', 'ts-node@^10.9.2', 's3rver@^3', 'cdktf-cli@0.21.0'],
  bin: { 'cdktf-docker-vm': 'bin/cdktf-docker-vm' },

  // No hosted CI or release automation: `.ci/run` is the CI.
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  docgen: true,

  jestOptions: {
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
    },
  },
  tsconfigDev: { compilerOptions: {}, include: ['../examples/**/*.ts', '../bench/**/*.ts'] },
});

// The Node versions the tests run on (test/integ/node-versions.integ.ts, test/integ/consumer.integ.ts).
project.package.addEngine('node', '^20.0.0 || ^22.0.0 || ^24.0.0');

project.npmignore?.exclude('/examples/', '/bench/', '/scripts/', '/.ci/', '/build/');
project.gitignore.exclude('/build/', '/.cache/', '/examples/*/cdktf.out/', '/bench/work/', '*.qcow2', '*.img', '*.tfstate', '*.tfstate.*', '.terraform*');

// Tar headers, file modes and UUID bits are bit fields.
project.eslint?.addRules({ 'no-bitwise': 'off' });

// Builder layer stays free of cdktf so it can run (and be ported) without it.
project.eslint?.addOverride({
  files: ['src/builder/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [
        { group: ['cdktf', 'cdktf/*', '@cdktf/*', 'constructs'], message: 'the builder must not import cdktf or constructs' },
        { group: ['**/constructs/**'], message: 'the builder must not import the construct layer' },
      ],
    }],
  },
});

// Constructs may use the builder only through its spec types, the stage registry and the fingerprints (none runs a tool).
project.eslint?.addOverride({
  files: ['src/constructs/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [{
        group: ['**/builder/*', '!**/builder/spec', '!**/builder/stages', '!**/builder/fingerprints', '!**/builder/clouds'],
        message: 'constructs import only builder/spec, builder/stages, builder/fingerprints and a cloud\'s facts (builder/clouds/*/facts)',
      }],
    }],
  },
});

// An import circle makes load order matter and hides which layer depends on which.
project.eslint?.addRules({ 'import/no-cycle': ['error', { ignoreExternal: true }] });

// projen's default pattern would take src/builder/spec.ts for a test file.
project.tryFindObjectFile('package.json')?.addOverride('jest.testMatch', ['<rootDir>/test/**/*.test.ts']);

// Integration tests: real docker, mke2fs, mtools, syslinux, qemu-img, QEMU and terraform.
new JsonFile(project, 'jest.integ.json', {
  obj: {
    testMatch: ['<rootDir>/test/integ/**/*.integ.ts'],
    testEnvironment: 'node',
    testTimeout: 900_000,
    maxWorkers: 1,
    setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
    transform: { '^.+\\.[t]sx?$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }] },
  },
});

const setupHost = project.addTask('setup:host', {
  description: 'Install the Debian host tools, start dockerd and make the debian:bookworm base image when missing',
  exec: 'bash scripts/setup-host.sh',
});

project.addTask('test:unit', {
  description: 'Unit and synth tests only (no host tools needed)',
  exec: 'jest --passWithNoTests=false',
  receiveArgs: true,
});

const integ = project.addTask('test:integ', {
  description: 'Integration tests: real builds, terraform apply and QEMU boots',
  exec: 'jest --config jest.integ.json --runInBand --passWithNoTests=false',
  receiveArgs: true,
});
integ.prependSpawn(setupHost);
integ.prependSpawn(project.compileTask);

project.testTask.reset();
project.testTask.exec('jest --passWithNoTests=false --coverage=false');
project.testTask.spawn(project.tasks.tryFind('eslint')!);
project.testTask.spawn(integ);

project.addTask('demo', {
  description: 'Build examples/hello-vm to qcow2, boot it in QEMU to the login prompt, print the stage table',
  steps: [
    { spawn: setupHost.name },
    { spawn: project.compileTask.name },
    { exec: 'bash scripts/demo.sh' },
  ],
});

// The CDK Terrain package, `cdktn-docker-vm`: the same src/ with 'cdktf' imports rewritten to 'cdktn', compiled
// with jsii in build/cdktn/ and packed beside the cdktf package (dist/js/cdktn-docker-vm@VERSION.jsii.tgz).
const packageCdktn = project.addTask('package:cdktn', {
  description: 'Build and pack cdktn-docker-vm, the cdktn (CDK Terrain) build of this library, into dist/js',
  exec: 'node scripts/build-cdktn.js',
});
project.tasks.tryFind('package-all')?.spawn(packageCdktn);

// Benchmarks against the loop-device route (needs root); not part of `npm test`.
project.addTask('bench', {
  description: 'Benchmark the reference image against the classic loop-device route and mke2fs alone; writes bench/results.md',
  steps: [
    { spawn: setupHost.name },
    { exec: 'bash bench/setup.sh' },
    { spawn: project.compileTask.name },
    { exec: 'ts-node --transpile-only --project test/tsconfig.json bench/run.ts' },
  ],
});

// `npm test` and `npm run demo` work from a fresh clone: npm runs these first.
const installNodeDeps = 'node scripts/ensure-node-deps.js';
project.package.setScript('pretest', installNodeDeps);
project.package.setScript('predemo', installNodeDeps);

project.synth();
