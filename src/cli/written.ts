/**
 * After a command wrote its output to `--out FILE`, one line on stderr says what and where, so a run that prints
 * nothing on stdout still tells the user it worked: `margin-core: wrote report.csv (41.2 kB): 300 accounts, cross margin, csv`.
 */
import { stat } from 'node:fs/promises';

/** Bytes as a person reads them: 812 B, 41.2 kB, 3.10 MB (powers of 1,000). */
export function byteSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const [scale, unit] = bytes < 1e6 ? [1e3, 'kB'] : bytes < 1e9 ? [1e6, 'MB'] : [1e9, 'GB'];
  const v = bytes / scale;
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${unit}`;
}

/** Prints the line when `path` was given (nothing when the output went to stdout). */
export async function reportWritten(path: string | undefined, what: string): Promise<void> {
  if (path === undefined) return;
  // a device or a pipe has no size to tell (/dev/null says 0 B whatever was written)
  const bytes = await stat(path).then((s) => (s.isFile() ? s.size : undefined), () => undefined);
  process.stderr.write(`margin-core: wrote ${path}${bytes === undefined ? '' : ` (${byteSize(bytes)})`}: ${what}\n`);
}
