import type { RootfsFacts } from './analyze';
import type { RecordedEntries } from './entries';
import type { ImageConfig } from './image-config';

/** What injection did. */
export interface VmSetupFacts {
  readonly family: string | null;
  readonly installed: readonly string[];
  readonly notes: readonly string[];
}

/** The rootfs stage's meta: what the disk and bootloader stages read instead of the tar. */
export interface RootfsMeta extends RootfsFacts {
  readonly imageConfig: ImageConfig | null;
  readonly vm: VmSetupFacts | null;
  readonly tarEntries: RecordedEntries;
}
