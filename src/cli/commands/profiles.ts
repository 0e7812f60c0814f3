import type { Command } from 'commander';
import type { MethodologyProfile } from '../../profiles/profile.js';
import { BUILT_IN_PROFILES } from '../../profiles/registry.js';
import { formatOption } from '../options.js';
import { emit } from '../output.js';
import { reportWritten } from '../written.js';

/** `margin-core profiles`: the methodology profiles, with their method, version, sources and what is margin-core's own. */
export function registerProfilesCommand(program: Command): Command {
  return program
    .command('profiles')
    .description('the methodology profiles --profile can name: method, version, sources (json: with their parameters)')
    .addOption(formatOption(['text', 'json']))
    .option('--out <file>', 'write to a file instead of stdout')
    .addHelpText('after', '\nExample:\n  margin-core profiles\n  margin-core margin --book book.json --market market.json --profile deribit')
    .action(async (opts: { format: string; out?: string | undefined }) => {
      const text = opts.format === 'json' ? JSON.stringify(BUILT_IN_PROFILES, null, 2) : BUILT_IN_PROFILES.map(profileText).join('\n\n');
      await emit(text, opts.out);
      await reportWritten(opts.out, `${BUILT_IN_PROFILES.length} methodology profiles, ${opts.format}`);
    });
}

function profileText(p: MethodologyProfile): string {
  return [
    `${p.name} (version ${p.version}): method ${p.method}`,
    `  ${p.description}`,
    '  sources:',
    ...p.sources.map((s) => `    - ${s.title}${s.url ? ` <${s.url}>` : ''}: ${s.used}`),
    '  margin-core\'s own where the source is silent or differs:',
    ...p.notes.map((n) => `    - ${n}`),
  ].join('\n');
}
