/**
 * A one-line progress bar on stderr for long runs (big books, many methods, Monte Carlo). It draws
 * only when the stream is a terminal: piped or redirected output, CI logs and tests stay clean.
 */

import { clearBeforeOutput, stdoutIsPipe } from './terminal-share.js';

/** What the bar writes to: process.stderr, or a fake in tests. */
export interface ProgressStream {
  isTTY?: boolean | undefined;
  columns?: number | undefined;
  write(text: string): unknown;
}

/** `[#######.......]` for a fraction in [0, 1] (clamped) and an inner width. */
export function renderBar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(f * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** Redraw at most this often (ms) except on the last step: terminals are slow. */
const REDRAW_MS = 80;

export class Progress {
  private done = 0;
  private lastDraw = -Infinity;
  private lastNote = '';
  private readonly started: number;
  private active: boolean;
  private readonly unregister: () => void;

  /**
   * `sharesTerminal`: stdout is a pipe whose reader may print to the bar's terminal (src/cli/terminal-share.ts): the
   * bar is then cleared for good when output starts.
   */
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: ProgressStream = process.stderr,
    private readonly now: () => number = () => performance.now(),
    sharesTerminal = stream === process.stderr && stdoutIsPipe(),
  ) {
    this.active = stream.isTTY === true;
    this.started = now();
    this.unregister = this.active && sharesTerminal ? clearBeforeOutput(this) : () => {};
  }

  /** Clears the line and draws no more (the command's output starts on the terminal the bar is on). */
  stop(): void {
    this.finish();
    this.active = false;
  }

  /** Marks `units` more work done; `note` says what comes next (e.g. "validating"): a new phase is always drawn. */
  advance(units = 1, note = ''): void {
    this.done = Math.min(this.total, this.done + units);
    this.draw(note, this.done >= this.total || note !== this.lastNote);
  }

  /** Sets the work done to `units` of the total (e.g. a fraction of the rows written), redrawn at most every 80 ms but at the end. */
  setFraction(units: number, note = ''): void {
    this.done = Math.min(this.total, Math.max(this.done, units));
    this.draw(note, this.done >= this.total); // the last step is always drawn
  }

  /**
   * Bytes read of a file, as the part of a phase that starts at `phase` units and takes `span` (a big book is read for
   * tens of seconds: the bar moves with the bytes): `reading 312 of 1,024 MB`.
   */
  bytes(phase: number, done: number, total: number, note = 'reading', span = 1): void {
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    this.done = Math.min(this.total, Math.max(this.done, phase + span * fraction));
    this.draw(`${note} ${megabytes(done)} of ${megabytes(total)} MB`, fraction >= 1 || this.done >= this.total); // the whole file read is always drawn
  }

  /** Says what is running now without moving the bar. */
  note(note: string): void {
    this.draw(note, true);
  }

  /** Clears the line; call once at the end (also after a failure, so messages start on a clean line). */
  finish(): void {
    if (this.active) this.stream.write('\r\x1b[K');
    this.unregister();
  }

  /** The line the bar shows now (without the carriage return and clear). */
  line(note = ''): string {
    const fraction = this.total > 0 ? this.done / this.total : 1;
    const seconds = ((this.now() - this.started) / 1000).toFixed(1);
    const width = Math.max(10, Math.min(30, (this.stream.columns || 80) - this.label.length - note.length - 20));
    return `${this.label} ${renderBar(fraction, width)} ${String(Math.round(fraction * 100)).padStart(3)}% ${seconds}s${note ? ` ${note}` : ''}`;
  }

  private draw(note: string, force: boolean): void {
    if (!this.active) return;
    const t = this.now();
    if (!force && t - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = t;
    this.lastNote = note;
    this.stream.write(`\r\x1b[K${this.line(note)}`);
  }
}

/** Bytes in whole megabytes (10^6) with thousands separators: `1,024`. */
function megabytes(bytes: number): string {
  return Math.round(bytes / 1e6).toLocaleString('en-US');
}

/** Runs `work` with a bar that is cleared afterwards, whether the work succeeds or throws. */
export async function withProgress<T>(label: string, total: number, work: (bar: Progress) => Promise<T> | T, stream?: ProgressStream): Promise<T> {
  const bar = new Progress(label, total, stream);
  try {
    return await work(bar);
  } finally {
    bar.finish();
  }
}
