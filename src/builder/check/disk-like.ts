/**
 * Tells a disk image from any other file before the rules run: a rule table
 * for a text file or an empty one would only confuse.
 */
import { SpecError } from '../common/errors';

/** No partitioned disk is smaller: partitions start at 1 MiB (old tools: at 32 KiB, still far above this). */
const MIN_DISK_BYTES = 64 * 1024;

const FIX = 'give the path of a disk image (raw, qcow2, vmdk, vhdx, vdi or vhd, optionally .gz or .bz2), such as the --output of cdktf-docker-vm build';

export function notADiskImage(file: string, why: string): SpecError {
  return new SpecError(`${file} is not a disk image (${why}); ${FIX}`);
}

/**
 * Throws when the image cannot be a bootable disk: smaller than any partitioned
 * disk, or its first sector (read from the raw form of the disk) without the
 * 0x55AA signature that both an MBR and GPT's protective MBR end with.
 */
export function requireDiskLike(file: string, rawBytes: number, firstSector: Buffer): void {
  if (rawBytes === 0) throw notADiskImage(file, 'it holds no data');
  if (rawBytes < MIN_DISK_BYTES) throw notADiskImage(file, `it holds only ${rawBytes} bytes`);
  if (firstSector.length < 512 || firstSector.readUInt16LE(510) !== 0xaa55) {
    throw notADiskImage(file, 'its first sector has no MBR or GPT partition table signature');
  }
}
