import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { planConvert } from './plan';
import { checkConvertedImage, preflightError } from '../check/run';
import { CacheEntry } from '../common/cache';
import { Progress } from '../common/progress';
import { ToolRunner } from '../common/tools';
import { DISK_RAW } from '../disk/run';
import { ConvertSpec } from '../spec';

export async function runConvert(spec: ConvertSpec, bootable: CacheEntry, tmpDir: string, tools: ToolRunner, progress: Progress) {
  const plan = planConvert(spec.format, spec.compression, path.join(bootable.dir, DISK_RAW), tmpDir);
  progress.step('convert', `${spec.format}${spec.compression === 'none' ? '' : ` + ${plan.compress!.tool}`}`);
  await tools.run(plan.convert);
  const uncompressed = plan.compress ? plan.compress.args[plan.compress.args.length - 1] : plan.artifact;
  if (plan.compress) await tools.run(plan.compress);
  if (spec.preflight === 'digitalocean') {
    progress.step('convert', 'checking the image against DigitalOcean\'s rules');
    const checked = await checkConvertedImage(plan.artifact, uncompressed, path.join(bootable.dir, DISK_RAW), tools);
    if (!checked.ok) throw preflightError(checked);
  }
  if (plan.compress) rmSync(uncompressed);
  return { files: [path.basename(plan.artifact)], meta: { format: spec.format, compression: spec.compression } };
}
