import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { bootUntil } from './boot/qemu';
import { checkBuildInputs, checkSpecInputs } from './build-inputs';
import { checkCommand } from './check/run';
import { FlagTable, Io, ParsedArgs, checkFlags, one, parseArgs } from './cli-args';
import { StageCache, defaultCacheDir } from './common/cache';
import { BuilderError, InterruptedError, SpecError } from './common/errors';
import { Progress } from './common/progress';
import { ToolRunner } from './common/tools';
import { choice, diskFormat, memoryMiB, readSizeMiB, regex, seconds, wholeNumber } from './flag-values';
import { requireFile } from './input-checks';
import { outputFormat } from './output-format';
import { buildStage, checkOutputWritable, publishArtifact, rootfsOf } from './pipeline';
import { PreviewFromSpec, PREVIEW_FLAGS, PREVIEW_USAGE, previewCommand } from './preview/command';
import {
  DEFAULT_BOOT_PARTITION_MIB, FIRMWARES, INJECT_MODES, MIN_BOOT_PARTITION_MIB, PARTITION_TABLES, RootfsSourceSpec, StageSpec, VM_PROFILES,
} from './spec';
import { readSpecFile } from './spec-file';

const USAGE = `Usage
  cdktf-docker-vm build SOURCE --output FILE [options]
  cdktf-docker-vm run --spec FILE [--json]
  cdktf-docker-vm boot IMAGE [--format F] [--firmware bios|uefi] [--timeout SECONDS]
  cdktf-docker-vm check IMAGE [--format F] [--allow-authorized-keys] [--json] [--quiet]
  cdktf-docker-vm preview IMAGE --ssh-key FILE.pub [--user-data FILE] [--direct-kernel] [options]

Turns a Dockerfile, an image or a rootfs tar into a bootable VM disk image,
rootless: no sudo, mount, loop device or privileged container.

Source (one of)
  --dockerfile FILE      build this Dockerfile (context: its directory, or --context)
  --image REF            export an existing image (pulled when not local)
  --tar FILE             a root filesystem tar (docker export CONTAINER > FILE)

Build options
  --context DIR          build context for --dockerfile
  --build-arg K=V        docker build argument (repeatable, passed literally)
  --target STAGE         multi-stage build target
  --output FILE          where to write the image (written atomically)
  --format F             raw|qcow2|vmdk|vhdx|vdi|vhd (default: from the output name: .img .raw .qcow2
                         .vmdk .vhdx .vdi .vhd, or raw without an extension; another extension needs --format)
  --compress C           none|gzip|bzip2 (default: from the output name, else none)
  --size S               auto, or the whole disk size like 4G or 2048M (default auto:
                         rootfs data + inodes + journal + max(30%, 256 MiB) free)
  --partition-table T    mbr|gpt (default mbr)
  --boot-size MIB        FAT boot partition size in MiB (default ${DEFAULT_BOOT_PARTITION_MIB})
  --kernel-arg ARG       extra kernel command line argument (repeatable)
  --firmware FW          bios|uefi: syslinux for BIOS (MBR boot code), or syslinux.efi as
                         EFI/BOOT/BOOTX64.EFI on an EFI System Partition (default bios;
                         DigitalOcean boots BIOS only)
  --inject MODE          auto|never|always: add what the image lacks to boot as a VM with its
                         package manager (Debian/Ubuntu, Alpine, Fedora family) (default auto)
  --profile P            generic (kernel, init) | digitalocean (also cloud-init, sshd, DHCP,
                         locked root, no host keys, empty machine-id) (default generic)
  --no-app-service       do not run the image's ENTRYPOINT/CMD as a service at boot
  --cache-dir DIR        stage cache (default $CDKTF_DOCKER_VM_CACHE_DIR, $XDG_CACHE_HOME/cdktf-docker-vm
                         or ~/.cache/cdktf-docker-vm)
  --json                 print {stage, fingerprint, artifactPath, bytes, seconds} on stdout
  --quiet                no progress on stderr

Boot options
  --format F             image format (default: from the file name)
  --firmware FW          bios (SeaBIOS) | uefi (OVMF, Debian package ovmf) (default bios)
  --timeout SECONDS      give up after this long (default 300)
  --until REGEX          stop when the serial console matches (default: a login prompt)
  --memory MIB           guest memory (default 1024)

Check options (DigitalOcean's custom image rules, read without mounting; table on stdout)
  --format F             image format (default: detected from the content)
  --allow-authorized-keys  do not fail on /root/.ssh/authorized_keys or /home/*/.ssh/authorized_keys
  --json                 print {image, ok, results: [{rule, status, detail}]} instead of the table
  Exit 0 when every rule passes, 1 when one fails, 2 when the file cannot be read.

${PREVIEW_USAGE}
Exit codes: 0 ok, 1 build failed, 2 bad input, 3 missing host tool, 130 interrupted.
Set CDKTF_DOCKER_VM_DEBUG=1 to print the stack trace of an unexpected error (for a bug report).

Examples
  cdktf-docker-vm build --dockerfile examples/hello-vm/Dockerfile --output hello.qcow2
  cdktf-docker-vm build --image debian-with-kernel:1 --output vm.vmdk --size 4G --partition-table gpt
  cdktf-docker-vm build --tar rootfs.tar --output upload.img.gz
  cdktf-docker-vm boot hello.qcow2
  cdktf-docker-vm build --dockerfile Dockerfile --firmware uefi --partition-table gpt --output uefi.qcow2
  cdktf-docker-vm boot uefi.qcow2 --firmware uefi
  cdktf-docker-vm check upload.qcow2.gz
  cdktf-docker-vm preview vm.qcow2 --ssh-key ~/.ssh/id_ed25519.pub --user-data init.sh --forward 8080:80
`;

export const KNOWN_FLAGS: Record<string, FlagTable> = {
  build: {
    'dockerfile': 'value',
    'image': 'value',
    'tar': 'value',
    'context': 'value',
    'build-arg': 'repeatable',
    'target': 'value',
    'output': 'value',
    'format': 'value',
    'compress': 'value',
    'size': 'value',
    'partition-table': 'value',
    'boot-size': 'value',
    'kernel-arg': 'repeatable',
    'firmware': 'value',
    'inject': 'value',
    'profile': 'value',
    'no-app-service': 'switch',
    'cache-dir': 'value',
    'json': 'switch',
    'quiet': 'switch',
  },
  run: { 'spec': 'value', 'cache-dir': 'value', 'json': 'switch', 'quiet': 'switch' },
  boot: { format: 'value', firmware: 'value', timeout: 'value', until: 'value', memory: 'value', quiet: 'switch' },
  check: { 'format': 'value', 'allow-authorized-keys': 'switch', 'json': 'switch', 'quiet': 'switch' },
  preview: PREVIEW_FLAGS,
};
export const SWITCHES = new Set(['help', 'version', ...Object.values(KNOWN_FLAGS).flatMap(t => Object.keys(t).filter(n => t[n] === 'switch'))]);

const MAX_DISK_MIB = 16 * 1024 * 1024;

/** A boot partition larger than 64 GiB is a typo (the kernel and initrd need about 100 MiB). */
const MAX_BOOT_MIB = 65536;

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

/** Turns `build` flags into a convert spec (the whole chain). */
export function buildSpecFromArgs(args: ParsedArgs, cwd: string): { spec: StageSpec; output: string } {
  const output = one(args, 'output');
  if (!output) throw new SpecError('--output FILE is required: where to write the image');
  const sources = ['dockerfile', 'image', 'tar'].filter(s => args.flags.has(s));
  if (sources.length !== 1) {
    throw new SpecError(`give exactly one source: --dockerfile FILE, --image REF or --tar FILE (got ${sources.length ? sources.map(s => `--${s}`).join(' and ') : 'none'})`);
  }
  let source: RootfsSourceSpec;
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
    source = { kind: 'dockerfile', contextDir, dockerfile: path.relative(contextDir, dockerfile), buildArgs, target };
  } else if (sources[0] === 'image') {
    const reference = one(args, 'image')!;
    if (!reference.trim()) throw new SpecError('--image is empty; give an image reference like debian:bookworm');
    source = { kind: 'image', reference };
  } else {
    source = { kind: 'tar', path: path.resolve(cwd, one(args, 'tar')!) };
  }
  const { format, compression } = outputFormat(output, one(args, 'format'), one(args, 'compress'));
  const bootSize = one(args, 'boot-size');
  const bootPartitionMiB = bootSize === undefined ? DEFAULT_BOOT_PARTITION_MIB : wholeNumber('boot-size', bootSize, MIN_BOOT_PARTITION_MIB, MAX_BOOT_MIB, '256');
  const firmware = choice('firmware', one(args, 'firmware') ?? 'bios', FIRMWARES);
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
        rootfs: {
          stage: 'rootfs',
          source,
          vm: {
            inject: choice('inject', one(args, 'inject') ?? 'auto', INJECT_MODES),
            profile: choice('profile', one(args, 'profile') ?? 'generic', VM_PROFILES),
            appService: !args.flags.has('no-app-service'),
          },
        },
      },
    },
  };
  return { spec, output: path.resolve(cwd, output) };
}

export function version(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      return (JSON.parse(readFileSync(path.join(__dirname, rel), 'utf8')) as { version: string }).version;
    } catch {
      // try the next layout (src/ under ts-node, lib/ when installed)
    }
  }
  return 'unknown';
}

/** Runs the CLI; returns the exit code. Errors go to stderr as one clear message. */
export async function main(argv: readonly string[], io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(130);
    io.stderr.write(`cdktf-docker-vm: ${sig} received, stopping and removing temporary files\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const args = parseArgs(argv, SWITCHES);
    if (args.flags.has('version')) {
      io.stdout.write(`${version()}\n`);
      return 0;
    }
    if (args.flags.has('help') || args.command === 'help' || args.command === '') {
      io.stdout.write(USAGE);
      return args.command === '' && !args.flags.has('help') ? 2 : 0;
    }
    if (!KNOWN_FLAGS[args.command]) throw new SpecError(`unknown command ${args.command}; use build, run, boot, check or preview (see cdktf-docker-vm --help)`);
    checkFlags(args, KNOWN_FLAGS[args.command]);
    const quiet = args.flags.has('quiet');
    const progress = new Progress(line => io.stderr.write(line + '\n'), quiet);
    const tools = new ToolRunner(controller.signal);
    if (args.command === 'boot') return await bootCommand(args, progress, controller.signal, io);
    if (args.command === 'check') {
      const options = { format: one(args, 'format'), allowAuthorizedKeys: args.flags.has('allow-authorized-keys'), json: args.flags.has('json') };
      return await checkCommand(args.positional, tools, options, io, message => progress.step('check', message));
    }
    if (args.command === 'preview') {
      const specPath = one(args, 'spec');
      const fromSpec = specPath ? await buildForPreview(specPath, one(args, 'cache-dir'), tools, progress) : undefined;
      return await previewCommand(args, progress, controller.signal, io, fromSpec);
    }

    let spec: StageSpec;
    let output: string | undefined;
    let baseDir: string;
    let read: ReturnType<typeof readSpecFile> | undefined;
    if (args.command === 'run') {
      const specPath = one(args, 'spec');
      if (!specPath) throw new SpecError('--spec FILE is required');
      read = readSpecFile(specPath);
      spec = read.specFile.spec;
      checkSpecInputs(spec, read.baseDir);
      output = read.specFile.output ? path.resolve(read.baseDir, read.specFile.output) : undefined;
      baseDir = read.baseDir;
    } else {
      if (args.positional.length) throw new SpecError(`unexpected argument ${args.positional[0]}; see cdktf-docker-vm --help`);
      const built = buildSpecFromArgs(args, process.cwd());
      checkBuildInputs(rootfsOf(built.spec).source, built.output);
      spec = built.spec;
      output = built.output;
      baseDir = process.cwd();
    }
    if (output) checkOutputWritable(output);
    const cache = openCache(one(args, 'cache-dir'), read);
    const started = Date.now();
    const result = await buildStage(spec, { cache, tools, progress, baseDir, memo: new Map(), entries: new Map() });
    if (output) {
      await publishArtifact(result.artifactPath, output, tools);
      progress.step('output', output);
    }
    progress.printSummary();
    const artifactPath = output ?? result.artifactPath;
    if (args.flags.has('json')) {
      io.stdout.write(JSON.stringify({
        stage: spec.stage,
        fingerprint: result.entry.fingerprint,
        artifactPath,
        bytes: result.entry.files[0].bytes,
        seconds: (Date.now() - started) / 1000,
        stages: progress.stages,
      }) + '\n');
    } else {
      io.stdout.write(`${artifactPath}\n`);
    }
    return 0;
  } catch (e) {
    if (controller.signal.aborted && !(e instanceof InterruptedError)) {
      io.stderr.write('cdktf-docker-vm: interrupted; temporary files removed, nothing was added to the cache\n');
      return 130;
    }
    if (e instanceof BuilderError) {
      io.stderr.write(`cdktf-docker-vm: error: ${e.message}\n`);
      return e.exitCode;
    }
    io.stderr.write(unexpectedError(e));
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The last-resort message: a bug in this tool, so a pointer to report it; the stack only when asked for. */
export function unexpectedError(e: unknown, env = process.env): string {
  const message = e instanceof Error ? e.message : String(e);
  const stack = env.CDKTF_DOCKER_VM_DEBUG === '1' && e instanceof Error && e.stack ? `${e.stack}\n` : '';
  return `cdktf-docker-vm: unexpected error: ${message}\n` +
    '  this is a bug in cdktf-docker-vm: please report it with the command line; run again with CDKTF_DOCKER_VM_DEBUG=1 for the stack trace\n' + stack;
}

/** The cache: --cache-dir, else the spec file's `cacheDir`, else the default; temp dirs of dead builders removed. */
function openCache(cacheDirFlag: string | undefined, read?: ReturnType<typeof readSpecFile>): StageCache {
  const fromSpec = read?.specFile.cacheDir ? path.resolve(read.baseDir, read.specFile.cacheDir) : undefined;
  const cache = new StageCache(path.resolve(cacheDirFlag ?? fromSpec ?? defaultCacheDir()));
  cache.sweepTemp();
  return cache;
}

/** `preview --spec FILE`: builds (or finds in the cache) the spec's bootable disk. */
async function buildForPreview(specPath: string, cacheDirFlag: string | undefined, tools: ToolRunner, progress: Progress): Promise<PreviewFromSpec> {
  const read = readSpecFile(specPath);
  const { specFile, baseDir } = read;
  if (!specFile.preview) {
    throw new SpecError(`spec file ${specPath} has no preview metadata; pass the <fingerprint>-preview.json file a LocalPreview construct writes at cdktf synth`);
  }
  if (specFile.spec.stage !== 'bootloader') throw new SpecError(`spec file ${specPath} is a ${specFile.spec.stage} stage; a preview boots a bootloader stage`);
  const cache = openCache(cacheDirFlag, read);
  const result = await buildStage(specFile.spec, { cache, tools, progress, baseDir, memo: new Map(), entries: new Map() });
  progress.printSummary();
  return { image: result.artifactPath, format: 'raw', metadata: specFile.preview };
}

const IMAGE_FIX = 'build one with: cdktf-docker-vm build --dockerfile Dockerfile --output vm.qcow2, or give the path of a disk image';

async function bootCommand(args: ParsedArgs, progress: Progress, signal: AbortSignal, io: Io): Promise<number> {
  const image = args.positional[0];
  if (!image) throw new SpecError('boot needs an IMAGE; example: cdktf-docker-vm boot hello.qcow2');
  if (args.positional.length > 1) throw new SpecError(`unexpected argument ${args.positional[1]}; boot takes one IMAGE`);
  requireFile(image, 'image', IMAGE_FIX);
  const format = diskFormat(one(args, 'format'));
  const timeoutFlag = one(args, 'timeout');
  const timeout = timeoutFlag === undefined ? 300 : seconds('timeout', timeoutFlag);
  const until = one(args, 'until');
  const untilRegex = until === undefined ? undefined : regex('until', until);
  const memory = memoryMiB(one(args, 'memory'));
  const firmware = choice('firmware', one(args, 'firmware') ?? 'bios', FIRMWARES);
  progress.step('boot', `starting QEMU with ${image}${firmware === 'uefi' ? ' (UEFI: OVMF)' : ''}`);
  const result = await bootUntil({
    image,
    format,
    timeoutSeconds: timeout,
    until: untilRegex,
    memoryMiB: memory ?? 1024,
    firmware,
    signal,
    onConsole: args.flags.has('quiet') ? undefined : text => io.stderr.write(text),
  });
  io.stderr.write('\n');
  progress.step('boot', `reached ${until ?? 'the login prompt'} in ${result.seconds.toFixed(1)} s (${result.accelerator}); QEMU stopped`);
  io.stdout.write(`${JSON.stringify({ seconds: result.seconds, accelerator: result.accelerator })}\n`);
  return 0;
}

if (require.main === module) {
  process.on('unhandledRejection', e => {
    process.stderr.write(unexpectedError(e));
    process.exit(1);
  });
  void main(process.argv.slice(2)).then(code => { process.exitCode = code; });
}
