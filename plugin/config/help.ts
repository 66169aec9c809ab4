/** `--help` text, generated from the flag table so it can never drift from the parser. */
import { ENV_VARS, flagsForMode } from './flags.js';
import type { Mode } from './schema.js';

const SUMMARY: Record<Mode, string> = {
  stdio: 'read Segura JSON records (NDJSON) on stdin, write one formatted line per record',
  follow: 'tail a growing NDJSON file (survives rotation), deliver lines, remember the position',
  serve: 'run as a sidecar: gRPC (Formatter, Vector, OTLP, health) and/or Fluent Forward receivers',
};

const USAGE: Record<Mode, string> = {
  stdio: 'segura-siem stdio [flags] < events.ndjson',
  follow: 'segura-siem follow PATH --state FILE [flags]',
  serve: 'segura-siem serve --grpc ADDR [--forward ADDR] [flags]',
};

export function renderHelp(): string {
  const modes = (Object.keys(SUMMARY) as Mode[]).map((m) => `  ${m.padEnd(8)} ${SUMMARY[m]}`).join('\n');
  return `segura-siem: Segura PAM events → CEF, RFC 5424 syslog and Sensage lines for log shippers

Usage: segura-siem <mode> [flags]

Modes:
${modes}

Run "segura-siem <mode> --help" for the flags of a mode. Other: --help, --version.
`;
}

export function renderModeHelp(mode: Mode): string {
  const lines = flagsForMode(mode).map((f) => {
    const arg = f.type === 'bool' ? '' : f.type === 'enum' ? ` ${f.values!.join('|')}` : f.type === 'int' ? ' N' : f.type === 'list' ? ' A,B,..' : ' VALUE';
    const def = f.defaultText === undefined ? '' : ` (default: ${f.defaultText})`;
    return `  --${f.name}${arg}\n      ${f.help}${def}${f.multiple ? '; repeatable' : ''}`;
  });
  const env = ENV_VARS.map((v) => `  ${v.name}\n      ${v.help}`).join('\n');
  return `segura-siem ${mode}: ${SUMMARY[mode]}

Usage: ${USAGE[mode]}

Flags:
${lines.join('\n')}
  --help
      show this text

Environment:
${env}
`;
}
