import type { InputProblem } from '../errors.js';

/** Options shared by the commands that validate a book and market. */
export interface ValidationFlags {
  lenient?: boolean | undefined;
  repairCorrelation?: boolean | undefined;
}

export const LENIENT_HELP = 'accept unknown fields (usually misspellings) with a warning instead of rejecting the input';
export const REPAIR_HELP = 'replace a correlation matrix that is not positive semidefinite by the nearest correlation matrix (Higham 2002), with a warning';

/** The library's validation options from the flags. */
export function validationOptions(flags: ValidationFlags): { lenient: boolean; repairCorrelation: boolean } {
  return { lenient: flags.lenient === true, repairCorrelation: flags.repairCorrelation === true };
}

/** Warnings on stderr, one line each (`margin-core: warning: path: message`), whatever the output format. */
export function printWarnings(warnings: readonly InputProblem[] | undefined): void {
  for (const w of warnings ?? []) process.stderr.write(`margin-core: warning: ${w.path}: ${w.message}\n`);
}
