import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Token } from 'cdktf';
import { startsWithTarHeader } from './tar-header';
import { RootfsSourceSpec } from '../../builder/spec';

/**
 * Options for a rootfs built from a Dockerfile.
 */
export interface DockerfileOptions {
  /**
   * Path of the Dockerfile, relative to the build context directory.
   *
   * @default 'Dockerfile'
   */
  readonly dockerfile?: string;

  /**
   * Build arguments (`docker build --build-arg NAME=VALUE`).
   *
   * They are part of the fingerprint and are written to the spec file in the
   * synth directory: never pass secrets here.
   *
   * @default - no build arguments
   */
  readonly buildArgs?: { [name: string]: string };

  /**
   * Build stage to stop at (`docker build --target`).
   *
   * @default - the last stage of the Dockerfile
   */
  readonly target?: string;
}

/**
 * Where the root filesystem of the VM comes from.
 */
export abstract class RootfsSource {
  /**
   * Build the rootfs with `docker build` from a Dockerfile and its build context.
   *
   * The fingerprint covers the build context as docker sees it (honouring
   * `.dockerignore`), the build arguments and the target.
   *
   * @param contextDir build context directory; a relative path is resolved against the current directory
   */
  public static fromDockerfile(contextDir: string, options: DockerfileOptions = {}): RootfsSource {
    return new DockerfileSource(contextDir, options);
  }

  /**
   * Use an image docker can resolve, e.g. `debian:bookworm` or `name@sha256:...`.
   *
   * The fingerprint covers the reference only: pin a digest so a moved tag is noticed.
   */
  public static fromImage(reference: string): RootfsSource {
    return new ImageSource(reference);
  }

  /**
   * Use a `docker export` style tar of a root filesystem. The fingerprint covers its content.
   *
   * @param tarPath path of the tar file; a relative path is resolved against the current directory
   */
  public static fromTarball(tarPath: string): RootfsSource {
    return new TarSource(tarPath);
  }

  /**
   * The builder spec of this source, with absolute paths.
   * @internal
   */
  public abstract _toSpec(): RootfsSourceSpec;
}

const BUILD_ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STAGE_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

class DockerfileSource extends RootfsSource {
  private readonly spec: RootfsSourceSpec;

  constructor(contextDir: string, options: DockerfileOptions) {
    super();
    if (Token.isUnresolved(contextDir)) {
      throw new Error('contextDir must be a plain path known at synth time, got a token; the fingerprint is computed from the files at synth time');
    }
    const absContext = path.resolve(contextDir);
    if (!existsSync(absContext) || !statSync(absContext).isDirectory()) {
      throw new Error(`contextDir must be an existing directory, got ${contextDir} (resolved to ${absContext}); pass the directory holding the Dockerfile and the files it copies`);
    }
    const dockerfile = options.dockerfile ?? 'Dockerfile';
    const normalized = path.normalize(dockerfile);
    if (path.isAbsolute(dockerfile) || normalized === '..' || normalized.startsWith(`..${path.sep}`)) {
      throw new Error(`dockerfile must be a path inside the build context, relative to contextDir, got ${dockerfile}; move the Dockerfile into ${absContext}`);
    }
    const absDockerfile = path.join(absContext, normalized);
    if (!existsSync(absDockerfile) || !statSync(absDockerfile).isFile()) {
      throw new Error(`dockerfile ${dockerfile} does not exist in contextDir ${absContext}; pass the Dockerfile path relative to the context with the dockerfile option`);
    }
    const buildArgs = options.buildArgs ?? {};
    for (const name of Object.keys(buildArgs)) {
      if (!BUILD_ARG_NAME.test(name)) {
        throw new Error(`buildArgs names must be letters, digits and '_', not starting with a digit, got ${JSON.stringify(name)}; rename the build argument`);
      }
      if (Token.isUnresolved(buildArgs[name])) {
        throw new Error(`buildArgs.${name} must be known at synth time, got a token; pass a plain string (it is part of the fingerprint)`);
      }
    }
    if (options.target !== undefined && !STAGE_NAME.test(options.target)) {
      throw new Error(`target must be a Dockerfile stage name (letters, digits, '_', '.', '-'), got ${JSON.stringify(options.target)}; use the name after AS in the FROM line`);
    }
    this.spec = {
      kind: 'dockerfile',
      contextDir: absContext,
      dockerfile: normalized.split(path.sep).join('/'),
      buildArgs: { ...buildArgs },
      ...(options.target !== undefined ? { target: options.target } : {}),
    };
  }

  public _toSpec(): RootfsSourceSpec {
    return this.spec;
  }
}

class ImageSource extends RootfsSource {
  private readonly reference: string;

  constructor(reference: string) {
    super();
    if (Token.isUnresolved(reference)) {
      throw new Error('reference must be known at synth time, got a token; pass a plain image reference such as debian:bookworm@sha256:...');
    }
    if (reference.trim() === '' || /\s/.test(reference)) {
      throw new Error(`reference must be an image reference without spaces, got ${JSON.stringify(reference)}; pass e.g. debian:bookworm@sha256:<digest>`);
    }
    this.reference = reference;
  }

  public _toSpec(): RootfsSourceSpec {
    return { kind: 'image', reference: this.reference };
  }
}

class TarSource extends RootfsSource {
  private readonly absPath: string;

  constructor(tarPath: string) {
    super();
    if (Token.isUnresolved(tarPath)) {
      throw new Error('tarPath must be a plain path known at synth time, got a token; the fingerprint is computed from the file at synth time');
    }
    const abs = path.resolve(tarPath);
    if (!existsSync(abs) || !statSync(abs).isFile()) {
      throw new Error(`tarPath must be an existing file, got ${tarPath} (resolved to ${abs}); make it with docker export, or use RootfsSource.fromImage`);
    }
    if (!startsWithTarHeader(abs)) {
      throw new Error(`tarPath must be a tar file, got ${tarPath}, which is not one (no tar header); make it with docker export CONTAINER > rootfs.tar (uncompressed)`);
    }
    this.absPath = abs;
  }

  public _toSpec(): RootfsSourceSpec {
    return { kind: 'tar', path: this.absPath };
  }
}
