/**
 * libvirt: an ordinary user (the integration tests' TEST_USER, in the docker
 * group) builds the Debian fixture with `build --libvirt-xml`, then defines and
 * starts the domain with virsh in its own session (`qemu:///session`, whose
 * libvirtd libvirt spawns for the user and which exits by itself after 120 s
 * idle; root's session URI goes to the system daemon's socket, and no system
 * libvirtd runs here), reads the serial console log until a login prompt, and
 * destroys and undefines it by its unique name; BIOS with a config drive, UEFI
 * on GPT, and the XML a LibvirtDomain construct writes at terraform apply
 * (terraform runs as root; the user then owns the files). There is no KVM
 * here, so the domains are type qemu (TCG); the default kvm XML is checked
 * against libvirt's schema only.
 */
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { CliRun, DEBIAN_FIXTURE, TEST_USER, ensureTestUser, runCli } from './support/builder';
import { Terraform } from './support/terraform';
import {
  Bootloader, ContainerRootfs, DiskFormat, DiskImage, ImageArtifact, LibvirtDomain, LibvirtDomainType, RootfsSource,
} from '../../src';

/** TCG boots in 30-45 s on an idle machine, 2-4 times that on a loaded one: bound generously. */
const BOOT_TIMEOUT_MS = 600_000;
/** getty's `HOSTNAME login: ` at the start of a line; kernel messages may follow on the same line. */
const LOGIN_PROMPT = /^\S+ login: /m;
const USER = TEST_USER;
const SESSION = 'qemu:///session';

let work: string;
let home: string;
const defined = new Set<string>();

function sh(cmd: string, args: readonly string[], options: { input?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: 300_000, ...options });
}

/** virsh as the test user in its own session; libvirt starts the session daemon (libvirtd --timeout=120) itself. */
function virsh(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync('runuser', ['-u', USER, '--', 'virsh', '-c', SESSION, ...args], {
    encoding: 'utf8',
    timeout: 300_000,
    cwd: work,
    env: { PATH: process.env.PATH, HOME: home, USER, LOGNAME: USER, LANG: 'C.UTF-8' },
  });
}

function ok<T extends { status: number | null; stderr: string }>(run: T, what: string): T {
  if (run.status !== 0) throw new Error(`${what} failed (exit ${run.status}):\n${run.stderr}`);
  return run;
}

function buildAs(args: readonly string[]): CliRun {
  return ok(runCli(['build', '--dockerfile', path.join(DEBIAN_FIXTURE, 'Dockerfile'), '--cache-dir', path.join(work, 'cache'), ...args], {
    user: USER, env: { ...process.env, HOME: home }, timeoutMs: 1_500_000,
  }), `build ${args.join(' ')}`);
}

/** virt-xml-validate (libvirt-clients) checks the file against libvirt's domain schema. */
function expectValidDomainXml(file: string): void {
  const validate = sh('virt-xml-validate', [file, 'domain']);
  expect({ status: validate.status, stderr: validate.stderr }).toEqual({ status: 0, stderr: `${file} validates\n` });
}

async function waitForLogin(consoleLog: string, name: string): Promise<string> {
  const started = Date.now();
  for (;;) {
    const text = existsSync(consoleLog) ? readFileSync(consoleLog, 'utf8') : '';
    if (LOGIN_PROMPT.test(text)) return text;
    const state = virsh('domstate', name).stdout.trim();
    if (state !== 'running' || Date.now() - started > BOOT_TIMEOUT_MS) {
      throw new Error(`domain ${name} is ${state} and showed no login prompt after ${Math.round((Date.now() - started) / 1000)} s; console:\n${text.slice(-3000)}`);
    }
    await new Promise(resolve => setTimeout(resolve, 2000));
  }
}

beforeAll(() => {
  ensureTestUser();
  home = sh('getent', ['passwd', USER]).stdout.split(':')[5];
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-libvirt-'));
  chmodSync(work, 0o755);
  ok(sh('chown', [USER, work]), 'chown');
  // the user's key pair for the config drive
  ok(sh('runuser', ['-u', USER, '--', 'ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', path.join(work, 'id_ed25519')]), 'ssh-keygen');
  writeFileSync(path.join(work, 'user-data'), '#cloud-config\nhostname: from-config-drive\n');
});

afterAll(() => {
  // Only the domains this file defined, by name; the session libvirtd exits by itself when idle.
  for (const name of defined) {
    virsh('destroy', name);
    virsh('undefine', '--nvram', name);
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the test user is an ordinary user whose session libvirt has the qemu (TCG) domain type', () => {
  // WHEN
  const caps = ok(virsh('capabilities'), 'virsh capabilities');
  // THEN
  expect(sh('id', ['-u', USER]).stdout.trim()).not.toBe('0');
  expect(caps.stdout).toContain("<domain type='qemu'/>");
});

describe('GIVEN the Debian fixture built as qcow2 with --libvirt-xml and a config drive', () => {
  const name = `cdvm-bios-${process.pid}`;
  let xmlFile: string;
  let consoleLog: string;

  beforeAll(() => {
    xmlFile = path.join(work, 'bios.xml');
    consoleLog = path.join(work, 'bios-console.log');
    buildAs([
      '--output', path.join(work, 'bios.qcow2'), '--libvirt-xml', xmlFile, '--libvirt-name', name, '--libvirt-domain-type', 'qemu',
      '--libvirt-memory', '768', '--libvirt-cpus', '2', '--libvirt-console-log', consoleLog,
      '--libvirt-ssh-key', path.join(work, 'id_ed25519.pub'), '--libvirt-user-data', path.join(work, 'user-data'),
    ]);
  }, 1_500_000);

  test('the XML is valid for libvirt\'s schema and names the image and the config drive by absolute path', () => {
    // THEN
    expectValidDomainXml(xmlFile);
    const xml = readFileSync(xmlFile, 'utf8');
    expect(xml).toContain(`<source file='${path.join(work, 'bios.qcow2')}'/>`);
    expect(xml).toContain(`<source file='${path.join(work, 'bios-config-2.iso')}'/>`);
  });

  test('the config drive is ISO9660 labelled config-2 with the key and the user data', () => {
    // WHEN
    const iso = path.join(work, 'bios-config-2.iso');
    const label = sh('isoinfo', ['-d', '-i', iso]).stdout;
    const meta = sh('isoinfo', ['-R', '-x', '/openstack/latest/meta_data.json', '-i', iso]).stdout;
    const userData = sh('isoinfo', ['-R', '-x', '/openstack/latest/user_data', '-i', iso]).stdout;
    // THEN
    expect(label).toMatch(/^Volume id: config-2$/m);
    expect(JSON.parse(meta)).toMatchObject({ hostname: name, public_keys: { 0: readFileSync(path.join(work, 'id_ed25519.pub'), 'utf8').trim() } });
    expect(userData).toBe('#cloud-config\nhostname: from-config-drive\n');
  });

  test('virsh define and start it in the user\'s session; the serial console reaches a login prompt; destroy and undefine remove it', async () => {
    // WHEN
    ok(virsh('define', xmlFile), 'virsh define');
    defined.add(name);
    ok(virsh('start', name), 'virsh start');
    const consoleText = await waitForLogin(consoleLog, name);
    // THEN
    expect(consoleText).toContain('cdvm-probe: / is writable');
    const disks = ok(virsh('domblklist', name), 'virsh domblklist').stdout;
    expect(disks).toMatch(new RegExp(`vda\\s+${path.join(work, 'bios.qcow2')}`));
    expect(disks).toMatch(new RegExp(`vdb\\s+${path.join(work, 'bios-config-2.iso')}`));
    const live = ok(virsh('dumpxml', name), 'virsh dumpxml').stdout;
    expect(live).toMatch(/<domain type='qemu' id='\d+'>/);
    expect(live).toContain("<memory unit='KiB'>786432</memory>");
    expect(live).toMatch(/<interface type='user'>[\s\S]*<model type='virtio'\/>/);
    // WHEN
    ok(virsh('destroy', name), 'virsh destroy');
    ok(virsh('undefine', name), 'virsh undefine');
    defined.delete(name);
    // THEN
    expect(ok(virsh('list', '--all', '--name'), 'virsh list').stdout.split('\n')).not.toContain(name);
  });

  test('libvirt-xml writes a kvm domain for an existing image that libvirt\'s schema accepts', () => {
    const kvmXml = path.join(work, 'kvm.xml');
    // WHEN
    ok(runCli(['libvirt-xml', path.join(work, 'bios.qcow2'), '--output', kvmXml, '--network', 'default', '--quiet']), 'libvirt-xml');
    // THEN
    expectValidDomainXml(kvmXml);
    expect(readFileSync(kvmXml, 'utf8')).toMatch(/^<domain type='kvm'>[\s\S]*<cpu mode='host-passthrough'\/>[\s\S]*<source network='default'\/>/);
  });
});

describe('GIVEN the Debian fixture built for UEFI on GPT with --libvirt-xml', () => {
  const name = `cdvm-uefi-${process.pid}`;
  let xmlFile: string;
  let consoleLog: string;

  beforeAll(() => {
    xmlFile = path.join(work, 'uefi.xml');
    consoleLog = path.join(work, 'uefi-console.log');
    buildAs([
      '--firmware', 'uefi', '--partition-table', 'gpt', '--output', path.join(work, 'uefi.qcow2'),
      '--libvirt-xml', xmlFile, '--libvirt-name', name, '--libvirt-domain-type', 'qemu', '--libvirt-console-log', consoleLog,
    ]);
  }, 1_500_000);

  test('libvirt boots it with OVMF (no Secure Boot) to a login prompt; undefine --nvram removes it with its variable store', async () => {
    // GIVEN
    expectValidDomainXml(xmlFile);
    // WHEN
    ok(virsh('define', xmlFile), 'virsh define');
    defined.add(name);
    ok(virsh('start', name), 'virsh start');
    const consoleText = await waitForLogin(consoleLog, name);
    // THEN
    expect(consoleText).toMatch(/BdsDxe: starting Boot\d+/); // OVMF, not SeaBIOS, started the loader
    expect(consoleText).toContain('cdvm-probe: / is writable');
    const live = ok(virsh('dumpxml', name), 'virsh dumpxml').stdout;
    expect(live).toMatch(/<loader readonly='yes' type='pflash'>\/usr\/share\/OVMF\/OVMF_CODE[^<]*\.fd<\/loader>/);
    expect(live).not.toContain('secboot');
    // WHEN
    ok(virsh('destroy', name), 'virsh destroy');
    ok(virsh('undefine', '--nvram', name), 'virsh undefine --nvram');
    defined.delete(name);
    // THEN
    expect(ok(virsh('list', '--all', '--name'), 'virsh list').stdout.split('\n')).not.toContain(name);
  });
});

describe('GIVEN a stack with an ImageArtifact and a LibvirtDomain, applied by terraform', () => {
  const name = `cdvm-tf-${process.pid}`;
  let stackDir: string;
  let tf: Terraform;
  let domain: LibvirtDomain;
  let imagePath: string;
  let consoleLog: string;

  beforeAll(() => {
    const outdir = path.join(work, 'cdktf.out');
    consoleLog = path.join(work, 'tf-console.log');
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'libvirt-vm');
    new LocalBackend(stack, { path: 'terraform.tfstate' });
    const rootfs = new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromDockerfile(DEBIAN_FIXTURE) });
    const disk = new DiskImage(stack, 'Disk', { rootfs });
    const bootloader = new Bootloader(stack, 'Bootloader', { disk });
    const image = new ImageArtifact(stack, 'Image', { bootloader, format: DiskFormat.QCOW2 });
    domain = new LibvirtDomain(stack, 'Vm', {
      image,
      domainName: name,
      domainType: LibvirtDomainType.QEMU,
      consoleLogPath: consoleLog,
      configDrivePublicKey: readFileSync(path.join(work, 'id_ed25519.pub'), 'utf8'),
    });
    app.synth();
    stackDir = path.join(outdir, 'stacks', 'libvirt-vm');
    imagePath = path.join(stackDir, image.artifactPath);
    tf = new Terraform(stackDir, { CDKTF_DOCKER_VM_CACHE_DIR: path.join(work, 'cache') });
  });

  test('terraform apply writes the XML and config drive at xmlPath; the user defines and boots it to a login prompt; terraform destroy removes both', async () => {
    // WHEN
    tf.init();
    const apply = tf.apply();
    // THEN
    expect(apply).toContain('libvirt: wrote docker-vm-artifacts/libvirt-');
    const xmlFile = path.join(stackDir, domain.xmlPath);
    const isoFile = xmlFile.replace(/\.xml$/, '-config-2.iso');
    expect(readFileSync(xmlFile, 'utf8')).toContain(`<source file='${imagePath}'/>`);
    expect(readFileSync(xmlFile, 'utf8')).toContain(`<source file='${isoFile}'/>`);
    expectValidDomainXml(xmlFile);
    expect(sh('isoinfo', ['-d', '-i', isoFile]).stdout).toMatch(/^Volume id: config-2$/m);
    // GIVEN the user may open the image terraform (root here) wrote
    ok(sh('chown', ['-R', USER, path.join(work, 'cdktf.out')]), 'chown');
    // WHEN
    ok(virsh('define', xmlFile), 'virsh define');
    defined.add(name);
    ok(virsh('start', name), 'virsh start');
    const consoleText = await waitForLogin(consoleLog, name);
    // THEN
    expect(consoleText).toContain('cdvm-probe: / is writable');
    expect(ok(virsh('domblklist', name), 'virsh domblklist').stdout).toMatch(new RegExp(`vdb\\s+${isoFile}`));
    // WHEN
    ok(virsh('destroy', name), 'virsh destroy');
    ok(virsh('undefine', name), 'virsh undefine');
    defined.delete(name);
    tf.ok(['destroy', '-no-color', '-input=false', '-auto-approve'], 600_000);
    // THEN
    expect(existsSync(xmlFile)).toBe(false);
    expect(existsSync(isoFile)).toBe(false);
  }, 1_500_000);
});

test('build refuses --libvirt-xml with a compressed output: exit 2, nothing written', () => {
  // WHEN
  const run = runCli(['build', '--dockerfile', path.join(DEBIAN_FIXTURE, 'Dockerfile'), '--output', path.join(work, 'gz/vm.qcow2.gz'),
    '--libvirt-xml', path.join(work, 'gz/vm.xml'), '--cache-dir', path.join(work, 'cache')]);
  // THEN
  expect(run.status).toBe(2);
  expect(run.stderr).toContain('--libvirt-xml cannot be used with a gzip-compressed output');
  expect(existsSync(path.join(work, 'gz'))).toBe(false);
});
