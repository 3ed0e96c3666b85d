import type { ImageConfig } from '../../../../src/builder/rootfs/image-config';
import { appServiceFiles, shQuote, skipReason, systemdQuote } from '../../../../src/builder/rootfs/vm/app-service';

const APP: ImageConfig = {
  entrypoint: ['/usr/local/bin/app'],
  cmd: ['8080'],
  env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'GREETING=hello "world" 100% $HOME'],
  workingDir: '/srv/app',
  user: 'app:staff',
};

describe('app service: systemd', () => {
  test('ENTRYPOINT+CMD, ENV, WORKDIR and USER become the unit', () => {
    // GIVEN an image config with an entrypoint, a cmd, env, workdir and user:group
    // WHEN the systemd unit is generated
    const [unit] = appServiceFiles(APP, 'systemd', 'app:1');
    // THEN it is installed as container-app.service, enabled for multi-user, with every part of the config
    expect(unit.path).toBe('etc/systemd/system/container-app.service');
    expect(unit.content).toContain('ExecStart="/usr/local/bin/app" "8080"');
    expect(unit.content).toContain('Environment="PATH=/usr/local/bin:/usr/bin:/bin"');
    // quotes escaped, % doubled (specifier), $ kept (Environment= does not expand variables)
    expect(unit.content).toContain('Environment="GREETING=hello \\"world\\" 100%% $HOME"');
    expect(unit.content).toContain('WorkingDirectory=/srv/app');
    expect(unit.content).toContain('User=app\nGroup=staff');
    expect(unit.content).toContain('WantedBy=multi-user.target');
    expect(unit.content).toContain('After=network-online.target');
  });

  test('a command found through PATH runs via /usr/bin/env (systemd ignores the image PATH)', () => {
    // GIVEN a shell-form-less relative command
    const [unit] = appServiceFiles({ ...APP, entrypoint: [], cmd: ['node', 'server.js'], user: '' }, 'systemd', 'x');
    // THEN env finds it with the image's PATH, and no User= line runs it as root like docker
    expect(unit.content).toContain('ExecStart="/usr/bin/env" "--" "node" "server.js"');
    expect(unit.content).not.toContain('User=');
  });

  test('ExecStart doubles $ so systemd passes it literally, like docker exec form', () => {
    expect(systemdQuote('$HOME', 'exec')).toBe('"$$HOME"');
    expect(systemdQuote('a\\b\nc', 'exec')).toBe('"a\\\\b\\nc"');
  });
});

describe('app service: OpenRC', () => {
  test('init script and conf.d with exported ENV, all single-quoted', () => {
    // GIVEN the same config on Alpine
    const [script, conf] = appServiceFiles({ ...APP, cmd: ['it\'s'] }, 'openrc', 'app:1');
    // THEN the script runs the command as the user in the workdir, and conf.d exports the env
    expect(script.path).toBe('etc/init.d/container-app');
    expect(script.mode).toBe(0o755);
    expect(script.content).toContain('#!/sbin/openrc-run');
    expect(script.content).toContain("command='/usr/local/bin/app'");
    expect(script.content).toContain(`command_args=${shQuote(shQuote('it\'s'))}`);
    expect(script.content).toContain("command_user='app:staff'");
    expect(script.content).toContain("directory='/srv/app'");
    expect(conf.content).toContain('export GREETING=\'hello "world" 100% $HOME\'');
  });
});

describe('skipReason', () => {
  test.each([
    [{ entrypoint: [], cmd: [] }, 'no ENTRYPOINT or CMD'],
    [{ entrypoint: [], cmd: ['bash'] }, 'a shell or an init'],
    [{ entrypoint: [], cmd: ['/bin/sh'] }, 'a shell or an init'],
    [{ entrypoint: ['/sbin/init'], cmd: [] }, 'a shell or an init'],
  ])('%j is not a service', (cmds, reason) => {
    expect(skipReason({ ...APP, ...cmds })).toContain(reason);
  });

  test('a real program is', () => {
    expect(skipReason(APP)).toBeUndefined();
    expect(skipReason({ ...APP, entrypoint: [], cmd: ['/bin/sh', '-c', 'exec app'] })).toBeUndefined();
  });
});
