import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigDriveInput, planConfigDrive } from './config-drive';
import { ToolRunner } from '../common/tools';

/** Writes the drive's files into `stagingDir` and makes the ISO `isoFile` from them. */
export async function writeConfigDriveIso(input: ConfigDriveInput, stagingDir: string, isoFile: string, tools: ToolRunner): Promise<void> {
  const plan = planConfigDrive(input, stagingDir, isoFile);
  for (const f of plan.files) {
    const target = path.join(stagingDir, f.path);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, f.content);
  }
  await tools.run(plan.call);
}
