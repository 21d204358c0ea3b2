export {
  timeOrigin,
  maxEpochMs,
  perfToEpochMicros,
  timeInputToPerf,
  isTimeInput,
} from './time.js';
export {
  processObject,
  processEnv,
  getBuiltin,
  runtimeInfo,
  processInfo,
  processHooks,
} from './platform.js';
export {
  unreadable,
  valueUnreadable,
  keyCut,
  toText,
  truncate,
  safeJson,
  toAttributeValue,
  mergeAttributes,
  setAttributeOn,
  sanitizeAttributes,
} from './attributes.js';
export { exitHooks, stopSignals } from './signals.js';
export { describeException } from './exceptions.js';
export { w3cSpanId } from './ids.js';
export { watchThenable, isNativePromise } from './thenables.js';
export { boundCall } from './bound.js';
export { kindOf, statusCodeOf } from './codes.js';
