import { DockerUnavailableError, ToolFailedError } from './errors';
import { ToolRunner } from './tools';

/**
 * Fails with what to do when the docker engine does not answer. The engine is the one
 * the docker CLI picks (DOCKER_HOST, else DOCKER_CONTEXT, else the current docker
 * context); it may be on another machine, since every call streams through the CLI.
 */
export async function checkDockerEngine(tools: ToolRunner): Promise<void> {
  try {
    await tools.run({ tool: 'docker', args: ['version', '--format', '{{.Server.Version}}'] }, { timeoutMs: 30_000 });
  } catch (e) {
    if (!(e instanceof ToolFailedError)) throw e;
    const reason = e.stderrTail.split('\n').pop() || (e.status === null ? 'no reply within 30 s' : 'no reply');
    throw new DockerUnavailableError(engineUnavailableMessage(reason, process.env));
  }
}

/** The error for an engine that does not answer, naming the setting that chose it. No I/O. */
export function engineUnavailableMessage(reason: string, env: NodeJS.ProcessEnv): string {
  // The docker CLI's order: a non-empty DOCKER_HOST wins over DOCKER_CONTEXT.
  if (env.DOCKER_HOST) {
    return `the docker engine does not answer at DOCKER_HOST=${env.DOCKER_HOST} (${reason}); ` +
      'start it there, or set DOCKER_HOST to an engine that runs (unix:///var/run/docker.sock, ssh://user@host), ' +
      'or unset DOCKER_HOST to use the current docker context';
  }
  if (env.DOCKER_CONTEXT) {
    return `the docker engine does not answer for DOCKER_CONTEXT=${env.DOCKER_CONTEXT} (${reason}); ` +
      `start it, or check the context (docker context inspect ${env.DOCKER_CONTEXT}), ` +
      'or set DOCKER_CONTEXT to one that docker context ls lists';
  }
  return `the docker engine does not answer (${reason}); ` +
    'start it (systemctl start docker, or run dockerd) and make sure this user may use it (member of the docker group); ' +
    'for an engine on another machine set DOCKER_HOST or DOCKER_CONTEXT';
}
