/** A partition as `sfdisk --json` describes it, in bytes. */
export interface PartitionEntry {
  /** 1-based, as in `vda1`. */
  readonly number: number;
  readonly startBytes: number;
  readonly sizeBytes: number;
  /** MBR type byte as sfdisk prints it ('83', 'e', 'ef') or a GPT type GUID (upper case). */
  readonly type: string;
  /** MBR active flag. */
  readonly active: boolean;
  /** GPT attribute names sfdisk prints, e.g. ['LegacyBIOSBootable']. */
  readonly attrs: readonly string[];
  /** GPT partition GUID, or for MBR `<disk id>-<nn>` (what PARTUUID= means). */
  readonly partUuid?: string;
}

export interface PartitionTable {
  readonly label?: 'dos' | 'gpt';
  /** Why there is no MBR or GPT table to read. */
  readonly tableError?: string;
  readonly partitions: readonly PartitionEntry[];
}

interface SfdiskJson {
  partitiontable: {
    label: string;
    id?: string;
    sectorsize?: number;
    partitions?: Array<{ node: string; start: number; size: number; type: string; bootable?: boolean; attrs?: string; uuid?: string }>;
  };
}

/** The output of `sfdisk --json`; throws a SyntaxError when it is not JSON. */
export function parsePartitionTable(sfdiskJson: string): PartitionTable {
  const t = (JSON.parse(sfdiskJson) as SfdiskJson).partitiontable;
  if (t.label !== 'dos' && t.label !== 'gpt') return { tableError: `a ${t.label} table`, partitions: [] };
  const sector = t.sectorsize ?? 512;
  const diskId = (t.id ?? '').replace(/^0x/, '').toLowerCase();
  const partitions = (t.partitions ?? []).map(p => {
    const number = Number(/(\d+)$/.exec(p.node)?.[1] ?? 0);
    return {
      number,
      startBytes: p.start * sector,
      sizeBytes: p.size * sector,
      type: t.label === 'gpt' ? p.type.toUpperCase() : p.type.toLowerCase(),
      active: p.bootable === true,
      attrs: (p.attrs ?? '').split(/\s+/).filter(Boolean),
      partUuid: t.label === 'gpt' ? p.uuid?.toLowerCase() : `${diskId}-${String(number).padStart(2, '0')}`,
    };
  });
  return { label: t.label, partitions };
}

/** Marked for BIOS boot: the MBR active flag, or the GPT LegacyBIOSBootable attribute. */
export function isMarkedBootable(p: PartitionEntry): boolean {
  return p.active || p.attrs.includes('LegacyBIOSBootable');
}
