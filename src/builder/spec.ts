/**
 * Stage specs: the JSON a construct writes at synth time and the builder reads.
 * The construct layer imports this file, the stage registry (stages.ts) and the
 * fingerprints (fingerprints.ts), nothing else of the builder.
 *
 * Relative paths in a spec file are resolved against the directory holding the
 * spec file, so a synthesized stack can move between machines.
 */

/** Bump when a stage gives a different output for the same inputs. */
export const BUILDER_FORMAT_VERSION = 6;

/** Version of the spec file layout. */
export const SPEC_FILE_VERSION = 1;

export type StageName = 'rootfs' | 'disk' | 'bootloader' | 'convert';

export * from './formats';
export * from './spec-values';

// The spec types are the schema's (z.infer in spec-schema.ts): what a spec file is checked against is what the code reads.
export type {
  BootloaderSpec, ConvertSpec, DiskSpec, DockerfileSourceSpec, ImageSourceSpec, PreviewMetadataSpec, RootfsSourceSpec,
  RootfsSpec, SpecFile, StageSpec, TarSourceSpec, VmSetupSpec,
} from './spec-schema';
