import { ITerraformDependable, listMapper, listMapperHcl, stringToHclTerraform, stringToTerraform, TerraformResourceConfig } from 'cdktf';

/**
 * The meta-arguments the library sets. The props take them flat rather than
 * cdktf's TerraformMetaArguments, whose members are unions (no union in the
 * public API); the others stay settable on the resource (`provider`, `lifecycle`, ...).
 */
export interface MetaArguments {
  readonly dependsOn?: ITerraformDependable[];
  readonly createBeforeDestroy?: boolean;
}

/**
 * The config a binding passes to `TerraformResource`: its type and the meta-arguments.
 *
 * No `terraformGeneratorMetadata`: cdktf's provider-presence validation would
 * then fail `app.synth()` for a stack without a provider construct, and such a
 * stack is fine (Terraform configures the provider from DIGITALOCEAN_TOKEN).
 * The required_providers entry comes from `requireDigitaloceanProvider` instead.
 */
export function resourceConfig(terraformResourceType: string, props: MetaArguments = {}): TerraformResourceConfig {
  return {
    terraformResourceType,
    dependsOn: props.dependsOn,
    lifecycle: props.createBeforeDestroy === undefined ? undefined : { createBeforeDestroy: props.createBeforeDestroy },
  };
}

/**
 * One argument of a resource as the bindings write it: a string, a set of
 * strings, or a nested block of string fields (`timeouts`).
 */
export type Argument =
  | { readonly kind: 'string'; readonly value?: string }
  | { readonly kind: 'stringSet'; readonly value?: string[] }
  | { readonly kind: 'block'; readonly value?: { readonly [field: string]: string | undefined }; readonly storageClassType: string };

/** A resource's arguments by Terraform name, in the order they are written. */
export type Arguments = { readonly [terraformName: string]: Argument };

/** The JSON attributes (`synthesizeAttributes`), as cdktf's generated bindings write them. */
export function argumentsToTerraform(args: Arguments): { [name: string]: any } {
  const out: { [name: string]: any } = {};
  for (const [name, arg] of Object.entries(args)) {
    if (arg.kind === 'string') out[name] = stringToTerraform(arg.value);
    else if (arg.kind === 'stringSet') out[name] = listMapper(stringToTerraform, false)(arg.value);
    else out[name] = arg.value === undefined ? undefined : mapFields(arg.value, stringToTerraform);
  }
  return out;
}

/** The HCL attributes (`synthesizeHclAttributes`), as cdktf's generated bindings write them. */
export function argumentsToHclTerraform(args: Arguments): { [name: string]: any } {
  const out: { [name: string]: any } = {};
  for (const [name, arg] of Object.entries(args)) {
    if (arg.value === undefined) continue;
    if (arg.kind === 'string') {
      out[name] = { value: stringToHclTerraform(arg.value), isBlock: false, type: 'simple', storageClassType: 'string' };
    } else if (arg.kind === 'stringSet') {
      out[name] = { value: listMapperHcl(stringToHclTerraform, false)(arg.value), isBlock: false, type: 'set', storageClassType: 'stringList' };
    } else {
      const fields = Object.fromEntries(Object.entries(arg.value)
        .filter(([, v]) => v !== undefined)
        .map(([field, v]) => [field, { value: stringToHclTerraform(v), isBlock: false, type: 'simple', storageClassType: 'string' }]));
      out[name] = { value: fields, isBlock: true, type: 'struct', storageClassType: arg.storageClassType };
    }
  }
  return out;
}

function mapFields(block: { readonly [field: string]: string | undefined }, fn: (v: string | undefined) => any): { [field: string]: any } {
  return Object.fromEntries(Object.entries(block).map(([field, v]) => [field, fn(v)]));
}
