// Dockerfile -> bootable qcow2 on this machine, no cloud account needed.
//   cd examples/local && npx cdktf deploy   (terraform >= 1.4, docker, mke2fs >= 1.47.1, ...)
import * as path from 'node:path';
import { App, Fn, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Bootloader, ContainerRootfs, DiskFormat, DiskImage, ImageArtifact, RootfsSource } from '../../src'; // 'cdktf-docker-vm' in your app

export class LocalVmStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const rootfs = new ContainerRootfs(this, 'Rootfs', { source: RootfsSource.fromDockerfile(path.join(__dirname, 'app')) });
    const disk = new DiskImage(this, 'Disk', { rootfs });
    const bootloader = new Bootloader(this, 'Bootloader', { disk });
    const image = new ImageArtifact(this, 'Image', { bootloader, format: DiskFormat.QCOW2 });
    // The path is relative to terraform's working directory; abspath makes it usable anywhere.
    new TerraformOutput(this, 'image_path', { value: Fn.abspath(image.artifactPath) });
    new TerraformOutput(this, 'image_fingerprint', { value: image.fingerprint });
  }
}

if (require.main === module) {
  const app = new App();
  new LocalVmStack(app, 'local-vm');
  app.synth();
}
