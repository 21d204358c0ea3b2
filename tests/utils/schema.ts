import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';

const schemaPath = path.join(
  import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname),
  '../../docs/format.schema.json',
);
const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));

/** Throws with the record and ajv's errors when `record` breaks the schema. */
function assertRecord(record: unknown): void {
  if (!validate(record)) {
    throw new Error(
      `record does not match docs/format.schema.json: ${JSON.stringify(record)}\n${JSON.stringify(validate.errors)}`,
    );
  }
}

/**
 * Parses JSONL text: every line must be valid JSON and match the schema.
 */
function parseTrace(text: string): Array<any> {
  const lines = text.split('\n');
  if (lines[lines.length - 1] !== '') {
    throw new Error('trace does not end with a newline');
  }
  return lines.slice(0, -1).map((line) => {
    const record = JSON.parse(line);
    if (!line.startsWith('{"type":'))
      throw new Error(`type is not first: ${line}`);
    assertRecord(record);
    return record;
  });
}

export { assertRecord, parseTrace };
