import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

let cachedCliPath: string | undefined;

/** This library's npm package names: for cdktf, and for cdktn (built from the same source by scripts/build-cdktn.js). */
const PACKAGE_NAMES: readonly string[] = ['cdktf-docker-vm', 'cdktn-docker-vm'];

/**
 * Absolute path of the builder CLI (`lib/builder/cli.js`) of this package.
 * Found from the package root, so it is the same whether the constructs run
 * from `lib/` (installed) or from `src/` (ts-node, jest).
 */
export function builderCliPath(): string {
  if (cachedCliPath) return cachedCliPath;
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (PACKAGE_NAMES.includes(JSON.parse(readFileSync(pkg, 'utf8')).name)) {
          cachedCliPath = path.join(dir, 'lib', 'builder', 'cli.js');
          return cachedCliPath;
        }
      } catch {
        // not our package.json: keep looking upwards
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  cachedCliPath = path.resolve(__dirname, '..', '..', 'builder', 'cli.js');
  return cachedCliPath;
}
