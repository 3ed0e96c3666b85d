/**
 * Builder errors. Each carries the process exit code and a message that names
 * the input and says what to do. Only cli.ts catches them.
 */
export class BuilderError extends Error {
  public readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad spec or command-line input (exit 2). */
export class SpecError extends BuilderError {
  public readonly exitCode = 2;
}

/** A host tool is not installed (exit 3). */
export class ToolMissingError extends BuilderError {
  public readonly exitCode = 3;
}

/** A host tool ran and failed (exit 1). */
export class ToolFailedError extends BuilderError {
  constructor(
    public readonly tool: string,
    public readonly args: readonly string[],
    public readonly status: number | null,
    public readonly stderrTail: string,
    hint?: string,
  ) {
    super(
      `${tool} failed (${status === null ? 'killed' : `exit ${status}`}): ${[tool, ...args].join(' ')}` +
        (stderrTail ? `\n${stderrTail.replace(/^/gm, '  | ')}` : '') +
        (hint ? `\n${hint}` : ''),
    );
  }
}

/** The docker engine does not answer (exit 1). */
export class DockerUnavailableError extends BuilderError {}

/** The rootfs has no kernel to boot (exit 1). */
export class NoKernelError extends BuilderError {}

/** The image lacks VM parts and its distribution is not one injection knows (exit 2). */
export class CannotInjectError extends BuilderError {
  public readonly exitCode = 2;
}

/** An explicit size cannot hold the rootfs (exit 2). */
export class SizeTooSmallError extends BuilderError {
  public readonly exitCode = 2;
}

/** The build was interrupted by a signal (exit 130). */
export class InterruptedError extends BuilderError {
  public readonly exitCode = 130;
}

/** A built image breaks a cloud's import rules (exit 1). */
export class PreflightError extends BuilderError {}
