import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { FileHashCache } from '../../src/builder/common/hash-cache';
import { fingerprintSpec } from '../../src/builder/fingerprints';
import { DockerVm, Region, RootfsSource } from '../../src';
import { timed } from './measure';

/**
 * `cdktf synth` of a stack with `count` DockerVm (each its own build context), in this process.
 * `skipValidation` is the App option that skips the construct validations, among them
 * TerraformData's `terraform version` check (once per stack).
 */
export function synthSeconds(work: string, count: number, skipValidation: boolean): number {
  const contexts = Array.from({ length: count }, (_, i) => {
    const dir = path.join(work, 'synth-contexts', `vm-${i}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'Dockerfile'), `FROM debian:bookworm@sha256:${'a'.repeat(64)}\nRUN echo ${i}\n`);
    return dir;
  });
  return timed(() => {
    const app = new App({ outdir: path.join(work, 'synth-out'), skipValidation });
    const stack = new TerraformStack(app, 'fifty');
    new DigitaloceanProvider(stack, 'digitalocean', {});
    contexts.forEach((dir, i) => new DockerVm(stack, `Vm${i}`, {
      source: RootfsSource.fromDockerfile(dir), regions: [Region.NYC3], bucketName: 'bench-images', sshKeyIds: ['1'],
    }));
    app.synth();
  }).seconds;
}

/** A build context of `mib` MiB in 1 MiB files; fingerprint it cold, then again from a fresh process-like cache. */
export function contextFingerprintSeconds(work: string, mib: number): { cold: number; warm: number; same: boolean } {
  const dir = path.join(work, 'big-context');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM debian:bookworm\nCOPY . /data\n');
  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < mib; i++) {
    block.writeUInt32LE(i, 0);
    writeFileSync(path.join(dir, `part-${String(i).padStart(5, '0')}.bin`), block);
  }
  // window 0: these files were written a moment ago; real contexts are older than the default 2 s window
  const spec = { stage: 'rootfs' as const, source: { kind: 'dockerfile' as const, contextDir: dir, dockerfile: 'Dockerfile', buildArgs: {} } };
  const store = path.join(work, 'file-hashes.json');
  const cold = timed(() => fingerprintSpec(spec, work, new FileHashCache(store, 0)));
  const warm = timed(() => fingerprintSpec(spec, work, new FileHashCache(store, 0)));
  return { cold: cold.seconds, warm: warm.seconds, same: cold.value === warm.value };
}
