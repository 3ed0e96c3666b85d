/**
 * A real `terraform apply` of a synthesized stack holding the local stages
 * (Dockerfile -> rootfs -> disk -> bootloader -> qcow2): Terraform runs the
 * builder through local-exec, a second apply runs nothing, and a change
 * replaces exactly the stages whose fingerprint changed.
 *
 * The tests run in order on one stack, each starting from the state the one
 * before left.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PartitionTable } from '../../src';
import { ApplyAppOptions, ApplyAppSynth, StageInfo, synthApplyApp } from './fixtures/apply-app/stack';
import { DEBIAN_FIXTURE } from './support/builder';
import { Terraform, planBlock } from './support/terraform';

let work: string;
let contextDir: string;
let outdir: string;
let cacheDir: string;
let synth: ApplyAppSynth;
let tf: Terraform;

function resynth(options: Partial<ApplyAppOptions> = {}): ApplyAppSynth {
  synth = synthApplyApp({ contextDir, outdir, ...options });
  return synth;
}

const stages = (s: ApplyAppSynth): StageInfo[] => [s.rootfs, s.disk, s.bootloader, s.image];

/** What one resource's local-exec printed during an apply (the builder's progress lines). */
function provisionerLog(applyOutput: string, address: string): string {
  const prefix = `${address} (local-exec): `;
  return applyOutput.split('\n').filter(l => l.startsWith(prefix)).map(l => l.slice(prefix.length)).join('\n');
}

/** The plan line of a changed fingerprint: `~ fingerprint = "<old>" -> "<new>"`. */
function fingerprintChange(from: string, to: string): RegExp {
  return new RegExp(`~ fingerprint\\s+= "${from}" -> "${to}"`);
}

/** The plan line of a changed named input: `~ context = "<16 hex>" -> "<16 hex>"`. */
function inputChange(name: string): RegExp {
  return new RegExp(`~ ${name}\\s+= "[0-9a-f]{16}" -> "[0-9a-f]{16}"`);
}

function qemuImgFormat(file: string): string {
  const r = spawnSync('qemu-img', ['info', '--output=json', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`qemu-img info ${file} failed: ${r.error?.message ?? r.stderr}`);
  return (JSON.parse(r.stdout) as { format: string }).format;
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-apply-'));
  // A copy of the Debian boot fixture, so a test can edit the Dockerfile.
  contextDir = path.join(work, 'app');
  cpSync(DEBIAN_FIXTURE, contextDir, { recursive: true });
  outdir = path.join(work, 'cdktf.out');
  cacheDir = path.join(work, 'cache');
  resynth();
  tf = new Terraform(synth.stackDir, { CDKTF_DOCKER_VM_CACHE_DIR: cacheDir });
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('GIVEN a synthesized stack with ContainerRootfs, DiskImage, Bootloader and a qcow2 ImageArtifact', () => {
  test('terraform init and apply build the qcow2 at the artifactPath, running every stage', () => {
    // WHEN
    tf.init();
    const apply = tf.apply();
    // THEN
    const image = path.join(synth.stackDir, synth.imagePath);
    expect(synth.imagePath).toBe(`docker-vm-artifacts/${synth.image.fingerprint}-convert.qcow2`);
    expect(existsSync(image)).toBe(true);
    expect(qemuImgFormat(image)).toBe('qcow2');
    expect(apply).toMatch(/Apply complete! Resources: 4 added, 0 changed, 0 destroyed\./);
    expect(provisionerLog(apply, synth.rootfs.address)).toMatch(/rootfs: docker build [\s\S]*rootfs: built in /);
    expect(provisionerLog(apply, synth.disk.address)).toMatch(/disk: built in /);
    expect(provisionerLog(apply, synth.bootloader.address)).toMatch(/bootloader: built in /);
    expect(provisionerLog(apply, synth.image.address)).toMatch(/convert: built in /);
  }, 840_000); // above the inner terraform waits

  test('a second apply has no changes and runs no builder', () => {
    // WHEN
    const plan = tf.planExitCode();
    const apply = tf.apply();
    // THEN
    expect({ status: plan.status, stderr: plan.stderr }).toEqual({ status: 0, stderr: '' });
    expect(plan.stdout).toMatch(/No changes\./);
    expect(apply).toMatch(/Apply complete! Resources: 0 added, 0 changed, 0 destroyed\./);
    expect(apply).not.toMatch(/Provisioning with 'local-exec'|\(local-exec\)|built in|cached/);
  }, 840_000);

  test('the plan says why: an edited context file shows context on the rootfs and upstream on the stages after it', () => {
    // GIVEN one file of the build context edited
    const before = synth;
    const probe = path.join(contextDir, 'probe.sh');
    const original = readFileSync(probe, 'utf8');
    writeFileSync(probe, `${original}\n# edited\n`);
    try {
      resynth();
      // WHEN
      const plan = tf.plan();
      // THEN each stage's block names the input that changed, and only that one
      const rootfs = planBlock(plan, before.rootfs.address) ?? '';
      expect(rootfs).toMatch(inputChange('context'));
      for (const unchanged of ['dockerfile', 'build_args', 'target', 'vm']) expect(rootfs).not.toMatch(inputChange(unchanged));
      for (const stage of [before.disk, before.bootloader, before.image]) {
        const block = planBlock(plan, stage.address) ?? '';
        expect(block).toMatch(inputChange('upstream'));
        expect(block).not.toMatch(inputChange('options'));
      }
    } finally {
      writeFileSync(probe, original);
      resynth();
    }
    expect(tf.planExitCode().status).toBe(0);
  }, 840_000);

  test('a changed Dockerfile replaces the rootfs and every stage after it, and rebuilds the rootfs', () => {
    // GIVEN
    const before = synth;
    appendFileSync(path.join(contextDir, 'Dockerfile'), 'RUN echo changed > /etc/cdvm-change\n');
    const after = resynth();
    // WHEN
    const plan = tf.plan();
    const apply = tf.apply();
    // THEN
    expect(plan).toMatch(/Plan: 4 to add, 0 to change, 4 to destroy\./);
    for (const stage of stages(before)) expect(planBlock(plan, stage.address)).toMatch(/must be replaced/);
    const rootfsBlock = planBlock(plan, before.rootfs.address);
    // Terraform 1.11 prints no "# forces replacement" for terraform_data's triggers_replace:
    // "-/+" (destroy, then create) and "must be replaced" say it.
    expect(rootfsBlock).toMatch(/^-\/\+ resource "terraform_data"/m);
    expect(rootfsBlock).toMatch(/~ triggers_replace = \{/);
    expect(rootfsBlock).toMatch(fingerprintChange(before.rootfs.fingerprint, after.rootfs.fingerprint));
    expect(rootfsBlock).toMatch(inputChange('dockerfile'));
    expect(rootfsBlock).not.toMatch(inputChange('context'));
    const rootfsLog = provisionerLog(apply, after.rootfs.address);
    expect(rootfsLog).toMatch(/rootfs: docker build /);
    expect(rootfsLog).toMatch(/rootfs: built in /);
    expect(rootfsLog).not.toMatch(/rootfs: cached/);
    expect(qemuImgFormat(path.join(after.stackDir, after.imagePath))).toBe('qcow2');
    expect(tf.planExitCode().status).toBe(0);
  }, 840_000); // above the inner terraform waits

  test('a changed disk option keeps the rootfs, replaces the disk and what follows, and takes the rootfs from the cache', () => {
    // GIVEN
    const before = synth;
    const after = resynth({ partitionTable: PartitionTable.GPT });
    // WHEN
    const plan = tf.plan();
    const apply = tf.apply();
    // THEN
    expect(after.rootfs.fingerprint).toBe(before.rootfs.fingerprint);
    expect(plan).toMatch(/Plan: 3 to add, 0 to change, 3 to destroy\./);
    expect(planBlock(plan, before.rootfs.address)).toBeUndefined();
    for (const stage of [before.disk, before.bootloader, before.image]) expect(planBlock(plan, stage.address)).toMatch(/must be replaced/);
    expect(apply).not.toContain(`${after.rootfs.address}: Creating`);
    expect(apply).not.toMatch(/docker build|docker export|rootfs: built in/);
    const diskLog = provisionerLog(apply, after.disk.address);
    expect(diskLog).toMatch(/rootfs: cached/);
    expect(diskLog).toMatch(/disk: gpt table/);
    expect(diskLog).toMatch(/disk: built in /);
    expect(qemuImgFormat(path.join(after.stackDir, after.imagePath))).toBe('qcow2');
    expect(tf.planExitCode().status).toBe(0);
  }, 840_000); // above the inner terraform waits

  test('plan shows the old and the new fingerprint of exactly the stages that change', () => {
    // GIVEN
    const before = synth;
    const after = resynth({ partitionTable: PartitionTable.GPT, sizeGiB: 2 });
    // WHEN
    const plan = tf.plan();
    // THEN
    for (const stage of ['disk', 'bootloader', 'image'] as const) {
      expect(after[stage].fingerprint).not.toBe(before[stage].fingerprint);
      expect(planBlock(plan, before[stage].address)).toMatch(fingerprintChange(before[stage].fingerprint, after[stage].fingerprint));
    }
    expect(plan).toContain(`"docker-vm-artifacts/${before.image.fingerprint}-convert.qcow2" -> "docker-vm-artifacts/${after.image.fingerprint}-convert.qcow2"`);
    expect(plan).not.toContain(before.rootfs.fingerprint);
    expect(plan).toMatch(/Plan: 3 to add, 0 to change, 3 to destroy\./);
  }, 840_000);
});
