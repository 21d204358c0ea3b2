import os from 'node:os';
import fs from 'node:fs';

/** The machine a result was measured on. */
function machine() {
  const cpus = os.cpus();
  let cpu = cpus[0]?.model ?? 'unknown';
  // a VM often reports a bare family name; /proc/cpuinfo may say more
  try {
    const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
    const m = /^model name\s*:\s*(.+)$/m.exec(info);
    if (m != null && m[1].length > cpu.length) cpu = m[1].trim();
  } catch {
    // not Linux
  }
  return {
    cpu,
    cores: cpus.length,
    availableParallelism: os.availableParallelism?.() ?? cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

export { machine };
