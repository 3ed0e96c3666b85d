import * as path from 'node:path';
import type { RootfsMeta } from './meta';
import { runRootfs } from './run';
import { hashBuildContext, hashInputFile } from '../common/context-hash';
import { InputFiles, StageDefinition } from '../common/stage-definition';
import { RootfsSourceSpec, RootfsSpec } from '../spec';

/** A root filesystem tar, from a Dockerfile, an image or a tar, with the VM layer if asked. */
export const rootfsStage: StageDefinition<RootfsSpec, Record<never, never>, RootfsMeta> = {
  name: 'rootfs',
  upstream: () => ({}),
  tools: spec => {
    // a tar only meets docker when a VM layer may have to be built on it
    const injects = spec.vm !== undefined && spec.vm.inject !== 'never';
    return spec.source.kind === 'tar' && !injects ? ['cp'] : ['docker', 'cp'];
  },
  // the VM layer (injection, profile, app service) is part of the rootfs
  inputs: (spec, files) => ({ ...sourceInputs(spec.source, files), vm: spec.vm ?? null }),
  artifact: () => 'rootfs.tar',
  mapPaths: (spec, map) => ({ ...spec, source: mapSourcePaths(spec.source, map) }),
  run: (spec, _upstream, ctx) => runRootfs(spec, ctx),
};

function sourceInputs(src: RootfsSourceSpec, files: InputFiles): Record<string, unknown> {
  switch (src.kind) {
    case 'dockerfile': {
      const digests = hashBuildContext(src, files.baseDir, files.hashes);
      return { dockerfile: digests.dockerfile, context: digests.context, build_args: src.buildArgs, target: src.target ?? null };
    }
    case 'image':
      return { image: src.reference };
    case 'tar':
      return { tar: hashInputFile(path.resolve(files.baseDir, src.path), 'source.path', files.hashes) };
  }
}

function mapSourcePaths(src: RootfsSourceSpec, map: (p: string) => string): RootfsSourceSpec {
  switch (src.kind) {
    case 'dockerfile': return { ...src, contextDir: map(src.contextDir) };
    case 'tar': return { ...src, path: map(src.path) };
    case 'image': return src;
  }
}
