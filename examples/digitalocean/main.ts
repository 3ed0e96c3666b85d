// Dockerfile -> Spaces -> DigitalOcean custom image -> 2 Droplets.
//   export DIGITALOCEAN_TOKEN=... SPACES_ACCESS_KEY_ID=... SPACES_SECRET_ACCESS_KEY=...
//   export TF_VAR_bucket_name=my-unique-bucket TF_VAR_ssh_key_fingerprint=aa:bb:...
//   cd examples/digitalocean && npx cdktf deploy
// Then open http://<ipv4_address>/: the page is served by the Dockerfile's CMD (busybox httpd).
import * as path from 'node:path';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { App, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { Distribution, DockerVm, Region, RootfsSource } from '../../src'; // 'cdktf-docker-vm' in your app

export class DigitalOceanVmStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new DigitaloceanProvider(this, 'digitalocean', {}); // credentials come from the environment
    const bucketName = new TerraformVariable(this, 'bucket_name', { type: 'string' });
    const sshKey = new TerraformVariable(this, 'ssh_key_fingerprint', { type: 'string' });
    const vm = new DockerVm(this, 'Web', {
      source: RootfsSource.fromDockerfile(path.join(__dirname, 'app')),
      regions: [Region.NYC3],
      bucketName: bucketName.stringValue,
      distribution: Distribution.DEBIAN,
      sshKeyIds: [sshKey.stringValue],
      dropletCount: 2,
      // A rollover destroys the old Droplets only after each new one serves the page.
      readinessPort: 80,
      readinessHttpPath: '/',
    });
    new TerraformOutput(this, 'ipv4_addresses', { value: vm.droplet.ipv4Addresses });
  }
}

if (require.main === module) {
  const app = new App();
  new DigitalOceanVmStack(app, 'digitalocean-vm');
  app.synth();
}
