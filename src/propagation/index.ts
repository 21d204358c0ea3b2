export {
  traceparentHeader,
  tracestateHeader,
  parseTraceParent,
  formatTraceParent,
  isValidTraceState,
  injectTraceContext,
  extractTraceContext,
} from './traceContext.js';
export type { Carrier } from './traceContext.js';
