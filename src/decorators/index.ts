export { default as traced } from './traced.js';
export { default as Traceable } from './Traceable.js';
export { isTraced, unwrapTraced } from './utils.js';
export type * from './types.js';
