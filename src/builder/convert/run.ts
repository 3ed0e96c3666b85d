import { rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { gzipInMembers } from './gzip-members';
import type { ConvertMeta } from './meta';
import { writePackage } from './packages';
import { chooseGzipTool, isInstalled, planConvert } from './plan';
import { fixVmdkCid } from './vmdk-cid';
import type { BootloaderMeta } from '../bootloader/meta';
import { checkConvertedImage, preflightError } from '../check/run';
import { SpecError } from '../common/errors';
import { derivedHex32 } from '../common/ids';
import { StageInput, StageOutput, StageRunContext } from '../common/stage-definition';
import { ConvertSpec, compressionProblem, diskFormatInside } from '../spec';

export async function runConvert(spec: ConvertSpec, bootable: StageInput<BootloaderMeta>, ctx: StageRunContext): Promise<StageOutput<ConvertMeta>> {
  const { tools, progress } = ctx;
  const inputRaw = bootable.artifact;
  const problem = compressionProblem(spec.format, spec.compression);
  if (problem) throw new SpecError(`convert spec: ${problem}`);
  const plan = planConvert(spec.format, spec.compression, inputRaw, ctx.tmpDir, chooseGzipTool(isInstalled));
  const compressor = plan.gzip ?? plan.bzip2?.tool;
  progress.step('convert', `${spec.format}${compressor ? ` + ${compressor}` : ''}`);
  if (plan.convert) await tools.run(plan.convert);
  if (diskFormatInside(spec.format) === 'vmdk') fixVmdkCid(plan.image, derivedHex32(bootable.entry.fingerprint, 'vmdk-cid'));
  if (plan.packager) {
    progress.step('convert', `writing the ${spec.format} package`);
    writePackage(plan.packager, {
      disk: plan.image,
      output: plan.artifact,
      virtualBytes: statSync(inputRaw).size,
      firmware: bootable.meta.firmware ?? 'bios',
      name: `cdktf-docker-vm-${bootable.entry.fingerprint.slice(0, 12)}`,
    });
  }
  if (plan.gzip) {
    const report = percentSteps(percent => progress.step('convert', `${plan.gzip} ${percent}%`));
    await gzipInMembers({ input: plan.image, output: plan.artifact, tool: plan.gzip, tools, onProgress: report });
  }
  if (plan.bzip2) await tools.run(plan.bzip2);
  if (spec.preflight === 'digitalocean') {
    progress.step('convert', 'checking the image against DigitalOcean\'s rules');
    const checked = await checkConvertedImage(plan.artifact, plan.image, inputRaw, tools);
    if (!checked.ok) throw preflightError(checked);
  }
  // the temporary uncompressed image only: never the bootable disk, which is the upstream cache entry's
  if (plan.convert && plan.image !== plan.artifact) rmSync(plan.image);
  const meta = { format: spec.format, compression: spec.compression, compressor: compressor ?? null };
  return { files: [path.basename(plan.artifact)], meta };
}

/** Calls `step` with 10, 20, ... as the done fraction passes each tenth. */
function percentSteps(step: (percent: number) => void): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const percent = total ? Math.floor((done / total) * 10) * 10 : 100;
    if (percent > last) step(last = percent);
  };
}
