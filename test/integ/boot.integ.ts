/**
 * Boot: the Debian fixture, built once, converted to every format, reaches the
 * login prompt under QEMU (SeaBIOS, virtio disk), and its probe service shows
 * on the serial console that / is mounted read-write.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEBIAN_FIXTURE, buildQuietly } from './support/builder';
import { LOGIN_PROMPT, bootUntil } from '../../src/builder/boot/qemu';
import { ConvertSpec, DISK_FORMATS, DiskFormatName } from '../../src/builder/spec';

/** TCG reaches the login prompt in about 20 s on an idle machine, 2-4 times that on a loaded one: bound generously. */
const BOOT_TIMEOUT_SECONDS = 600;
/** Converting the cached bootable disk plus the boot; jest's limit stays above the boot wait so its console tail is what fails. */
const TEST_TIMEOUT_MS = (BOOT_TIMEOUT_SECONDS + 180) * 1000;

let work: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-boot-'));
  // The stages every format shares (docker build, ext4, bootloader), once, outside the boot tests' time limit.
  await buildQuietly(specFor('raw').bootloader, path.join(work, 'cache'));
}, 1_200_000);

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
    expect(boot.console).toMatch(LOGIN_PROMPT);
    expect(boot.console).toMatch(/cdvm-probe: \/ is writable \(rw,/);
    expect(boot.console).not.toMatch(/NOT writable|Read-only file system|emergency mode/i);
  }, TEST_TIMEOUT_MS);
});
