/**
 * A terminal that a progress bar on stderr shares with the reader of a piped stdout: `margin-core liquidate … | head`
 * prints the report on the terminal the bar is drawn on, and a line of it would be glued to the bar (drawn without a
 * newline). So a bar drawn while stdout is a pipe is cleared for good before the first byte of output goes into it
 * (src/cli/output.ts). Output to a file (`> report.json`, `--out`) keeps its bar to the end.
 */
import { fstatSync } from 'node:fs';
import { isatty } from 'node:tty';

/** What the output clears: a bar drawn on the terminal. */
export interface SharedBar {
  stop(): void;
}

/** The bars drawn now while stdout is a pipe. */
const bars = new Set<SharedBar>();

/** True when standard output is a pipe or a socket (`| head`): its reader may write to this terminal. */
export function stdoutIsPipe(fd = 1): boolean {
  try {
    if (isatty(fd)) return false;
    const stats = fstatSync(fd);
    return stats.isFIFO() || stats.isSocket();
  } catch {
    return false;
  }
}

/** Registers a bar to clear when output starts; returns its removal (the bar finished first). */
export function clearBeforeOutput(bar: SharedBar): () => void {
  bars.add(bar);
  return () => void bars.delete(bar);
}

/** Output is about to go to stdout: every registered bar is cleared and stays so. */
export function outputStarts(): void {
  if (bars.size === 0) return;
  for (const bar of bars) bar.stop();
  bars.clear();
}
