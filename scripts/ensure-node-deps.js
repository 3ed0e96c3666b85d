// Installs the npm dependencies when node_modules is missing or older than
// package-lock.json, so `npm test` and `npm run demo` work from a fresh clone.
// `npm install` keeps the locked versions and, unlike `npm ci`, does not
// delete a node_modules that is only partly stale.
const { existsSync, statSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
const fresh = existsSync(marker) && existsSync(path.join(root, 'node_modules', '.bin', 'projen'))
  && statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
if (!fresh) {
  process.stderr.write('setup: installing npm dependencies (npm install, locked versions)\n');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
