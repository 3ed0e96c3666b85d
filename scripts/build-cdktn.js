// Builds `cdktn-docker-vm`, the CDK Terrain (cdktn) package, from this repository's src/.
//
// cdktn (the maintained fork of cdktf) has the same construct API under another
// import path, so the second package is the same source with one import rewritten:
// 'cdktf' -> 'cdktn' (and 'cdktf/lib/...' -> 'cdktn/lib/...'). The builder, the CLI
// (bin `cdktf-docker-vm`, the name the spec files and the docs use) and the spec
// files are the same in both packages.
//
//   build/cdktn/            src/ (rewritten), tsconfig.json, bin/, README.md, LICENSE,
//                           package.json, node_modules/ (cdktn, constructs, the bundled deps)
//   dist/js/cdktn-docker-vm@VERSION.jsii.tgz      the packed package (beside cdktf-docker-vm's)
//
// Usage: node scripts/build-cdktn.js   (projen task `package:cdktn`)
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'build', 'cdktn');
const DIST = path.join(ROOT, 'dist', 'js');
const NAME = 'cdktn-docker-vm';

// The cdktn release the package is compiled and tested against, and a constructs
// release inside cdktn's peer range (cdktn 0.24.0 wants constructs >=10.6.0 <10.8.0).
const CDKTN_VERSION = '0.24.0';
const CONSTRUCTS_VERSION = '10.7.2';
const CDKTN_PEER_RANGE = '>=0.22.0 <1';

/** A module specifier naming cdktf or a file in it: 'cdktf', 'cdktf/lib/...'. */
const CDKTF_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(['"])cdktf(\/[^'"]*)?\2/g;
/** Anything still naming cdktf's packages after the rewrite (e.g. '@cdktf/provider-...'), which has no cdktn twin here. */
const LEFTOVER = /(\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(['"])(cdktf(\/[^'"]*)?|@cdktf\/[^'"]*)\2/;

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) fail(`${cmd} ${args.join(' ')} did not start: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited ${r.status} in ${cwd}:\n${r.stdout}`);
  return r.stdout;
}

function fail(message) {
  process.stderr.write(`build-cdktn: ${message}\n`);
  process.exit(1);
}

/** Copies src/ into the build directory with the framework import rewritten; returns how many specifiers changed. */
function copySource(from, to) {
  let rewritten = 0;
  const leftovers = [];
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      const sub = copySource(source, target);
      rewritten += sub.rewritten;
      leftovers.push(...sub.leftovers);
      continue;
    }
    if (!entry.name.endsWith('.ts')) {
      fs.copyFileSync(source, target);
      continue;
    }
    const text = fs.readFileSync(source, 'utf8').replace(CDKTF_SPECIFIER, (_m, lead, quote, subpath) => {
      rewritten++;
      return `${lead}${quote}cdktn${subpath ?? ''}${quote}`;
    });
    text.split('\n').forEach((line, i) => {
      if (LEFTOVER.test(line)) leftovers.push(`${path.relative(ROOT, source)}:${i + 1}: ${line.trim()}`);
    });
    fs.writeFileSync(target, text);
  }
  return { rewritten, leftovers };
}

/** README.md with a note on top and the examples' imports naming the cdktn packages. */
function readme() {
  const original = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const examples = original
    .replace(/from 'cdktf'/g, "from 'cdktn'")
    .replace(/from 'cdktf-docker-vm'/g, `from '${NAME}'`);
  return [
    `> **${NAME}** is the CDK Terrain (cdktn >= 0.22) build of cdktf-docker-vm: the same constructs, builder and`,
    `> \`cdktf-docker-vm\` CLI, compiled against \`cdktn\` instead of \`cdktf\`. Install \`${NAME}\` with \`cdktn\` and`,
    `> \`constructs\`, and import from \`'${NAME}'\` and \`'cdktn'\`. Where this README says cdktf, read cdktn.`,
    '',
    examples,
  ].join('\n');
}

function packageJson(root) {
  const { version, license, author, repository, dependencies, bundledDependencies, jsii } = root;
  return {
    'name': NAME,
    'description': 'CDK Terrain (cdktn) constructs that turn Dockerfiles into bootable VM images and DigitalOcean Droplets, built rootless',
    version,
    license,
    author,
    repository,
    'keywords': ['cdktn', 'cdk-terrain', 'terraform', 'docker', 'vm', 'digitalocean', 'qemu', 'disk-image'],
    'bin': root.bin,
    'main': 'lib/index.js',
    'types': 'lib/index.d.ts',
    'files': ['lib/**/*.js', 'lib/**/*.d.ts', 'bin/', '.jsii', 'README.md', 'LICENSE'],
    // cdktn's CLI needs Node >= 22.19
    'engines': { node: '^22.19.0 || ^24.0.0' },
    'peerDependencies': { cdktn: CDKTN_PEER_RANGE, constructs: root.peerDependencies.constructs },
    dependencies,
    bundledDependencies,
    'devDependencies': { cdktn: CDKTN_VERSION, constructs: CONSTRUCTS_VERSION },
    'stability': root.stability,
    jsii,
    '//': `Written by scripts/build-cdktn.js from ${root.name}'s package.json; do not edit.`,
  };
}

function main() {
  const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

  // Start from a clean tree; keep node_modules so a rebuild does not download again.
  fs.mkdirSync(OUT, { recursive: true });
  for (const entry of fs.readdirSync(OUT)) {
    if (entry !== 'node_modules') fs.rmSync(path.join(OUT, entry), { recursive: true, force: true });
  }

  const { rewritten, leftovers } = copySource(path.join(ROOT, 'src'), path.join(OUT, 'src'));
  if (leftovers.length > 0) {
    fail(`src/ still imports cdktf packages that have no cdktn counterpart:\n  ${leftovers.join('\n  ')}`);
  }
  if (rewritten === 0) fail("src/ imports nothing from 'cdktf': the rewrite pattern no longer matches the source");
  process.stderr.write(`build-cdktn: rewrote ${rewritten} 'cdktf' imports to 'cdktn'\n`);

  fs.cpSync(path.join(ROOT, 'bin'), path.join(OUT, 'bin'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'LICENSE'), path.join(OUT, 'LICENSE'));
  fs.copyFileSync(path.join(ROOT, 'tsconfig.json'), path.join(OUT, 'tsconfig.json'));
  fs.writeFileSync(path.join(OUT, 'README.md'), readme());
  fs.writeFileSync(path.join(OUT, 'package.json'), JSON.stringify(packageJson(root), undefined, 2) + '\n');

  // cdktn, constructs and the bundled dependencies in the package's own node_modules
  // (npm pack takes bundled dependencies from there); the rest (jsii, typescript,
  // @types/node) resolves from the repository's node_modules.
  process.stderr.write('build-cdktn: npm install\n');
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], OUT);

  process.stderr.write('build-cdktn: jsii\n');
  run(process.execPath, [require.resolve('jsii/bin/jsii', { paths: [ROOT] }), '--silence-warnings=reserved-word'], OUT);
  if (!fs.existsSync(path.join(OUT, '.jsii'))) fail('jsii wrote no .jsii assembly');

  fs.mkdirSync(DIST, { recursive: true });
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', DIST], OUT));
  const tarball = path.join(DIST, `${NAME}@${root.version}.jsii.tgz`);
  fs.renameSync(path.join(DIST, packed.filename), tarball);
  process.stdout.write(`${tarball}\n`);
}

main();
