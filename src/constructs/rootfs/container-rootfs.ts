import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Annotations } from 'cdktf';
import { Construct } from 'constructs';
import { RootfsSource } from './rootfs-source';
import { findUnpinnedImages } from './unpinned-images';
import { Inject, VmProfile } from './vm-setup';
import { RootfsSpec } from '../../builder/spec';
import { StageResource } from '../private/stage-resource';
import { requireProps } from '../private/validate';
import { TerraformData } from '../terraform/terraform-data';

/**
 * Properties of a ContainerRootfs.
 */
export interface ContainerRootfsProps {
  /**
   * Where the root filesystem comes from: a Dockerfile, an image or a tar.
   */
  readonly source: RootfsSource;

  /**
   * Whether the builder adds the VM parts the image lacks, in a derived build
   * (`FROM` the image) with the distribution's package manager: apt on Debian and
   * Ubuntu, apk on Alpine, dnf on Fedora, CentOS Stream, RHEL, Rocky and AlmaLinux.
   *
   * @default Inject.AUTO
   */
  readonly inject?: Inject;

  /**
   * Where the VM runs: decides which parts are required and whether the image is
   * prepared for many machines (no host keys, empty machine-id, locked root).
   *
   * @default VmProfile.GENERIC
   */
  readonly profile?: VmProfile;

  /**
   * Run the image's ENTRYPOINT/CMD (with its ENV, WORKDIR and USER) as a service
   * started at boot: a systemd unit `container-app.service`, or an OpenRC service
   * on Alpine. Images whose command is a shell or an init get no service.
   *
   * @default true
   */
  readonly runImageCommand?: boolean;
}

/**
 * The root filesystem of a VM, taken from a container: a flattened tar of the
 * image (`docker export`), built by `terraform apply` through a `terraform_data`
 * resource whose `triggers_replace.fingerprint` changes with the inputs.
 */
export class ContainerRootfs extends Construct {
  /**
   * sha256 (64 hex digits) of everything that decides the rootfs: the build
   * context's files (honouring `.dockerignore`), build args, target or image
   * reference or tar content, and the builder format version.
   */
  public readonly fingerprint: string;

  /** The `terraform_data` resource that builds the rootfs. */
  public readonly resource: TerraformData;

  /** The source this rootfs is made from. */
  public readonly source: RootfsSource;

  private readonly stage: StageResource;
  private readonly rootfsSpec: RootfsSpec;

  constructor(scope: Construct, id: string, props: ContainerRootfsProps) {
    super(scope, id);
    requireProps('ContainerRootfs', props, ['source']);
    this.source = props.source;
    this.rootfsSpec = {
      stage: 'rootfs',
      source: props.source._toSpec(),
      vm: {
        inject: props.inject ?? Inject.AUTO,
        profile: props.profile ?? VmProfile.GENERIC,
        appService: props.runImageCommand ?? true,
      },
    };
    this.stage = new StageResource(this, 'Build', { spec: this.rootfsSpec, extension: '.tar' });
    this.resource = this.stage;
    this.fingerprint = this.stage.fingerprint;
    this.warnAboutUnpinnedImages();
  }

  /**
   * Path of the rootfs tar, relative to the stack's synth directory (terraform's
   * working directory); wrap it in `Fn.abspath` for an absolute path.
   *
   * Reading it makes the build copy the artifact there; otherwise the artifact
   * stays in the builder cache only.
   */
  public get artifactPath(): string {
    return this.stage.requestArtifactPath();
  }

  /**
   * The builder spec of this stage.
   * @internal
   */
  public get _spec(): RootfsSpec {
    return this.rootfsSpec;
  }

  private warnAboutUnpinnedImages(): void {
    const src = this.rootfsSpec.source;
    if (src.kind === 'image') {
      if (!/@sha256:[0-9a-f]{64}$/i.test(src.reference)) {
        Annotations.of(this).addWarning(
          `image ${src.reference} is not pinned to a digest, so the fingerprint does not change when the tag moves and a stale rootfs is kept; ` +
          `pin it as ${src.reference}@sha256:<digest> (docker images --digests or docker buildx imagetools inspect show it)`);
      }
      return;
    }
    if (src.kind !== 'dockerfile') return;
    const text = readFileSync(path.join(src.contextDir, src.dockerfile), 'utf8');
    for (const image of findUnpinnedImages(text, src.buildArgs)) {
      Annotations.of(this).addWarning(
        `${src.dockerfile} line ${image.line}: FROM ${image.reference} is not pinned to a digest, so the fingerprint does not change when the tag moves and a stale rootfs is kept; ` +
        `pin it as FROM ${image.reference}@sha256:<digest> (docker images --digests or docker buildx imagetools inspect show it)`);
    }
  }
}
