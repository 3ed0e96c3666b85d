// Compares the library's bindings with the archived prebuilt ones
// (@cdktf/provider-digitalocean 13.14.1, kept as a devDependency for this).
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { newStack } from '../../helpers';

/** The prebuilt bindings' spelling of the library's `createBeforeDestroy` prop. */
export function asPrebuilt<T extends { readonly createBeforeDestroy?: boolean }>(props: T): T & { lifecycle?: { createBeforeDestroy: boolean } } {
  return { ...props, lifecycle: props.createBeforeDestroy === undefined ? undefined : { createBeforeDestroy: props.createBeforeDestroy } };
}

/** What a stack synthesizes, in JSON (resources and outputs) and in HCL. */
export interface Synthesized {
  readonly json: { readonly resource: unknown; readonly output: unknown };
  readonly hcl: string;
}

/**
 * Synthesizes `declare` once in a stack of its own, with the provider
 * declared, so that JSON and HCL differ only where the resource blocks do.
 */
export function synthesize(declare: (stack: TerraformStack) => void): Synthesized {
  const stack = newStack();
  new DigitaloceanProvider(stack, 'do', {});
  declare(stack);
  const tf = JSON.parse(Testing.synth(stack));
  return { json: { resource: tf.resource, output: tf.output }, hcl: Testing.synthHcl(stack) };
}
