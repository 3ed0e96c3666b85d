import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { Testing } from 'cdktf';
import { CustomImage, DockerVm, Droplet, Region, RootfsSource, SshKey } from '../../../../src';
import { makeContext, newStack } from '../../helpers';

/**
 * The DigitalOcean part of a synthesized stack: required_providers, the provider
 * block, every digitalocean_* resource and the readiness gates. The image fingerprint is replaced by a
 * placeholder so a builder change elsewhere does not touch this test.
 */
function digitaloceanPart(synth: string, fingerprint: string): unknown {
  const tf = JSON.parse(synth.split(fingerprint).join('<fingerprint>').split(fingerprint.slice(0, 12)).join('<fp12>'));
  const resources = Object.fromEntries(Object.entries(tf.resource).filter(([type]) => type.startsWith('digitalocean_')));
  // The readiness gates read the Droplets' computed id and ipv4_address.
  const gates = Object.fromEntries(Object.entries(tf.resource.terraform_data)
    .filter(([id]) => id.includes('_Ready'))
    .map(([id, gate]: [string, any]) => [id, { input: gate.input, triggers_replace: gate.triggers_replace }]));
  return { required_providers: tf.terraform.required_providers, provider: tf.provider, resource: resources, gates };
}

/**
 * What the commit before the library's own bindings synthesized for the stack
 * below, with the prebuilt @cdktf/provider-digitalocean 13.14.1 classes (its
 * SshKey included): generated once on that commit and kept as it came out.
 */
const BEFORE = {
  required_providers: {
    digitalocean: {
      source: 'digitalocean/digitalocean',
      version: '2.71.0',
    },
  },
  provider: {
    digitalocean: [
      {},
    ],
  },
  resource: {
    digitalocean_custom_image: {
      Hosted_Image_756EB330: {
        depends_on: [
          'terraform_data.Hosted_Probe_7FDBDF2E',
        ],
        description: 'imported by cdktf-docker-vm from https://example.com/images/app-1.4.qcow2.gz',
        distribution: 'Unknown',
        lifecycle: {
          create_before_destroy: true,
        },
        name: 'app-1.4',
        regions: [
          'nyc3',
        ],
        timeouts: {
          create: '60m',
        },
        url: 'https://example.com/images/app-1.4.qcow2.gz',
      },
      Web_Image_BAB6CE26: {
        depends_on: [
          'terraform_data.Web_Image_Upload_41883FFB',
        ],
        description: 'built by cdktf-docker-vm, fingerprint <fingerprint>',
        distribution: 'Unknown',
        lifecycle: {
          create_before_destroy: true,
        },
        name: 'docker-vm-<fp12>',
        regions: [
          'nyc3',
          'ams3',
        ],
        tags: [
          'web',
        ],
        timeouts: {
          create: '90m',
        },
        url: 'https://my-images.nyc3.digitaloceanspaces.com/docker-vm/<fingerprint>.qcow2.gz',
      },
    },
    digitalocean_droplet: {
      Web_Droplet_Droplet1_33763DBA: {
        depends_on: [
          'digitalocean_custom_image.Web_Image_BAB6CE26',
          'terraform_data.Web_Image_Seal_0418BF67',
        ],
        image: '${digitalocean_custom_image.Web_Image_BAB6CE26.image_id}',
        lifecycle: {
          create_before_destroy: true,
        },
        name: 'web-1',
        region: 'nyc3',
        size: 's-1vcpu-1gb',
        ssh_keys: [
          '12345',
          '${digitalocean_ssh_key.Key.id}',
        ],
        tags: [
          'web',
        ],
        user_data: '#cloud-config\n',
        vpc_uuid: '506f78a4-e098-11e5-ad9f-000f53306ae1',
      },
      Web_Droplet_Droplet2_44873CD8: {
        depends_on: [
          'digitalocean_custom_image.Web_Image_BAB6CE26',
          'terraform_data.Web_Image_Seal_0418BF67',
        ],
        image: '${digitalocean_custom_image.Web_Image_BAB6CE26.image_id}',
        lifecycle: {
          create_before_destroy: true,
        },
        name: 'web-2',
        region: 'nyc3',
        size: 's-1vcpu-1gb',
        ssh_keys: [
          '12345',
          '${digitalocean_ssh_key.Key.id}',
        ],
        tags: [
          'web',
        ],
        user_data: '#cloud-config\n',
        vpc_uuid: '506f78a4-e098-11e5-ad9f-000f53306ae1',
      },
      Worker_Droplet1_75EF6A04: {
        depends_on: [
          'digitalocean_custom_image.Hosted_Image_756EB330',
        ],
        image: '${digitalocean_custom_image.Hosted_Image_756EB330.image_id}',
        lifecycle: {
          create_before_destroy: true,
        },
        name: 'worker',
        region: 'nyc3',
        size: 's-1vcpu-1gb',
        ssh_keys: [
          '${digitalocean_ssh_key.Key.id}',
        ],
      },
    },
    digitalocean_spaces_bucket: {
      Web_Image_Bucket_10BD6E9A: {
        acl: 'private',
        name: 'my-images',
        region: 'nyc3',
      },
    },
    digitalocean_ssh_key: {
      Key: {
        name: 'me',
        public_key: 'ssh-ed25519 AAAA me',
      },
    },
  },
  gates: {
    Web_Droplet_Ready1_758F46A6: {
      input: {
        host: '${digitalocean_droplet.Web_Droplet_Droplet1_33763DBA.ipv4_address}',
        port: 80,
        timeoutSeconds: 600,
      },
      triggers_replace: {
        droplet: '${digitalocean_droplet.Web_Droplet_Droplet1_33763DBA.id}',
      },
    },
    Web_Droplet_Ready2_CFF01D60: {
      input: {
        host: '${digitalocean_droplet.Web_Droplet_Droplet2_44873CD8.ipv4_address}',
        port: 80,
        timeoutSeconds: 600,
      },
      triggers_replace: {
        droplet: '${digitalocean_droplet.Web_Droplet_Droplet2_44873CD8.id}',
      },
    },
  },
};

describe('DigitalOcean resources of a DockerVm', () => {
  test('synthesize the same blocks as the archived prebuilt bindings did', () => {
    // GIVEN a stack with the provider, a managed key, a VM with every Droplet prop and a hosted image
    const stack = newStack();
    new DigitaloceanProvider(stack, 'do', {});
    const key = new SshKey(stack, 'Key', { name: 'me', publicKey: 'ssh-ed25519 AAAA me' });
    const vm = new DockerVm(stack, 'Web', {
      source: RootfsSource.fromDockerfile(makeContext()),
      regions: [Region.NYC3, Region.AMS3],
      bucketName: 'my-images',
      sshKeyIds: ['12345'],
      sshKeys: [key],
      dropletCount: 2,
      userData: '#cloud-config\n',
      tags: ['web'],
      vpcUuid: '506f78a4-e098-11e5-ad9f-000f53306ae1',
      importTimeoutMinutes: 90,
      readinessPort: 80,
    });
    const hosted = CustomImage.fromUrl(stack, 'Hosted', { url: 'https://example.com/images/app-1.4.qcow2.gz', regions: [Region.NYC3] });
    new Droplet(stack, 'Worker', { image: hosted, sshKeys: [key] });
    // WHEN
    const part = digitaloceanPart(Testing.synth(stack), vm.customImage.fingerprint);
    // THEN
    expect(part).toEqual(BEFORE);
  });

  test('without a provider construct, the stack requires the provider with a lower bound and passes validation', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new DockerVm(stack, 'Web', { source: RootfsSource.fromDockerfile(makeContext()), regions: [Region.NYC3], bucketName: 'my-images', sshKeyIds: ['12345'] });
    // THEN
    const tf = JSON.parse(Testing.synth(stack, true));
    expect(tf.terraform.required_providers).toEqual({ digitalocean: { source: 'digitalocean/digitalocean', version: '>= 2.28.1' } });
    expect(tf.provider).toBeUndefined();
  });
});
