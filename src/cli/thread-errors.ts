/**
 * Errors that cross from a worker thread of the CLI (the book reader, read-ahead.ts; the report writer,
 * report-writer.ts) to the command: sent as data (an Error's class does not survive the message) and made again
 * on this side as the same class, so the command says and exits as it would had the work run in its own thread.
 */
import { InputError, type InputProblem } from '../errors.js';
import { NeedsWholeBook } from '../io/book-stream.js';
import { CommandFailed, ReaderClosed } from './io.js';

export type SentError =
  | { type: 'input'; problems: readonly InputProblem[]; truncated: boolean }
  | { type: 'needs-whole'; account: number; accountsInChunks: number; message: string }
  | { type: 'failed'; message: string }
  | { type: 'reader-closed'; message: string }
  | { type: 'other'; message: string; code?: string | undefined };

export function sentError(error: unknown): SentError {
  if (error instanceof InputError) return { type: 'input', problems: error.problems, truncated: error.truncated };
  if (error instanceof NeedsWholeBook) return { type: 'needs-whole', account: error.account, accountsInChunks: error.accountsInChunks, message: error.message };
  if (error instanceof CommandFailed) return { type: 'failed', message: error.message };
  if (error instanceof ReaderClosed) return { type: 'reader-closed', message: error.message };
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return { type: 'other', message: error instanceof Error ? error.message : String(error), ...(typeof code === 'string' ? { code } : {}) };
}

export function errorOf(e: SentError): Error {
  if (e.type === 'input') return new InputError(e.problems, e.truncated);
  if (e.type === 'needs-whole') {
    const error = new NeedsWholeBook(e.account, e.accountsInChunks);
    error.message = e.message; // names a master or a method, as the reader said
    return error;
  }
  if (e.type === 'failed') return new CommandFailed(e.message);
  if (e.type === 'reader-closed') return new ReaderClosed(e.message);
  return Object.assign(new Error(e.message), e.code !== undefined ? { code: e.code } : {});
}
