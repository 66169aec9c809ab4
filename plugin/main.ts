/**
 * CLI entry: `segura-siem <mode> [flags]`. Loads the configuration, then hands over to the
 * mode's runner in pipeline/. Exit codes: 0 all input consumed, 2 bad configuration,
 * 1 a fatal runtime condition.
 */
import { SegError } from './core/errors.js';
import { MODES, type Mode } from './config/schema.js';
import { loadConfig } from './config/load.js';
import { renderHelp, renderModeHelp } from './config/help.js';
import { RUNNERS } from './pipeline/runners.js';

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(renderHelp());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (!(MODES as readonly string[]).includes(first)) {
    process.stderr.write(`segura-siem: unknown mode "${first}"; expected one of ${MODES.join(', ')} (see --help)\n`);
    return 2;
  }
  const mode = first as Mode;
  let loaded;
  try {
    loaded = loadConfig(mode, rest);
  } catch (e) {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(renderModeHelp(mode));
      return 0;
    }
    process.stderr.write(`segura-siem ${mode}: ${e instanceof SegError ? e.message : String(e)}\n`);
    return 2;
  }
  if (loaded.help) {
    process.stdout.write(renderModeHelp(mode));
    return 0;
  }
  try {
    return await RUNNERS[mode](loaded.config, loaded.positionals);
  } catch (e) {
    // Problems only found while building the pipeline (an alias to an unknown key, an
    // unreadable TLS file) are configuration errors too: same exit code, no stack trace.
    if (e instanceof SegError && e.code === 'SEG_ERR_CONFIG') {
      process.stderr.write(`segura-siem ${mode}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`segura-siem: fatal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
