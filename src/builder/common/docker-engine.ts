import { DockerUnavailableError, ToolFailedError } from './errors';
import { ToolRunner } from './tools';

/** Fails with what to do when the docker engine does not answer. */
export async function checkDockerEngine(tools: ToolRunner): Promise<void> {
  try {
    await tools.run({ tool: 'docker', args: ['version', '--format', '{{.Server.Version}}'] }, { timeoutMs: 30_000 });
  } catch (e) {
    if (!(e instanceof ToolFailedError)) throw e;
    throw new DockerUnavailableError(
      `the docker engine does not answer (${e.stderrTail.split('\n').pop() ?? 'no reply'}); ` +
      'start it (systemctl start docker, or run dockerd) and make sure this user may use it (member of the docker group, or DOCKER_HOST set)',
    );
  }
}
