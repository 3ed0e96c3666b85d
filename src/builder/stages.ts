/**
 * The stage registry: every stage's definition by name, and what follows from
 * them for any spec (tools, upstream, path mapping). The pipeline, the
 * fingerprints and the constructs' spec files all loop over it.
 */
import { bootloaderStage } from './bootloader/stage';
import { SpecError } from './common/errors';
import { StageDefinition } from './common/stage-definition';
import { convertStage } from './convert/stage';
import { diskStage } from './disk/stage';
import { rootfsStage } from './rootfs/stage';
import { RootfsSpec, StageName, StageSpec } from './spec';

type SpecOf<N extends StageName> = Extract<StageSpec, { stage: N }>;

const STAGES: { readonly [N in StageName]: StageDefinition<SpecOf<N>, any, unknown> } = {
  rootfs: rootfsStage,
  disk: diskStage,
  bootloader: bootloaderStage,
  convert: convertStage,
};

/** The definition of a spec's stage, typed for any spec. */
export function definitionOf(spec: StageSpec): StageDefinition<StageSpec, Record<string, unknown>, unknown> {
  const definition = (STAGES as Readonly<Record<string, unknown>>)[spec.stage];
  if (!definition) throw new SpecError(`unknown stage in spec: ${JSON.stringify(spec.stage)}; use one of ${Object.keys(STAGES).join(', ')}`);
  return definition as StageDefinition<StageSpec, Record<string, unknown>, unknown>;
}

/** The upstream stages' specs of a spec, by the names its stage gives them. */
export function upstreamOf(spec: StageSpec): Readonly<Record<string, StageSpec>> {
  return definitionOf(spec).upstream(spec);
}

/** Every host tool the chain up to this stage may need, checked before any work starts. */
export function requiredTools(spec: StageSpec): string[] {
  const tools = new Set<string>();
  const visit = (s: StageSpec) => {
    for (const up of Object.values(upstreamOf(s))) visit(up);
    for (const t of definitionOf(s).tools(s)) tools.add(t);
  };
  visit(spec);
  return [...tools];
}

/** The rootfs stage at the bottom of a spec's chain. */
export function rootfsOf(spec: StageSpec): RootfsSpec {
  if (spec.stage === 'rootfs') return spec;
  for (const up of Object.values(upstreamOf(spec))) return rootfsOf(up);
  throw new Error(`stage ${spec.stage} has no upstream rootfs`);
}

/** The spec with every path in its chain passed through `map` (e.g. made relative to a spec file). */
export function mapSpecPaths<T extends StageSpec>(spec: T, map: (p: string) => string): T {
  return definitionOf(spec).mapPaths(spec, map, up => mapSpecPaths(up, map)) as T;
}
