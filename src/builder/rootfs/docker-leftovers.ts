import * as os from 'node:os';
import { Progress } from '../common/progress';
import { ToolRunner } from '../common/tools';

/**
 * Label on every container and image this tool makes (export containers, imported
 * rootfs images, VM-layer images); its value is `<hostname>:<pid>` of the builder.
 */
export const TEMPORARY_LABEL = 'cdktf-docker-vm.temporary';

/** `KEY=VALUE` for this builder process. */
export function temporaryLabel(host = os.hostname(), pid = process.pid): string {
  return `${TEMPORARY_LABEL}=${host}:${pid}`;
}

/** A leftover is stale when its owner ran on this host and is gone; another host's, or a live one's, is not ours to judge. */
export function isStaleOwner(value: string, host: string, alive: (pid: number) => boolean): boolean {
  const sep = value.lastIndexOf(':');
  if (sep <= 0) return false;
  const pid = Number(value.slice(sep + 1));
  return value.slice(0, sep) === host && Number.isInteger(pid) && pid > 0 && !alive(pid);
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes this tool's containers and images left by builders that were killed
 * (SIGKILL, a power cut): found by the label, removed by id, never by name.
 */
export async function removeStaleLeftovers(tools: ToolRunner, progress: Progress): Promise<void> {
  const host = os.hostname();
  const stale = (rows: string) => rows.split('\n').filter(Boolean).map(row => row.split('\t'))
    .filter(([id, owner]) => id && owner !== undefined && isStaleOwner(owner, host, processAlive)).map(([id]) => id);
  const filter = ['--filter', `label=${TEMPORARY_LABEL}`];
  const containers = stale((await tools.run({
    tool: 'docker', args: ['container', 'ls', '--all', '--no-trunc', ...filter, '--format', `{{.ID}}\t{{.Label "${TEMPORARY_LABEL}"}}`],
  })).stdout);
  if (containers.length) {
    progress.step('rootfs', `removing ${containers.length} container(s) left by killed cdktf-docker-vm runs`);
    await tools.run({ tool: 'docker', args: ['container', 'rm', '--force', '--', ...containers] }, { cleanup: true });
  }
  const imageIds = (await tools.run({ tool: 'docker', args: ['image', 'ls', '--quiet', '--no-trunc', ...filter] })).stdout.split('\n').filter(Boolean);
  if (imageIds.length === 0) return;
  const images = stale((await tools.run({
    tool: 'docker', args: ['image', 'inspect', '--format', `{{.Id}}\t{{index .Config.Labels "${TEMPORARY_LABEL}"}}`, '--', ...new Set(imageIds)],
  })).stdout);
  if (images.length) {
    progress.step('rootfs', `removing ${images.length} image(s) left by killed cdktf-docker-vm runs`);
    await tools.run({ tool: 'docker', args: ['image', 'rm', '--force', '--no-prune', '--', ...images] }, { cleanup: true });
  }
}
