/**
 * The one formatter registry every mode (stdio, follow, gRPC, forward) builds from: picks the
 * format, wraps CEF in the chosen syslog envelope, and fits each line in the byte budget.
 *
 * - `cef`: the bare `CEF:0|…` line (`--envelope none`), or that line as the MSG of an
 *   RFC 5424 header (`rfc5424`), or after a BSD-syslog header (`rfc3164`).
 * - `rfc5424`: RFC 5424 with the fields as `key=value` pairs in MSG. `--envelope` is ignored.
 * - `sensage`: this project's TAB-separated layout. `--envelope` is ignored.
 * - Budget: min(`--max-bytes`, the caller's cap, e.g. a UDP sink's datagram size), applied by
 *   budget.ts: free text is shortened (msg first, then the longest), never the header.
 * - Bare CEF without `--max-bytes` also offers `formatInto`, the byte fast path, and
 *   `formatSpansInto`, its variant for the line fast path (cef.ts).
 */
import { SegError } from '../core/errors.js';
import type { CanonicalRecord, SpanRecord } from '../core/record.js';
import { renderWithinBudget, type Render } from './budget.js';
import { buildCef } from './cef/cef.js';
import type { DiagnosticListener, FormatOptions, Formatter } from './formatter.js';
import type { LineBuffer } from './line-buffer.js';
import { buildRfc3164Envelope } from './rfc3164/rfc3164.js';
import { buildRfc5424Envelope, buildRfc5424Render } from './rfc5424/rfc5424.js';
import { buildSensageRender } from './sensage/sensage.js';

/** The smaller of two optional caps. */
export function effectiveCap(configured: number | undefined, perCall: number | undefined): number | undefined {
  if (configured === undefined) return perCall;
  if (perCall === undefined) return configured;
  return Math.min(configured, perCall);
}

/** The record → line function for `opts`, without a budget. Throws SEG_ERR_CONFIG for an unknown name. */
export function buildRender(opts: FormatOptions, onDiagnostic: DiagnosticListener): Render {
  switch (opts.format) {
    case 'cef':
      return buildCefWithEnvelope(opts, onDiagnostic);
    case 'rfc5424':
      return buildRfc5424Render(opts, onDiagnostic);
    case 'sensage':
      return buildSensageRender(opts, onDiagnostic);
    default:
      throw new SegError('SEG_ERR_CONFIG', `unknown format "${String(opts.format)}" (expected cef, rfc5424 or sensage)`);
  }
}

function buildCefWithEnvelope(opts: FormatOptions, onDiagnostic: DiagnosticListener): Render {
  const cef = buildCef(opts, onDiagnostic).render;
  switch (opts.envelope) {
    case 'none':
      return cef;
    case 'rfc5424': {
      const envelope = buildRfc5424Envelope(opts, onDiagnostic);
      return (rec: CanonicalRecord) => envelope(rec, cef(rec));
    }
    case 'rfc3164': {
      const envelope = buildRfc3164Envelope(opts, onDiagnostic);
      return (rec: CanonicalRecord) => envelope(rec, cef(rec));
    }
    default:
      throw new SegError('SEG_ERR_CONFIG', `unknown envelope "${String(opts.envelope)}" (expected none, rfc5424 or rfc3164)`);
  }
}

export function buildFormatter(opts: FormatOptions, onDiagnostic: DiagnosticListener): Formatter {
  // While the budget re-renders a shortened copy of a record, repairs already reported for
  // the first rendering (a sanitised hostname, an invalid key) would be reported again;
  // only the first rendering of each record reports. Rendering is synchronous, so one flag
  // shared by the formatter is enough and costs no allocation per record.
  let renders = 0;
  const reportFirstRenderOnly: DiagnosticListener = (origin, d) => {
    if (renders <= 1) onDiagnostic(origin, d);
  };
  let render: Render;
  // The byte fast path: bare CEF without a configured budget (a budget needs the rendered length).
  let writeInto: ((rec: CanonicalRecord, out: LineBuffer) => boolean) | undefined;
  let writeSpansInto: ((rec: SpanRecord, out: LineBuffer) => boolean) | undefined;
  if (opts.format === 'cef' && opts.envelope === 'none') {
    const cef = buildCef(opts, reportFirstRenderOnly);
    render = cef.render;
    if (opts.maxBytes === undefined) ({ writeInto, writeSpansInto } = cef);
  } else {
    render = buildRender(opts, reportFirstRenderOnly);
  }
  const counted: Render = (rec) => {
    renders++;
    return render(rec);
  };
  const configured = opts.maxBytes;
  const format = (rec: CanonicalRecord, maxBytes?: number): string => {
    renders = 0;
    return renderWithinBudget(rec, counted, effectiveCap(configured, maxBytes), onDiagnostic);
  };
  if (writeInto === undefined || writeSpansInto === undefined) return { format };
  const into = writeInto;
  const spansInto = writeSpansInto;
  return {
    format,
    formatInto(rec, out) {
      renders = 1;
      return into(rec, out);
    },
    formatSpansInto(rec, out) {
      renders = 1;
      return spansInto(rec, out);
    },
  };
}
