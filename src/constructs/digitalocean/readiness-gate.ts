import { Construct } from 'constructs';
import { builderCommand } from '../private/builder-command';
import { TerraformData } from '../terraform/terraform-data';

/** What one gate waits for. */
export interface ReadinessGateTarget {
  /** The machine's id: a new machine is a new gate. */
  readonly machineId: string;
  readonly host: string;
  readonly port: number;
  readonly httpPath?: string;
  /** @default 10 */
  readonly timeoutMinutes?: number;
}

const DEFAULT_TIMEOUT_MINUTES = 10;

/**
 * A `terraform_data` that runs `wait-ready` for one machine. It is replaced with
 * the machine (triggers_replace is its id) and is create-before-destroy like it,
 * so Terraform creates the new gate, which waits, before it destroys the deposed machine.
 */
export function readinessGate(scope: Construct, id: string, target: ReadinessGateTarget): TerraformData {
  const gate = new TerraformData(scope, id, {
    triggersReplace: { droplet: target.machineId },
    input: {
      host: target.host,
      port: target.port,
      httpPath: target.httpPath,
      timeoutSeconds: (target.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES) * 60,
    },
    createBeforeDestroy: true,
  });
  gate.provisioners = [builderCommand('wait-ready')];
  return gate;
}
