export { default as instrumentHttp } from './instrumentHttp.js';
export { default as instrumentFetch } from './instrumentFetch.js';
export type {
  HttpInstrumentationOptions,
  InstrumentHttpOptions,
  HttpInstrumentation,
} from './types.js';
