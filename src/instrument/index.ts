export { default as traceClass } from './traceClass.js';
export { default as traceObject } from './traceObject.js';
export { instrument, parseInstrumentations } from './instrument.js';
export type { InstrumentOptions, InstrumentationName } from './instrument.js';
