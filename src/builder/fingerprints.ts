import { canonicalJson, sha256Hex } from './common/digest';
import { FileHashCache } from './common/hash-cache';
import { StageSpec, BUILDER_FORMAT_VERSION } from './spec';
import { definitionOf, upstreamOf } from './stages';

/** A stage's fingerprint and what it is made of. */
export interface StageFingerprint {
  /**
   * sha256 of everything that decides the stage's output (file contents, never
   * mtimes or absolute paths): the stage, the builder format version and the
   * named input digests. Same inputs, same fingerprint, on any machine.
   */
  readonly fingerprint: string;
  /**
   * sha256 of each named input (`dockerfile`, `context`, `options`, ...); `upstream`
   * is the digest of the upstream stages' fingerprints. A change of the fingerprint
   * is a change of one of these, so a plan can say which.
   */
  readonly inputs: Readonly<Record<string, string>>;
}

/**
 * Fingerprints of stage specs, each computed once: a chain's stages share their
 * upstream's result, so a build context is walked once however many stages sit on it.
 * Make one per build or per synthesized stack (files edited later are not seen).
 */
export class Fingerprints {
  private readonly memo = new Map<string, StageFingerprint>();

  /**
   * @param baseDir directory that relative paths in specs are resolved against
   * @param hashes file hashes remembered by stat data (saves time only; never changes a result)
   */
  constructor(private readonly baseDir: string, private readonly hashes: FileHashCache = FileHashCache.default()) {}

  public of(spec: StageSpec): StageFingerprint {
    const result = this.compute(spec);
    this.hashes.save(); // once per call, not once per upstream stage
    return result;
  }

  private compute(spec: StageSpec): StageFingerprint {
    const key = canonicalJson(spec);
    const known = this.memo.get(key);
    if (known) return known;
    const upstream = Object.entries(upstreamOf(spec)).map(([name, up]) => [name, this.compute(up).fingerprint] as const);
    const named = definitionOf(spec).inputs(spec, { baseDir: this.baseDir, hashes: this.hashes });
    const inputs: Record<string, string> = {};
    for (const [name, value] of Object.entries(named)) inputs[name] = sha256Hex(canonicalJson(value));
    if (upstream.length > 0) inputs.upstream = sha256Hex(canonicalJson(Object.fromEntries(upstream)));
    const result = { fingerprint: sha256Hex(canonicalJson({ builderFormatVersion: BUILDER_FORMAT_VERSION, stage: spec.stage, inputs })), inputs };
    this.memo.set(key, result);
    return result;
  }
}

/** One spec's fingerprint, computed afresh. */
export function fingerprintSpec(spec: StageSpec, baseDir: string, hashes?: FileHashCache): string {
  return new Fingerprints(baseDir, hashes).of(spec).fingerprint;
}
