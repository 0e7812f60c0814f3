/**
 * Checkpoint files on a local disk, per partition: each written whole or not at all (a temporary file, fsynced,
 * renamed over, the directory fsynced, so a crash at any point leaves the old set intact), the newest `keep` kept
 * (at least two: if the newest turns out damaged, recovery falls back to the one before, whose fill seq the log was
 * trimmed no further than), read back newest first past any file that is refused.
 */
import { open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CheckpointHeader, CheckpointError, type CheckpointRefusal, type DecodedCheckpoint, decodeCheckpoint, readCheckpointHeader } from './checkpoint-format.js';
import { makeDirs } from '../io/make-dirs.js';

/** A checkpoint file recovery did not use, and why. */
export interface RefusedCheckpoint {
  file: string;
  kind: CheckpointRefusal;
  message: string;
}

export interface FoundCheckpoint extends DecodedCheckpoint {
  file: string;
  /** The newer files refused on the way (newest first). */
  refused: RefusedCheckpoint[];
}

const NAME = /^p(\d{2})-f(\d{16})-t(\d{20})-(\d{20})-c(\d{16})\.ckpt$/;

/** The file name of a checkpoint: partition, fill seq, tick id, creation time, zero-padded so names sort oldest first. */
export function checkpointFileName(h: CheckpointHeader): string {
  const [ms, seq] = h.tickId.split('-');
  return `p${pad(h.partition, 2)}-f${pad(h.fillSeq, 16)}-t${ms.padStart(20, '0')}-${seq.padStart(20, '0')}-c${pad(h.createdAtMs, 16)}.ckpt`;
}

/** The file marking partition p's log as having lost entries (CheckpointStore.markLost). */
function lostName(p: number): string {
  return `p${pad(p, 2)}.lost.json`;
}

/** A checkpoint's temporary file while it is written: `.<name>.<pid of the writer>.tmp`. */
const TEMPORARY = /^\..+\.ckpt\.(\d+)\.tmp$/;

/** Whether process `pid` runs on this machine (a signal 0 tells; EPERM: it runs as another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function pad(x: number, width: number): string {
  return String(x).padStart(width, '0');
}

export class CheckpointStore {
  /** `keep`: checkpoints kept per partition (at least 2). */
  constructor(readonly dir: string, readonly keep = 2) {
    if (!Number.isInteger(keep) || keep < 2) throw new RangeError(`keep must be an integer ≥ 2 (recovery falls back to the previous checkpoint), got ${keep}`);
  }

  /** Writes checkpoint `bytes` of partition `p` durably, prunes to the newest `keep`, and returns the file's name. */
  async write(p: number, bytes: Uint8Array): Promise<string> {
    const header = readCheckpointHeader(bytes);
    if (header.partition !== p) throw new RangeError(`the checkpoint is of partition ${header.partition}, not ${p}`);
    await makeDirs(this.dir);
    const name = checkpointFileName(header);
    const temporary = join(this.dir, `.${name}.${process.pid}.tmp`);
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, join(this.dir, name));
    await this.syncDirectory(); // the rename itself survives a power loss only once the directory is on disk
    await this.prune(p);
    return name;
  }

  /**
   * The newest checkpoint of partition `p` that reads back whole and was written by build `fingerprint`, with the
   * newer ones it refused (CRC, truncation, another version or build); null when none is usable. `onRefused` hears of
   * each refusal as it happens. `accept` may refuse a checkpoint that decodes (throw a CheckpointError: e.g. its state
   * hash does not match the state it opens to), and recovery goes on to the one before. A refused file is renamed
   * `<name>.refused`: no longer one of the partition's checkpoints.
   */
  async latestValid(p: number, fingerprint: string, onRefused?: (refused: RefusedCheckpoint) => void, accept?: (found: FoundCheckpoint) => Promise<void> | void): Promise<FoundCheckpoint | null> {
    const refused: RefusedCheckpoint[] = [];
    for (const file of (await this.files(p)).reverse()) {
      try {
        const decoded = await decodeCheckpoint(await readFile(join(this.dir, file)), fingerprint);
        if (decoded.header.partition !== p) throw new CheckpointError('content', `the file holds partition ${decoded.header.partition}`);
        const found = { ...decoded, file, refused };
        await accept?.(found);
        return found;
      } catch (error) {
        if (!(error instanceof CheckpointError)) throw error;
        const refusal = { file, kind: error.kind, message: error.message };
        refused.push(refusal);
        onRefused?.(refusal);
        // set aside (kept for inspection, as <name>.refused): counted among the newest kept, the next write's prune would
        // delete the checkpoint recovery fell back to, and the log would be trimmed past it
        await rename(join(this.dir, file), join(this.dir, `${file}.refused`));
        await this.syncDirectory();
      }
    }
    return null;
  }

  /**
   * The header of the oldest kept checkpoint of `p` that passes its CRC (null: none): the log may be trimmed up to its
   * fillSeq and no further, so that falling back to it still finds every entry after it.
   */
  async oldestKept(p: number): Promise<CheckpointHeader | null> {
    for (const file of await this.files(p)) {
      try {
        return readCheckpointHeader(await readFile(join(this.dir, file)));
      } catch (error) {
        if (!(error instanceof CheckpointError)) throw error;
      }
    }
    return null;
  }

  /**
   * Records that partition `p`'s log lost acknowledged entries, up to seq `known` (recovery.ts LogLostError, found by a
   * shard): the mark outlives the shard, so that recovery refuses `p` while the log's top is below it, whichever shard
   * recovers it and after any restart; once Redis's data is back (the top reaches it) recovery clears it. Written whole
   * (a temporary file renamed over), as a checkpoint is.
   */
  async markLost(p: number, known: number): Promise<void> {
    if ((await this.lostMark(p) ?? -1) >= known) return;
    await makeDirs(this.dir);
    const temporary = join(this.dir, `.${lostName(p)}.${process.pid}.tmp`);
    await writeFile(temporary, `${JSON.stringify({ partition: p, known })}\n`);
    await rename(temporary, join(this.dir, lostName(p)));
    await this.syncDirectory();
  }

  /** The highest seq partition `p`'s log is known to have held ({@link markLost}), or null when none was marked. */
  async lostMark(p: number): Promise<number | null> {
    const text = await readFile(join(this.dir, lostName(p)), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (text === null) return null;
    const known = (JSON.parse(text) as { known?: unknown }).known;
    if (typeof known !== 'number' || !Number.isSafeInteger(known)) throw new Error(`${join(this.dir, lostName(p))}: not a lost-entries mark (expected {"known": seq})`);
    return known;
  }

  /** Partition `p`'s log holds its entries again: the mark goes. */
  async clearLost(p: number): Promise<void> {
    await rm(join(this.dir, lostName(p)), { force: true });
  }

  /** Checkpoint files of `p`, oldest first. */
  async files(p: number): Promise<string[]> {
    return (await this.names()).filter((n) => Number(NAME.exec(n)?.[1] ?? -1) === p).sort();
  }

  /** The partitions that have at least one checkpoint file (not yet read: one may still be refused). */
  async partitions(): Promise<Set<number>> {
    return new Set((await this.names()).flatMap((n) => (NAME.test(n) ? [Number(NAME.exec(n)![1])] : [])));
  }

  private async names(): Promise<string[]> {
    try {
      return await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  private async prune(p: number): Promise<void> {
    const files = await this.files(p);
    for (const file of files.slice(0, Math.max(0, files.length - this.keep))) await rm(join(this.dir, file), { force: true });
    // a write cut by a kill (-9) leaves its temporary file: never read, it goes once the process that wrote it is gone
    const prefix = `.p${pad(p, 2)}-`;
    for (const name of await readdir(this.dir)) {
      const writer = TEMPORARY.exec(name);
      if (writer !== null && name.startsWith(prefix) && !processAlive(Number(writer[1]))) await rm(join(this.dir, name), { force: true });
    }
  }

  private async syncDirectory(): Promise<void> {
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
