import * as path from 'node:path';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { DockerVm, LocalPreview, Region, RootfsSource } from '../../../src';

export const SPEC_VM_HOSTNAME = 'spec-vm';
export const SPEC_USER_DATA = '#!/bin/sh\necho "spec user_data ran on $(hostname)" > /dev/console\n';

/**
 * Synthesizes a DockerVm on this build context with a LocalPreview, as a user's
 * stack would (no apply), and returns the preview spec file it wrote.
 */
export function synthLocalPreview(contextDir: string, publicKeyFile: string): string {
  const stack = new TerraformStack(Testing.app(), 'preview');
  new DigitaloceanProvider(stack, 'do', {});
  const vm = new DockerVm(stack, 'SpecVm', {
    source: RootfsSource.fromDockerfile(contextDir),
    regions: [Region.NYC3],
    bucketName: 'preview-test-images',
    sshKeyIds: ['1'],
    dropletName: SPEC_VM_HOSTNAME,
    userData: SPEC_USER_DATA,
  });
  const preview = new LocalPreview(stack, 'Preview', { vm, sshPublicKeyFiles: [publicKeyFile] });
  const outdir = Testing.fullSynth(stack);
  return path.join(outdir, 'stacks', 'preview', preview.specFilePath);
}
