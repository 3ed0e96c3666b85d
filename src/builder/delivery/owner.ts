/**
 * The object metadata that says which construct uploaded an image file, so the
 * seal step removes earlier generations of its own files and never anyone else's.
 * S3 sends it as the header x-amz-meta-cdktf-docker-vm-owner.
 */
export const OWNER_METADATA = 'cdktf-docker-vm-owner';
