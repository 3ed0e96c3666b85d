import type { ConvertMeta } from './meta';
import { artifactFileName } from './plan';
import { runConvert } from './run';
import type { BootloaderMeta } from '../bootloader/meta';
import { StageDefinition } from '../common/stage-definition';
import { ConvertSpec } from '../spec';

/** The bootable disk in the asked format and compression, checked against a cloud's rules if asked. */
export const convertStage: StageDefinition<ConvertSpec, { bootloader: BootloaderMeta }, ConvertMeta> = {
  name: 'convert',
  upstream: spec => ({ bootloader: spec.bootloader }),
  tools: spec => {
    const compressor = spec.compression === 'bzip2' ? ['bzip2'] : spec.compression === 'gzip' ? ['gzip'] : [];
    const preflight = spec.preflight ? ['qemu-img', 'sfdisk', 'debugfs', 'mdir'] : [];
    return [...(spec.format === 'raw' ? [] : ['qemu-img']), ...compressor, ...preflight];
  },
  inputs: spec => ({
    // a checked artifact is a different cache entry: an unchecked one must not satisfy a checked build
    options: { format: spec.format, compression: spec.compression, ...(spec.preflight ? { preflight: spec.preflight } : {}) },
  }),
  artifact: spec => artifactFileName(spec.format, spec.compression),
  mapPaths: (spec, _map, mapUpstream) => ({ ...spec, bootloader: mapUpstream(spec.bootloader) }),
  run: (spec, upstream, ctx) => runConvert(spec, upstream.bootloader, ctx),
};
