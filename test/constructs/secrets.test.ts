import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { makeContext } from './helpers';
import { DockerVm, Region, RootfsSource } from '../../src';

const MARKERS = {
  DIGITALOCEAN_TOKEN: 'marker-do-token-6f1c2a',
  SPACES_ACCESS_KEY_ID: 'marker-spaces-key-9b3e7d',
  SPACES_SECRET_ACCESS_KEY: 'marker-spaces-secret-4a8c0f',
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('secrets', () => {
  const saved: { [name: string]: string | undefined } = {};
  beforeEach(() => {
    for (const [name, value] of Object.entries(MARKERS)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  afterEach(() => {
    for (const name of Object.keys(MARKERS)) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  test('credentials in the environment never reach the synthesized files', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'vm');
    new DigitaloceanProvider(stack, 'do', {});
    new DockerVm(stack, 'Web', {
      source: RootfsSource.fromDockerfile(makeContext()),
      regions: [Region.NYC3],
      bucketName: 'my-images',
      sshKeyIds: ['12345'],
      dropletCount: 2,
    });
    // WHEN
    const outdir = Testing.fullSynth(stack);
    // THEN
    const files = filesUnder(outdir);
    expect(files.some(f => f.endsWith('cdk.tf.json'))).toBe(true);
    expect(files.filter(f => f.includes('docker-vm-specs'))).toHaveLength(4);
    for (const file of files) {
      const content = readFileSync(file, 'utf8');
      for (const marker of Object.values(MARKERS)) {
        expect({ file, leaks: content.includes(marker) }).toEqual({ file, leaks: false });
      }
    }
  });
});
