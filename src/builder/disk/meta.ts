import type { DiskIds, DiskLayout } from './plan';
import type { PartitionTableName, RootFilesystemName } from '../spec';

/** The disk stage's meta: where the partitions are and what they are called. */
export interface DiskMeta {
  readonly layout: DiskLayout;
  readonly ids: DiskIds;
  readonly partitionTable: PartitionTableName;
  /** Absent in entries written before XFS roots existed: ext4. */
  readonly rootFilesystem?: RootFilesystemName;
}
