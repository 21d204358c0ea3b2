/**
 * Recognising a trace file across polls: by device and inode, and by its
 * first line (the `meta` record, which names the process and its start
 * time). A truncation followed by a longer rewrite between two polls keeps
 * the inode and grows the size; only the first line tells.
 */

const newline = 0x0a;
/** Bytes of the first line kept to recognise the file. */
const headLength = 4096;

/** What a follower reads of an open file (no Node types in its API). */
type ReadHandle = {
  read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
};

/** What identifies a file: its device, inode, and size. */
type FileIdentity = { dev: number; ino: number; size: number };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The file's first line (with its newline), at most 4 KiB. */
async function readHead(handle: ReadHandle, size: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(Math.min(size, headLength));
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
  const head = buffer.subarray(0, bytesRead);
  const end = head.indexOf(newline);
  return end < 0 ? head : head.subarray(0, end + 1);
}

/**
 * Whether the first line read now (`current`) says the file is not the one
 * whose first line was `stored`. A first line still being written when it
 * was stored only has to be a prefix of the current one.
 */
function headChanged(stored: Uint8Array, current: Uint8Array): boolean {
  const complete = stored.indexOf(newline) >= 0 || stored.length >= headLength;
  return complete
    ? !sameBytes(current, stored)
    : !sameBytes(current.subarray(0, stored.length), stored);
}

export { readHead, headChanged, headLength };
export type { ReadHandle, FileIdentity };
