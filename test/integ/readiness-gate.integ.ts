/**
 * The readiness gate's promise, with the real Terraform CLI: on a rollover the
 * deposed machine is destroyed only after the new machine's gate has passed.
 * A `terraform_data` stands in for a Droplet (create-before-destroy, replaced
 * when `generation` changes); the gate is the one `Droplet` builds
 * (readinessGate) and runs the real `wait-ready` against a port that a separate
 * process opens some seconds into the apply. (A destroy-time provisioner cannot
 * time the destruction: Terraform does not run them for deposed
 * create-before-destroy objects, so the order is read from Terraform's log.)
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, DataResource, TerraformStack, TerraformVariable } from 'cdktf';
import { Terraform } from './support/terraform';
import { readinessGate } from '../../src/constructs/digitalocean/readiness-gate';

const OPEN_AFTER_MS = 30_000;

let work: string;
let listener: ChildProcess | undefined;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>(resolve => server.close(() => resolve()));
  return port;
}

/** A process that opens the port after a delay and writes when it did. */
function openPortLater(port: number, marker: string): ChildProcess {
  const script = `setTimeout(() => require('net').createServer(s => s.end()).listen(${port}, '127.0.0.1', () => require('fs').writeFileSync(${JSON.stringify(marker)}, String(Date.now()))), ${OPEN_AFTER_MS});`;
  return spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
}

function synthStack(port: number): string {
  const outdir = path.join(work, 'cdktf.out');
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'gate');
  const generation = new TerraformVariable(stack, 'generation', { type: 'number', default: 1 });
  const machine = new DataResource(stack, 'Machine', {
    triggersReplace: { generation: generation.numberValue },
    lifecycle: { createBeforeDestroy: true },
  });
  readinessGate(stack, 'Ready1', { machineId: machine.id, host: '127.0.0.1', port, timeoutMinutes: 5 });
  app.synth();
  return path.join(outdir, 'stacks', 'gate');
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-gate-'));
});

afterAll(() => {
  listener?.kill();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('GIVEN a create-before-destroy machine with a readiness gate', () => {
  test('WHEN the machine is replaced THEN the deposed one is destroyed only after the new gate has seen the port open', async () => {
    // GIVEN generation 1 applied, its gate passing at once
    const port = await freePort();
    const opened = path.join(work, 'opened');
    const tf = new Terraform(synthStack(port));
    tf.init();
    const always = createServer(s => s.end());
    await new Promise<void>(resolve => always.listen(port, '127.0.0.1', resolve));
    try {
      const first = tf.ok(['apply', '-auto-approve', '-no-color', '-input=false']);
      expect(first).toMatch(/Apply complete! Resources: 2 added/);
    } finally {
      await new Promise<void>(resolve => always.close(() => resolve()));
    }

    // WHEN generation 2 replaces the machine while the port stays closed for a while
    listener = openPortLater(port, opened);
    const applyStarted = Date.now();
    const second = tf.ok(['apply', '-auto-approve', '-no-color', '-input=false', '-var', 'generation=2'], 600_000);

    // THEN the port opened only well into the apply, and the gate waited for it
    expect(second).toMatch(/Apply complete! Resources: 2 added, 0 changed, 2 destroyed\./);
    expect(existsSync(opened)).toBe(true);
    expect(Number(readFileSync(opened, 'utf8')) - applyStarted).toBeGreaterThanOrEqual(OPEN_AFTER_MS);
    const waited = Number(/ready: 127\.0\.0\.1:\d+ to accept a TCP connection answered after ([\d.]+) s/.exec(second)?.[1]);
    // (at least 5 s of waiting on a closed port, however slowly terraform reached the gate)
    expect(waited).toBeGreaterThanOrEqual(5);
    // AND Terraform destroyed the deposed machine only after the new gate was created
    const newMachine = second.search(/terraform_data\.Machine: Creation complete/);
    const gatePassed = second.search(/terraform_data\.Ready1: Creation complete/);
    const oldMachineGone = second.search(/terraform_data\.Machine \(deposed object \w+\): Destroying/);
    expect(newMachine).toBeGreaterThan(-1);
    expect(gatePassed).toBeGreaterThan(newMachine);
    expect(oldMachineGone).toBeGreaterThan(gatePassed);
  }, 900_000);
});
