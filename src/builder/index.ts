export * from './spec';
export * from './pipeline';
export * from './boot/qemu';
export * from './common/cache';
export * from './common/errors';
export * from './common/progress';
export * from './common/tools';
export { main } from './cli';
