import { Tracer } from '../../dist/index.js';
import * as rewritten from './rewritten.js';
import * as original from './workload.js';

globalThis.runBench = async ({ n, rounds }) => {
  // JSON lines to a function that drops them, as a page with a sink would
  const tracer = new Tracer({ service: 'bench', output: () => {} });
  const variants = {
    'traced call, transformed': [rewritten, rewritten.tracedCall(tracer)],
    'traced call, original': [original, original.tracedCall(tracer)],
    'plain async call, transformed': [rewritten, rewritten.plainCall],
    'plain async call, original': [original, original.plainCall],
  };
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  // warm up, then alternate rounds so drift hits every variant alike
  for (const [mod, call] of Object.values(variants)) await mod.loop(call, n);
  for (let r = 0; r < rounds; r++) {
    for (const [name, [mod, call]] of Object.entries(variants)) {
      samples[name].push(await mod.loop(call, n));
    }
  }
  await tracer.flush();
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return Object.fromEntries(
    Object.entries(samples).map(([k, xs]) => [k, median(xs)]),
  );
};
