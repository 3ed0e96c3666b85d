/**
 * Boot: the Debian fixture, built once, converted to every format, reaches the
 * login prompt under QEMU (SeaBIOS, virtio disk), and its probe service shows
 * on the serial console that / is mounted read-write.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEBIAN_FIXTURE, buildQuietly } from './support/builder';
import { bootUntil } from '../../src/builder/boot/qemu';
import { ConvertSpec, DISK_FORMATS, DiskFormatName } from '../../src/builder/spec';

const BOOT_TIMEOUT_SECONDS = 240;

let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-boot-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function specFor(format: DiskFormatName): ConvertSpec {
  return {
    stage: 'convert',
    format,
    compression: 'none',
    bootloader: {
      stage: 'bootloader',
      extraKernelArgs: [],
      disk: {
        stage: 'disk',
        partitionTable: 'mbr',
        bootPartitionMiB: 128,
        rootfs: { stage: 'rootfs', source: { kind: 'dockerfile', contextDir: DEBIAN_FIXTURE, dockerfile: 'Dockerfile', buildArgs: {} } },
      },
    },
  };
}

describe.each(DISK_FORMATS.map(f => [f]))('GIVEN the Debian fixture as %s', (format) => {
  test('boots to the login prompt with / mounted read-write', async () => {
    // GIVEN
    const { result } = await buildQuietly(specFor(format), path.join(work, 'cache'));
    // WHEN
    const boot = await bootUntil({ image: result.artifactPath, format, timeoutSeconds: BOOT_TIMEOUT_SECONDS });
    // THEN
    expect(boot.console).toMatch(/login: *$/m);
    expect(boot.console).toMatch(/cdvm-probe: \/ is writable \(rw,/);
    expect(boot.console).not.toMatch(/NOT writable|Read-only file system|emergency mode/i);
  });
});
