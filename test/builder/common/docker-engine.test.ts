import { engineUnavailableMessage } from '../../../src/builder/common/docker-engine';

describe('engineUnavailableMessage', () => {
  const reason = 'Cannot connect to the Docker daemon at unix:///x.sock. Is the docker daemon running?';

  test('names DOCKER_HOST and its value, and how to fix or unset it', () => {
    const message = engineUnavailableMessage(reason, { DOCKER_HOST: 'ssh://builder@build-host' });
    expect(message).toBe(
      `the docker engine does not answer at DOCKER_HOST=ssh://builder@build-host (${reason}); start it there, ` +
      'or set DOCKER_HOST to an engine that runs (unix:///var/run/docker.sock, ssh://user@host), or unset DOCKER_HOST to use the current docker context',
    );
  });

  test('names DOCKER_HOST, not DOCKER_CONTEXT, when both are set (the docker CLI takes DOCKER_HOST)', () => {
    const message = engineUnavailableMessage(reason, { DOCKER_HOST: 'unix:///x.sock', DOCKER_CONTEXT: 'remote' });
    expect(message).toMatch(/^the docker engine does not answer at DOCKER_HOST=unix:\/\/\/x\.sock /);
    expect(message).not.toContain('DOCKER_CONTEXT');
  });

  test('names DOCKER_CONTEXT and the commands that show contexts', () => {
    const message = engineUnavailableMessage('context "remote": context not found', { DOCKER_HOST: '', DOCKER_CONTEXT: 'remote' });
    expect(message).toBe(
      'the docker engine does not answer for DOCKER_CONTEXT=remote (context "remote": context not found); ' +
      'start it, or check the context (docker context inspect remote), or set DOCKER_CONTEXT to one that docker context ls lists',
    );
  });

  test('with neither set, says how to start a local engine and how to choose a remote one', () => {
    const message = engineUnavailableMessage(reason, {});
    expect(message).toBe(
      `the docker engine does not answer (${reason}); start it (systemctl start docker, or run dockerd) ` +
      'and make sure this user may use it (member of the docker group); for an engine on another machine set DOCKER_HOST or DOCKER_CONTEXT',
    );
  });
});
