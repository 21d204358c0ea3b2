export { timeOrigin, perfToEpochMicros, timeInputToPerf } from './time.js';
export {
  processObject,
  processEnv,
  getBuiltin,
  runtimeInfo,
  processInfo,
  processHooks,
} from './platform.js';
export {
  truncate,
  safeJson,
  toAttributeValue,
  mergeAttributes,
  setAttributeOn,
  sanitizeAttributes,
} from './attributes.js';
export { describeException } from './exceptions.js';
export { w3cSpanId } from './ids.js';
export { watchThenable } from './thenables.js';
export { boundCall } from './bound.js';
