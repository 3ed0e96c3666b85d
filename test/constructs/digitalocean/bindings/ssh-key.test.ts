import { SshKey as PrebuiltSshKey } from '@cdktf/provider-digitalocean/lib/ssh-key';
import { TerraformOutput, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { synthesize } from './prebuilt';
import { SshKey } from '../../../../src';
import { newStack } from '../../helpers';

const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBgS me@laptop';

describe('SshKey', () => {
  test('synthesizes the same digitalocean_ssh_key, at the same address, as the prebuilt binding', () => {
    // GIVEN the same props, once for each binding
    const declare = (make: (stack: TerraformStack) => { id: string; fingerprint: string }) => (stack: TerraformStack) => {
      const key = make(stack);
      new TerraformOutput(stack, 'id', { value: key.id });
      new TerraformOutput(stack, 'fingerprint', { value: key.fingerprint });
    };
    // WHEN
    const prebuilt = synthesize(declare(stack => new PrebuiltSshKey(stack, 'Key', { name: 'me', publicKey: PUBLIC_KEY })));
    const ours = synthesize(declare(stack => new SshKey(stack, 'Key', { name: 'me', publicKey: PUBLIC_KEY })));
    // THEN
    expect(ours.json).toEqual(prebuilt.json);
    expect(ours.hcl).toEqual(prebuilt.hcl);
    expect(ours.json.output).toEqual({
      id: { value: '${digitalocean_ssh_key.Key.id}' },
      fingerprint: { value: '${digitalocean_ssh_key.Key.fingerprint}' },
    });
  });

  test('publicKey is the key as given, not a reference to the resource', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const key = new SshKey(stack, 'Key', { name: 'me', publicKey: PUBLIC_KEY });
    const fromVariable = new SshKey(stack, 'Other', { name: 'ci', publicKey: new TerraformVariable(stack, 'pub', { type: 'string' }).stringValue });
    // THEN
    expect(key.publicKey).toBe(PUBLIC_KEY);
    expect(Token.isUnresolved(fromVariable.publicKey)).toBe(true);
  });
});
