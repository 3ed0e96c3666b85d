import { cloudInitFinished, parseCloudInitStatus, sshArgv, sshCommandLine } from '../../../src/builder/preview/ssh-wait';

const TARGET = { exe: '/usr/bin/ssh', privateKey: '/k/id', port: 40022, user: 'root' };

describe('sshArgv', () => {
  test('logs in with the key on the 127.0.0.1 forward without prompts or known_hosts', () => {
    // WHEN
    const argv = sshArgv(TARGET, ['cloud-init', 'status', '--wait']);
    // THEN
    expect(argv.slice(0, 4)).toEqual(['-i', '/k/id', '-p', '40022']);
    expect(argv).toEqual(expect.arrayContaining(['BatchMode=yes', 'StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null']));
    expect(argv.slice(-4)).toEqual(['root@127.0.0.1', 'cloud-init', 'status', '--wait']);
  });

  test('quotes each command word for the guest shell', () => {
    // WHEN
    const argv = sshArgv(TARGET, ['sh', '-c', "echo 'ok' > /tmp/x && cat /tmp/x"]);
    // THEN
    expect(argv.slice(-3)).toEqual(['sh', '-c', String.raw`'echo '\''ok'\'' > /tmp/x && cat /tmp/x'`]);
  });

  test('puts extra options before the destination', () => {
    // WHEN
    const argv = sshArgv(TARGET, ['true'], ['-o', 'PubkeyAuthentication=no']);
    // THEN
    expect(argv.indexOf('PubkeyAuthentication=no')).toBeLessThan(argv.indexOf('root@127.0.0.1'));
  });
});

describe('sshCommandLine', () => {
  test('quotes a key path with spaces for the shell', () => {
    expect(sshCommandLine({ ...TARGET, privateKey: "/my keys/it's" }))
      .toBe('ssh -i \'/my keys/it\'\\\'\'s\' -p 40022 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null root@127.0.0.1');
  });
});

describe('cloud-init status', () => {
  test.each([
    ['\nstatus: done\n', 'done', true, true],
    ['status: error\n', 'error', true, false],
    ['status: degraded done\n', 'degraded done', true, false],
    ['status: running\n', 'running', false, false],
    ['', 'unknown', false, false],
  ])('reads %j as %s', (out, status, finished, ok) => {
    expect(parseCloudInitStatus(out)).toBe(status);
    expect(cloudInitFinished(status)).toEqual({ finished, ok });
  });
});
