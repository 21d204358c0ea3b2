import { Tracer } from '../../src/index.js';

/** A synchronous tracer writing to memory, and its records parsed. */
function collecting(options: Record<string, unknown> = {}) {
  const chunks: Array<string> = [];
  const tracer = new Tracer({
    output: (chunk: string) => chunks.push(chunk),
    sync: true,
    service: 'test',
    ...options,
  });
  const records = () =>
    chunks
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  return { tracer, records };
}

export { collecting };
