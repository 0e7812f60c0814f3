/** Decoding the replies of XREADGROUP, XAUTOCLAIM and XREAD as `callBuffer` returns them (nested arrays of Buffers). */

/** One stream entry: its id and its fields by name. */
export interface StreamEntry {
  id: string;
  fields: Map<string, Buffer>;
}

/** `[id, [field, value, …]]` pairs; an entry deleted while pending has null fields and is returned with none. */
export function entriesOf(raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((pair: [Buffer, Buffer[] | null]) => {
    const fields = new Map<string, Buffer>();
    const list = pair[1] ?? [];
    for (let i = 0; i + 1 < list.length; i += 2) fields.set(list[i].toString(), list[i + 1]);
    return { id: pair[0].toString(), fields };
  });
}

/** XREADGROUP / XREAD: `[[stream, entries], …]` or null on timeout; entries of every stream, with their stream. */
export function readReply(raw: unknown): { stream: string; entries: StreamEntry[] }[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((s: [Buffer, unknown]) => ({ stream: s[0].toString(), entries: entriesOf(s[1]) }));
}

/** XAUTOCLAIM: `[next start, entries, deleted ids]`. */
export function autoclaimReply(raw: unknown): { next: string; entries: StreamEntry[] } {
  const r = raw as [Buffer, unknown];
  return { next: r[0].toString(), entries: entriesOf(r[1]) };
}

/** True for the error Redis answers XGROUP CREATE with when the group exists. */
export function isBusyGroup(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('BUSYGROUP');
}
