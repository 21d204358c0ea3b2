// `node --require spantrail/register`: CommonJS programs. The entry itself
// is ESM; Node >= 20.19 loads it synchronously through require(esm), so the
// instrumentation is in place before the program's first require. On older
// Node use `--import spantrail/register`, which works for CommonJS too.
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./register.js');
} catch (e: any) {
  if (e?.code === 'ERR_REQUIRE_ESM') {
    throw new Error(
      'spantrail/register: this Node cannot require ES modules; ' +
        'use `node --import spantrail/register` instead',
      { cause: e },
    );
  }
  throw e;
}
