/** `build`'s flags turned into a convert spec: the whole chain, as a construct would write it. */
import * as path from 'node:path';
import { CommandArgs, FlagTable, one } from '../cli-args';
import { SpecError } from '../common/errors';
import { choice, imageReference, readSizeMiB, wholeNumber } from '../flag-values';
import { outputFormat } from '../output-format';
import {
  DEFAULT_BOOT_PARTITION_MIB, FIRMWARES, INJECT_MODES, MIN_BOOT_PARTITION_MIB, PARTITION_TABLES, ROOT_FILESYSTEMS, RootfsSourceSpec, StageSpec,
  VM_PROFILES,
} from '../spec';

const MAX_DISK_MIB = 16 * 1024 * 1024;

/** A boot partition larger than 64 GiB is a typo (the kernel and initrd need about 100 MiB). */
const MAX_BOOT_MIB = 65536;

/** Relative paths are resolved against `cwd`; `output` comes back absolute. */
/** The flags that say what the rootfs is and how the VM layer is added: `build`'s, and `preview --virtiofs`'s. */
export const ROOTFS_SOURCE_FLAGS: FlagTable = {
  'dockerfile': 'value',
  'image': 'value',
  'tar': 'value',
  'context': 'value',
  'build-arg': 'repeatable',
  'target': 'value',
  'inject': 'value',
  'profile': 'value',
  'no-app-service': 'switch',
};

export function buildSpecFromArgs(args: CommandArgs, cwd: string): { spec: StageSpec; output: string } {
  const output = one(args, 'output');
  if (!output) throw new SpecError('--output FILE is required: where to write the image');
  const source = sourceFromArgs(args, cwd);
  const { format, compression } = outputFormat(output, one(args, 'format'), one(args, 'compress'));
  const bootSize = one(args, 'boot-size');
  const bootPartitionMiB = bootSize === undefined ? DEFAULT_BOOT_PARTITION_MIB : wholeNumber('boot-size', bootSize, MIN_BOOT_PARTITION_MIB, MAX_BOOT_MIB, '256');
  const firmware = choice('firmware', one(args, 'firmware') ?? 'bios', FIRMWARES);
  const rootFilesystem = choice('root-fs', one(args, 'root-fs') ?? 'ext4', ROOT_FILESYSTEMS);
  const profile = choice('profile', one(args, 'profile') ?? 'generic', VM_PROFILES);
  if (rootFilesystem === 'xfs' && profile === 'digitalocean') {
    throw new SpecError('--root-fs xfs cannot be used with --profile digitalocean: DigitalOcean needs ext3 or ext4 for the root filesystem; use --root-fs ext4 (the default)');
  }
  const spec: StageSpec = {
    stage: 'convert',
    format,
    compression,
    bootloader: {
      stage: 'bootloader',
      extraKernelArgs: kernelArgs(args.flags.get('kernel-arg') ?? []),
      // bios is the default and stays out of the spec, so BIOS fingerprints are unchanged
      ...(firmware === 'bios' ? {} : { firmware }),
      disk: {
        stage: 'disk',
        sizeMiB: parseSizeMiB(one(args, 'size')),
        partitionTable: choice('partition-table', one(args, 'partition-table') ?? 'mbr', PARTITION_TABLES),
        bootPartitionMiB,
        // ext4 is the default and stays out of the spec, so ext4 fingerprints are unchanged
        ...(rootFilesystem === 'ext4' ? {} : { rootFilesystem }),
        rootfs: {
          stage: 'rootfs',
          source,
          vm: {
            inject: choice('inject', one(args, 'inject') ?? 'auto', INJECT_MODES),
            profile,
            appService: !args.flags.has('no-app-service'),
          },
        },
      },
    },
  };
  return { spec, output: path.resolve(cwd, output) };
}

export function sourceFromArgs(args: CommandArgs, cwd: string): RootfsSourceSpec {
  const sources = ['dockerfile', 'image', 'tar'].filter(s => args.flags.has(s));
  if (sources.length !== 1) {
    throw new SpecError(`give exactly one source: --dockerfile FILE, --image REF or --tar FILE (got ${sources.length ? sources.map(s => `--${s}`).join(' and ') : 'none'})`);
  }
  if (sources[0] === 'dockerfile') {
    const dockerfile = path.resolve(cwd, one(args, 'dockerfile')!);
    const contextDir = path.resolve(cwd, one(args, 'context') ?? path.dirname(dockerfile));
    const buildArgs: Record<string, string> = {};
    for (const kv of args.flags.get('build-arg') ?? []) {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new SpecError(`--build-arg ${kv} is not KEY=VALUE; write it like --build-arg VERSION=1.2`);
      buildArgs[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    const target = one(args, 'target');
    if (target === '') throw new SpecError('--target is empty; give the name of a stage in the Dockerfile (FROM ... AS NAME), or leave it out');
    return { kind: 'dockerfile', contextDir, dockerfile: path.relative(contextDir, dockerfile), buildArgs, target };
  }
  if (sources[0] === 'image') {
    const reference = one(args, 'image')!;
    if (!reference.trim()) throw new SpecError('--image is empty; give an image reference like debian:bookworm');
    return { kind: 'image', reference: imageReference('image', reference) };
  }
  return { kind: 'tar', path: path.resolve(cwd, one(args, 'tar')!) };
}

/** `--size`: auto (undefined), or the whole disk, from 64 MiB to 16 TiB. */
export function parseSizeMiB(value: string | undefined): number | undefined {
  if (value === undefined || value === 'auto') return undefined;
  const mib = readSizeMiB(value);
  if (mib === undefined) throw new SpecError(`--size ${value} is not a size; use auto, or a number with G or M like 4G or 2048M`);
  if (mib < 64) throw new SpecError(`--size ${value} is below 64 MiB; use auto or a larger size`);
  if (mib > MAX_DISK_MIB) throw new SpecError(`--size ${value} is above 16 TiB (the largest ext4 root this tool makes); use auto or a smaller size like 100G`);
  return mib;
}

function kernelArgs(values: readonly string[]): string[] {
  const bad = values.find(v => !/^[^\s\x00-\x1f]+$/.test(v));
  if (bad !== undefined) throw new SpecError(`--kernel-arg ${JSON.stringify(bad)} must be one non-empty word without spaces; give each argument its own --kernel-arg`);
  return [...values];
}
