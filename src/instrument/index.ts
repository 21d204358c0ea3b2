export { default as instrumentAsyncInit } from './instrumentAsyncInit.js';
export { default as traceClass } from './traceClass.js';
export { default as traceObject } from './traceObject.js';
export type {
  InstrumentAsyncInitOptions,
  Instrumentation,
} from './instrumentAsyncInit.js';
