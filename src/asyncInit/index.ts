export { default as instrumentAsyncInit } from './instrumentAsyncInit.js';
export { findAsyncInit } from './detect.js';
export {
  installLifecycle,
  installInstanceLifecycle,
  withConstructHook,
} from './install.js';
export type {
  InstrumentAsyncInitOptions,
  Instrumentation,
} from './instrumentAsyncInit.js';
export type { AsyncInitInfo } from './detect.js';
export type { LifecycleConfig, Phase } from './lifecycle.js';
