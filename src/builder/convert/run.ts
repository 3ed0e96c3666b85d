import { rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { chooseGzipTool, isInstalled, planConvert } from './plan';
import { fixVmdkCid } from './vmdk-cid';
import { checkConvertedImage, preflightError } from '../check/run';
import { CacheEntry } from '../common/cache';
import { derivedHex32 } from '../common/ids';
import { Progress } from '../common/progress';
import { ToolRunner } from '../common/tools';
import { DISK_RAW } from '../disk/run';
import { ConvertSpec } from '../spec';

export async function runConvert(spec: ConvertSpec, bootable: CacheEntry, tmpDir: string, tools: ToolRunner, progress: Progress) {
  const inputRaw = path.join(bootable.dir, DISK_RAW);
  const gzipTool = chooseGzipTool(statSync(inputRaw).blocks * 512, isInstalled);
  const plan = planConvert(spec.format, spec.compression, inputRaw, tmpDir, gzipTool);
  progress.step('convert', `${spec.format}${spec.compression === 'none' ? '' : ` + ${plan.compress!.tool}`}`);
  await tools.run(plan.convert);
  if (spec.format === 'vmdk') fixVmdkCid(plan.convert.args[plan.convert.args.length - 1], derivedHex32(bootable.fingerprint, 'vmdk-cid'));
  const uncompressed = plan.compress ? plan.compress.args[plan.compress.args.length - 1] : plan.artifact;
  if (plan.compress) await tools.run(plan.compress);
  if (spec.preflight === 'digitalocean') {
    progress.step('convert', 'checking the image against DigitalOcean\'s rules');
    const checked = await checkConvertedImage(plan.artifact, uncompressed, path.join(bootable.dir, DISK_RAW), tools);
    if (!checked.ok) throw preflightError(checked);
  }
  if (plan.compress) rmSync(uncompressed);
  const meta = { format: spec.format, compression: spec.compression, compressor: plan.compress?.tool ?? null };
  return { files: [path.basename(plan.artifact)], meta };
}
