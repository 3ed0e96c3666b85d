import * as path from 'node:path';
import { ToolCall } from '../common/tools';
import { RootfsSourceSpec, RootfsSpec } from '../spec';

export interface RootfsPlan {
  /** `docker build` for a Dockerfile source. */
  readonly build?: ToolCall;
  /** File docker writes the built image id to. */
  readonly iidFile?: string;
  /** Image to export, when it is known before the build. */
  readonly imageRef?: string;
  /** An existing rootfs tar to take as is. */
  readonly tarPath?: string;
}

/** Decides the docker calls for a rootfs spec. No I/O. */
export function planRootfs(spec: RootfsSpec, baseDir: string, tmpDir: string): RootfsPlan {
  const src = spec.source;
  switch (src.kind) {
    case 'dockerfile': {
      const contextDir = path.resolve(baseDir, src.contextDir);
      const iidFile = path.join(tmpDir, 'image-id');
      const buildArgs = Object.keys(src.buildArgs).sort().flatMap(k => ['--build-arg', `${k}=${src.buildArgs[k]}`]);
      return {
        iidFile,
        build: {
          tool: 'docker',
          args: [
            'build', '--iidfile', iidFile,
            '--file', path.resolve(contextDir, src.dockerfile),
            // the legacy builder keeps the container of a failed step otherwise; BuildKit ignores it
            '--force-rm',
            ...buildArgs,
            ...(src.target ? ['--target', src.target] : []),
            '--', contextDir,
          ],
          failureHint: 'docker build failed: the lines above are the end of its output; fix the failing step in the Dockerfile',
        },
      };
    }
    case 'image':
      return { imageRef: src.reference };
    case 'tar':
      return { tarPath: path.resolve(baseDir, src.path) };
  }
}

/** `label` is this builder's KEY=VALUE (see docker-leftovers.ts), so a killed run's container can be found and removed later. */
export function exportCalls(
  image: string, containerName: string, outTar: string, label: string,
): { create: ToolCall; export: ToolCall; remove: ToolCall } {
  return {
    // The container is never started; the command only has to exist for `create`.
    create: { tool: 'docker', args: ['create', '--name', containerName, '--label', label, '--entrypoint', '/bin/true', '--', image] },
    export: { tool: 'docker', args: ['export', '--output', outTar, containerName] },
    remove: { tool: 'docker', args: ['rm', '--force', containerName] },
  };
}

/**
 * The source as the VM's app service describes it (`the image built from web/Dockerfile`,
 * `image app:1.4`, `rootfs tar rootfs.tar`): no path above the build context, which
 * for a synthesized spec would be `../../../..` and the same in every VM.
 */
export function imageNameOf(source: RootfsSourceSpec, baseDir: string): string {
  switch (source.kind) {
    case 'dockerfile': {
      const dockerfile = path.posix.normalize(source.dockerfile.split(path.sep).join('/'));
      const shown = dockerfile.startsWith('../') ? path.posix.basename(dockerfile) : dockerfile;
      return `the image built from ${path.basename(path.resolve(baseDir, source.contextDir))}/${shown}`;
    }
    case 'image': return `image ${source.reference}`;
    case 'tar': return `rootfs tar ${path.basename(source.path)}`;
  }
}
