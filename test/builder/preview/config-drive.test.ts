import { checkHostname, checkPublicKey, planConfigDrive } from '../../../src/builder/preview/config-drive';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB8hW2q0v3Xz preview@test';

describe('planConfigDrive', () => {
  test('writes meta_data.json with the uuid, hostname and the key in both forms cloud-init reads', () => {
    // WHEN
    const plan = planConfigDrive({ uuid: 'u-1', hostname: 'web-1', publicKey: `${KEY}\n` }, '/tmp/stage', '/tmp/cd.iso');
    // THEN
    expect(plan.files.map(f => f.path)).toEqual(['openstack/latest/meta_data.json']);
    const meta = JSON.parse(plan.files[0].content as string);
    expect(meta).toMatchObject({
      uuid: 'u-1',
      hostname: 'web-1',
      public_keys: { 0: KEY },
      keys: [{ type: 'ssh', data: KEY }],
    });
  });

  test('lists every key once: the login key first, then the Droplets\' keys from a spec', () => {
    // GIVEN a login key that is also one of two spec keys
    const other = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 other@test';
    // WHEN
    const plan = planConfigDrive({ uuid: 'u', hostname: 'h', publicKey: KEY, extraPublicKeys: [other, `${KEY}\n`] }, '/tmp/stage', '/tmp/cd.iso');
    // THEN both appear once, in both forms
    const meta = JSON.parse(plan.files[0].content as string);
    expect(meta.public_keys).toEqual({ 0: KEY, 1: other });
    expect(meta.keys.map((k: { data: string }) => k.data)).toEqual([KEY, other]);
  });

  test('adds user_data byte for byte when given', () => {
    // GIVEN
    const userData = Buffer.from('#!/bin/sh\necho \xff\n', 'latin1');
    // WHEN
    const plan = planConfigDrive({ uuid: 'u', hostname: 'h', publicKey: KEY, userData }, '/tmp/stage', '/tmp/cd.iso');
    // THEN
    const file = plan.files.find(f => f.path === 'openstack/latest/user_data');
    expect(file?.content).toEqual(userData);
  });

  test('makes an ISO9660 volume labelled config-2 from the staging dir', () => {
    // WHEN
    const plan = planConfigDrive({ uuid: 'u', hostname: 'h', publicKey: KEY }, '/tmp/stage', '/tmp/cd.iso');
    // THEN
    expect(plan.call).toEqual({ tool: 'genisoimage', args: ['-quiet', '-o', '/tmp/cd.iso', '-V', 'config-2', '-J', '-R', '/tmp/stage'] });
  });
});

describe('checkPublicKey', () => {
  test.each([KEY, 'ssh-rsa AAAAB3NzaC1yc2E=', 'ecdsa-sha2-nistp256 AAAAE2VjZHNh x'])('accepts %s', key => {
    expect(checkPublicKey(key)).toBeUndefined();
  });

  test('fails when given a private key', () => {
    expect(checkPublicKey('-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n')).toMatch(/holds a private key; pass the \.pub file/);
  });

  test('fails when the file is empty', () => {
    expect(checkPublicKey('')).toMatch(/ssh-keygen/);
  });
});

describe('checkHostname', () => {
  test.each(['preview', 'web-1', 'a.example.com'])('accepts %s', name => {
    expect(checkHostname(name)).toBeUndefined();
  });

  test.each(['', '-web', 'web_1', 'a..b', 'x'.repeat(64)])('fails when the hostname is %j', name => {
    expect(checkHostname(name)).toBeDefined();
  });
});
