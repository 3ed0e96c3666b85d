import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { IStackSynthesizer, ISynthesisSession, ITerraformDependable, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { builderCliPath } from './builder-cli-path';
import { builderCommand } from './builder-command';
import { Fingerprints, StageFingerprint } from '../../builder/fingerprints';
import { SPEC_FILE_VERSION, SpecFile, StageSpec } from '../../builder/spec';
import { mapSpecPaths } from '../../builder/stages';
import { TerraformData } from '../terraform/terraform-data';

/** Folder of the stack's synth directory that holds the spec files. */
export const SPECS_DIR = 'docker-vm-specs';
/** Folder of the stack's synth directory that receives requested artifacts. */
export const ARTIFACTS_DIR = 'docker-vm-artifacts';

export interface StageResourceProps {
  /** The stage spec, with absolute paths (they are made relative when the spec file is written). */
  readonly spec: StageSpec;
  /** File name extension of the stage's artifact, with its leading dot. */
  readonly extension: string;
  /** The upstream stage's resource: this one runs after it. */
  readonly upstream?: ITerraformDependable;
}

/**
 * A `terraform_data` resource that runs one builder stage.
 *
 * - `triggers_replace.fingerprint` is the stage fingerprint, so `terraform plan`
 *   names the stage that will rebuild; beside it, 16 hex digits of each named
 *   input's digest (`dockerfile`, `context`, `options`, `upstream`, ...), so the
 *   plan also says why: the input that changed shows on the stage where it
 *   changed, and the stages built on it show `upstream`.
 * - The spec travels in a JSON file written into the stack's synth directory
 *   (`docker-vm-specs/<fingerprint>-<stage>.json`) when the stack is synthesized:
 *   the stack's synthesizer (public, settable `TerraformStack.synthesizer`) is
 *   wrapped once per stack to write the files after the stack's JSON.
 * - The `local-exec` provisioner runs `node <lib/builder/cli.js> run --spec <file>`
 *   as an argv list (`interpreter`), not through a shell. The only variable parts
 *   are the library's own install path and the spec file path, which holds hex
 *   digits and fixed words only; every user-provided string stays in the spec file.
 */
export class StageResource extends TerraformData {
  /** sha256 of everything that decides the stage's output (64 hex digits). */
  public readonly fingerprint: string;
  /** The stage name from the spec. */
  public readonly stage: string;
  /** Spec file path relative to the stack's synth directory (terraform's working directory). */
  public readonly specFilePath: string;
  private readonly spec: StageSpec;
  private readonly computed: StageFingerprint;
  private readonly extension: string;
  private outputRequested = false;

  constructor(scope: Construct, id: string, props: StageResourceProps) {
    const computed = fingerprintsOf(scope).of(props.spec);
    const fingerprint = computed.fingerprint;
    const specFilePath = `${SPECS_DIR}/${fingerprint}-${props.spec.stage}.json`;
    super(scope, id, {
      triggersReplace: triggersOf(computed),
      dependsOn: props.upstream ? [props.upstream] : undefined,
    });
    this.provisioners = [{
      type: 'local-exec',
      interpreter: ['node', builderCliPath(), 'run', '--spec'],
      command: specFilePath,
    }];
    this.fingerprint = fingerprint;
    this.computed = computed;
    this.stage = props.spec.stage;
    this.spec = props.spec;
    this.extension = props.extension;
    this.specFilePath = specFilePath;
    registerSpecFile(TerraformStack.of(this), this);
  }

  /** Artifact file name: the fingerprint, the stage and the extension. */
  public get artifactFileName(): string {
    return `${this.fingerprint}-${this.stage}${this.extension}`;
  }

  /**
   * Path of the stage's artifact relative to the stack's synth directory, the
   * working directory of terraform and of the provisioner.
   *
   * Calling this asks the builder to copy the artifact there. A stage that nobody
   * reads the path of keeps its artifact in the builder cache only, so the
   * intermediate stages of an image do not take a copy each.
   */
  public requestArtifactPath(): string {
    if (!this.outputRequested) {
      this.outputRequested = true;
      // The output path is part of what the resource produces: a stage applied
      // before anybody asked for its file runs again (a cache hit plus a copy).
      this.triggersReplace = { ...triggersOf(this.computed), artifact_path: this.artifactPathInStack };
      // The copy goes with the stage: removed when the resource is destroyed, or replaced destroy-then-create.
      // (Terraform runs no destroy provisioner for a create_before_destroy replacement; `cache prune` does not see copies.)
      this.input = { artifact_path: this.artifactPathInStack };
      this.provisioners = [...(this.provisioners ?? []), builderCommand('remove-artifact', 'destroy')];
    }
    return this.artifactPathInStack;
  }

  /** Whether an artifact copy was requested (see requestArtifactPath). */
  public get isOutputRequested(): boolean {
    return this.outputRequested;
  }

  private get artifactPathInStack(): string {
    return `${ARTIFACTS_DIR}/${this.artifactFileName}`;
  }

  /** The spec file's content, paths relative to its directory; the stack's synthesizer writes it. */
  public specFileContent(stackDir: string, specDir: string): SpecFile {
    const wantsOutput = registeredSpecFiles(TerraformStack.of(this), this.specFilePath).some(r => r.isOutputRequested);
    return {
      specFileVersion: SPEC_FILE_VERSION,
      spec: relativizeSpec(this.spec, specDir),
      ...(wantsOutput ? { output: toPosix(path.relative(specDir, path.join(stackDir, ...this.artifactPathInStack.split('/')))) } : {}),
    };
  }

}

/** A spec file written into the stack's synth directory after the stack is synthesized. */
export interface SynthFileWriter {
  /** Relative to the stack's synth directory. */
  readonly specFilePath: string;
  /** The content, with paths relative to `specDir` (the spec file's directory). */
  specFileContent(stackDir: string, specDir: string): SpecFile;
}

const specFilesByStack = new WeakMap<TerraformStack, Map<string, SynthFileWriter[]>>();

export function registerSpecFile(stack: TerraformStack, resource: SynthFileWriter): void {
  let byPath = specFilesByStack.get(stack);
  if (!byPath) {
    byPath = new Map();
    specFilesByStack.set(stack, byPath);
    stack.synthesizer = new SpecFileSynthesizer(stack, stack.synthesizer, byPath);
  }
  const list = byPath.get(resource.specFilePath) ?? [];
  list.push(resource);
  byPath.set(resource.specFilePath, list);
}

function registeredSpecFiles(stack: TerraformStack, specFilePath: string): StageResource[] {
  return (specFilesByStack.get(stack)?.get(specFilePath) ?? []).filter((w): w is StageResource => w instanceof StageResource);
}

/**
 * Synthesizes the stack as before, then writes the spec files of its stages
 * into the stack's synth directory.
 */
class SpecFileSynthesizer implements IStackSynthesizer {
  constructor(
    private readonly stack: TerraformStack,
    private readonly inner: IStackSynthesizer,
    private readonly byPath: Map<string, SynthFileWriter[]>,
  ) {}

  public synthesize(session: ISynthesisSession): void {
    this.inner.synthesize(session);
    const stackDir = path.join(session.manifest.outdir, session.manifest.forStack(this.stack).workingDirectory);
    for (const [specFilePath, writers] of this.byPath) {
      const specFile = path.join(stackDir, ...specFilePath.split('/'));
      mkdirSync(path.dirname(specFile), { recursive: true });
      const text = JSON.stringify(writers[0].specFileContent(stackDir, path.dirname(specFile)), undefined, 2) + '\n';
      // Identical stages (same fingerprint) share one file; skip rewriting identical content.
      if (existsSync(specFile) && readFileSync(specFile, 'utf8') === text) continue;
      writeFileSync(specFile, text);
    }
  }
}

/** Digits of an input digest shown in the plan: enough to tell two apart, short enough to read. */
const INPUT_DIGEST_CHARS = 16;

function triggersOf(computed: StageFingerprint): Record<string, string> {
  const named = Object.entries(computed.inputs).map(([name, digest]) => [name, digest.slice(0, INPUT_DIGEST_CHARS)]);
  return { fingerprint: computed.fingerprint, ...Object.fromEntries(named) };
}

/**
 * One Fingerprints per stack: a chain's stages share their upstream's result, so
 * a build context is walked once per synth however many stages sit on it.
 */
const fingerprintsByStack = new WeakMap<TerraformStack, Fingerprints>();

function fingerprintsOf(scope: Construct): Fingerprints {
  const stack = TerraformStack.of(scope);
  let fingerprints = fingerprintsByStack.get(stack);
  if (!fingerprints) {
    fingerprints = new Fingerprints(process.cwd());
    fingerprintsByStack.set(stack, fingerprints);
  }
  return fingerprints;
}

/**
 * The spec with every path made relative to the spec file's directory, so the
 * synthesized stack keeps working when the project moves (the CLI resolves
 * relative paths against the spec file's directory).
 */
export function relativizeSpec<T extends StageSpec>(spec: T, specDir: string): T {
  return mapSpecPaths(spec, p => relativePath(specDir, p));
}

function relativePath(fromDir: string, p: string): string {
  const relative = path.relative(fromDir, p);
  // Another drive on Windows has no relative path: keep the absolute one.
  if (path.isAbsolute(relative)) return p;
  return toPosix(relative === '' ? '.' : relative);
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

