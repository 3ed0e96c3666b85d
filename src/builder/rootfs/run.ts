import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { analyzeRootfs } from './analyze';
import { removeStaleLeftovers, temporaryLabel } from './docker-leftovers';
import { recordEntries } from './entries';
import { clearHardLinkTypeBits } from './hardlink-headers';
import { ImageConfig } from './image-config';
import { RootfsMeta, VmSetupFacts } from './meta';
import { exportCalls, imageNameOf, planRootfs } from './plan';
import { checkDockerEngine } from '../common/docker-engine';
import { BuilderError, ToolFailedError } from '../common/errors';
import { Progress, formatBytes } from '../common/progress';
import { StageOutput, StageRunContext } from '../common/stage-definition';
import { entriesByPath, indexTar } from '../common/tar-index';
import { ToolRunner } from '../common/tools';
import { RootfsSourceSpec, RootfsSpec } from '../spec';
import { detectComponents } from './vm/components';
import { checkVmParts, planVmSetup } from './vm/plan';
import { buildDerivedImage, importTar, removeImages } from './vm/run';

/** Bounded but generous: a loaded engine can take many seconds to create or remove a container. */
const CONTAINER_CALL_TIMEOUT_MS = 5 * 60_000;

/** Writes the rootfs tar (`ctx.artifact`) and returns the stage facts. */
export async function runRootfs(spec: RootfsSpec, ctx: StageRunContext): Promise<StageOutput<RootfsMeta>> {
  const { tmpDir, tools, progress } = ctx;
  const plan = planRootfs(spec, ctx.baseDir, tmpDir);
  const outTar = ctx.artifact;
  let imageConfig: ImageConfig | undefined;
  let image: string | undefined;
  const temporaryImages: string[] = [];
  try {
    if (plan.tarPath) {
      progress.step('rootfs', `reading ${plan.tarPath}`);
      indexTar(plan.tarPath); // fails early on a file that is not a complete tar
      await tools.run({ tool: 'cp', args: ['--reflink=auto', '--sparse=always', '--', plan.tarPath, outTar] });
    } else {
      await prepareDocker(tools, progress);
      image = plan.imageRef!;
      if (plan.build) {
        progress.step('rootfs', `docker build ${(spec.source as { contextDir: string }).contextDir}`);
        await tools.run(plan.build, { stdoutIsLog: true, onStderrLine: line => progress.step('rootfs', `  ${line}`) });
        image = readFileSync(plan.iidFile!, 'utf8').trim();
      } else {
        await ensureImage(tools, image, progress);
      }
      imageConfig = await inspectImage(tools, image);
      await exportImage(image, outTar, tools, progress);
    }
    let index = indexTar(outTar);
    let facts = analyzeRootfs(outTar, index);
    let vm: VmSetupFacts | null = null;
    if (spec.vm) {
      const sourceName = describeSource(spec.source);
      const setup = planVmSetup({
        spec: spec.vm,
        osRelease: facts.osRelease,
        detected: detectComponents(entriesByPath(index), facts.kernel !== undefined),
        imageConfig,
        sourceName,
        imageName: imageNameOf(spec.source, ctx.baseDir),
      });
      if (setup) {
        for (const note of setup.notes) progress.step('rootfs', note);
        if (!image) {
          await prepareDocker(tools, progress);
          image = await importTar(outTar, tools);
          temporaryImages.push(image);
        }
        const derived = await buildDerivedImage(setup, image, tmpDir, tools, progress);
        temporaryImages.push(derived);
        rmSync(outTar, { force: true });
        await exportImage(derived, outTar, tools, progress);
        index = indexTar(outTar);
        facts = analyzeRootfs(outTar, index);
        checkVmParts(spec.vm.profile, detectComponents(entriesByPath(index), facts.kernel !== undefined), sourceName);
      }
      vm = { family: setup?.family ?? null, installed: setup?.install ?? [], notes: setup?.notes ?? [] };
    }
    const links = clearHardLinkTypeBits(outTar, index);
    if (links) progress.step('rootfs', `${links} hard-link headers given plain permission modes (mke2fs would make them empty files)`);
    progress.step('rootfs', `${facts.entries} entries, ${formatBytes(facts.dataBytes)} of data, kernel: ${facts.kernel ?? 'none'}`);
    return { files: [path.basename(outTar)], meta: { ...facts, imageConfig: imageConfig ?? null, vm, tarEntries: recordEntries(index, facts) } };
  } finally {
    await removeImages(temporaryImages, tools);
  }
}

async function exportImage(image: string, outTar: string, tools: ToolRunner, progress: Progress): Promise<void> {
  const name = `cdktf-docker-vm-export-${process.pid}-${randomBytes(4).toString('hex')}`;
  const calls = exportCalls(image, name, outTar, temporaryLabel());
  progress.step('rootfs', `docker export ${image.slice(0, 19)}`);
  try {
    // Not killed by Ctrl-C: a killed `docker create` client leaves the daemon to finish the
    // container after our removal ran. It takes a second; the abort is honoured right after.
    await tools.run(calls.create, { cleanup: true, timeoutMs: CONTAINER_CALL_TIMEOUT_MS });
    await tools.run(calls.export);
  } finally {
    // Also on Ctrl-C/SIGTERM (the abort kills the export): the container must not outlive the build.
    await tools.run(calls.remove, { cleanup: true, timeoutMs: CONTAINER_CALL_TIMEOUT_MS }).catch(() => undefined);
  }
}

function describeSource(source: RootfsSourceSpec): string {
  switch (source.kind) {
    case 'dockerfile': return `the image built from ${path.join(source.contextDir, source.dockerfile)}`;
    case 'image': return `image ${source.reference}`;
    case 'tar': return `rootfs tar ${source.path}`;
  }
}

/** The engine answers, and what killed runs of this tool left on it is gone (never fails the build). */
async function prepareDocker(tools: ToolRunner, progress: Progress): Promise<void> {
  await checkDockerEngine(tools);
  await removeStaleLeftovers(tools, progress).catch((e: Error) => progress.step('rootfs', `could not remove leftovers of killed runs: ${e.message.split('\n')[0]}`));
}

async function ensureImage(tools: ToolRunner, image: string, progress: Progress): Promise<void> {
  try {
    await tools.run({ tool: 'docker', args: ['image', 'inspect', '--format', '{{.Id}}', '--', image] });
    return;
  } catch (e) {
    if (!(e instanceof ToolFailedError)) throw e;
  }
  progress.step('rootfs', `pulling ${image}`);
  try {
    await tools.run({ tool: 'docker', args: ['pull', '--', image] }, { timeoutMs: 15 * 60_000 });
  } catch (e) {
    if (!(e instanceof ToolFailedError)) throw e;
    throw new BuilderError(
      `image ${image} is not on this machine and could not be pulled (${e.stderrTail.split('\n').pop()}); ` +
      'check the name and tag, build it first, or log in to its registry',
    );
  }
}

async function inspectImage(tools: ToolRunner, image: string): Promise<ImageConfig> {
  const { stdout } = await tools.run({ tool: 'docker', args: ['image', 'inspect', '--format', '{{json .Config}}', '--', image] });
  const c = JSON.parse(stdout) as { Entrypoint?: string[]; Cmd?: string[]; Env?: string[]; WorkingDir?: string; User?: string };
  return { entrypoint: c.Entrypoint ?? [], cmd: c.Cmd ?? [], env: c.Env ?? [], workingDir: c.WorkingDir ?? '', user: c.User ?? '' };
}
