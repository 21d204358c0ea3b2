export { default as traceClass } from './traceClass.js';
export { default as traceObject } from './traceObject.js';
