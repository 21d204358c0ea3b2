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
  const ratios = { 'traced call': [], 'plain async call': [] };
  // warm up, then measure each pair back to back, in alternating order, so
  // that the machine's drift hits both sides of a ratio alike
  for (const [mod, call] of Object.values(variants)) await mod.loop(call, n);
  for (let r = 0; r < rounds; r++) {
    for (const kind of Object.keys(ratios)) {
      const pair = [`${kind}, transformed`, `${kind}, original`];
      if (r % 2 === 1) pair.reverse();
      const ns = {};
      for (const name of pair) {
        const [mod, call] = variants[name];
        // the plain call is ~20x cheaper: more calls for a like duration
        ns[name] = await mod.loop(call, kind === 'traced call' ? n : n * 20);
        samples[name].push(ns[name]);
      }
      ratios[kind].push(ns[`${kind}, transformed`] / ns[`${kind}, original`]);
    }
  }
  await tracer.flush();
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return {
    ns: Object.fromEntries(
      Object.entries(samples).map(([k, xs]) => [k, median(xs)]),
    ),
    ratios: Object.fromEntries(
      Object.entries(ratios).map(([k, xs]) => [
        k,
        { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) },
      ]),
    ),
  };
};
