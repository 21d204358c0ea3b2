// The floor for reading a trace: stream the file line by line and
// JSON.parse every line, nothing else. node case9-baseline.js <file>
import fs from 'node:fs';
import readline from 'node:readline';

const rl = readline.createInterface({
  input: fs.createReadStream(process.argv[2]),
  crlfDelay: Infinity,
});
let spans = 0;
for await (const line of rl) {
  if (line === '') continue;
  if (JSON.parse(line).type === 'span') spans++;
}
process.stdout.write(`${spans} spans\n`);
