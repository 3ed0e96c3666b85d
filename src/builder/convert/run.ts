import { rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { ConvertMeta } from './meta';
import { chooseGzipTool, isInstalled, planConvert } from './plan';
import { fixVmdkCid } from './vmdk-cid';
import type { BootloaderMeta } from '../bootloader/meta';
import { checkConvertedImage, preflightError } from '../check/run';
import { derivedHex32 } from '../common/ids';
import { StageInput, StageOutput, StageRunContext } from '../common/stage-definition';
import { ConvertSpec } from '../spec';

export async function runConvert(spec: ConvertSpec, bootable: StageInput<BootloaderMeta>, ctx: StageRunContext): Promise<StageOutput<ConvertMeta>> {
  const { tools, progress } = ctx;
  const inputRaw = bootable.artifact;
  const gzipTool = chooseGzipTool(statSync(inputRaw).blocks * 512, isInstalled);
  const plan = planConvert(spec.format, spec.compression, inputRaw, ctx.tmpDir, gzipTool);
  progress.step('convert', `${spec.format}${spec.compression === 'none' ? '' : ` + ${plan.compress!.tool}`}`);
  await tools.run(plan.convert);
  if (spec.format === 'vmdk') fixVmdkCid(plan.convert.args[plan.convert.args.length - 1], derivedHex32(bootable.entry.fingerprint, 'vmdk-cid'));
  const uncompressed = plan.compress ? plan.compress.args[plan.compress.args.length - 1] : plan.artifact;
  if (plan.compress) await tools.run(plan.compress);
  if (spec.preflight === 'digitalocean') {
    progress.step('convert', 'checking the image against DigitalOcean\'s rules');
    const checked = await checkConvertedImage(plan.artifact, uncompressed, inputRaw, tools);
    if (!checked.ok) throw preflightError(checked);
  }
  if (plan.compress) rmSync(uncompressed);
  const meta = { format: spec.format, compression: spec.compression, compressor: plan.compress?.tool ?? null };
  return { files: [path.basename(plan.artifact)], meta };
}
