// Installs the npm dependencies when node_modules is missing or older than
// package-lock.json, so `npm test` and `npm run demo` work from a fresh clone.
// `npm install` (which keeps the locked versions) rather than `npm ci`: npm ci
// refuses a lock without entries for optional platform packages
// (@unrs/resolver-binding-*) that the registry does not serve at that version.
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
