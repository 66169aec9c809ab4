/**
 * The normalize stage: one raw Segura JSON record (any accepted shape) in, one
 * CanonicalRecord out. It unwraps shipper envelopes, routes every input name to a header
 * field or a canonical key, finds the message type (explicit `type`, else the event id's
 * link), derives name and severities, and lays the fields out in the chosen profile:
 * documented keys in documented order with their fixed labels, then `rt`, then other CEF
 * keys in input order, then unknown fields under valid custom keys. Every repair is
 * reported through the diagnostic listener; a record that can never be formatted throws
 * a permanent SegError. The tables are built once; a record costs a Map lookup per key.
 * Records of one shape (the same input keys in the same order, the same type, with or
 * without an event time) almost always lay out the same way, so the layout the generic path
 * computes for a record that needed no diagnostic is kept in a trie of key sequences and
 * replayed for the next records of that shape; a replayed record whose values would change a
 * decision (an empty value, an IPv6 address, a failed check, a cut, a differing label) falls
 * back to the generic path, so the output and diagnostics are the same either way.
 * normalizeLine replays those same layouts for a line read straight from its bytes (the
 * stdio line fast path), and declines whatever the replay would not take without a word.
 */
import { eventById, type SyslogEvent } from '../catalog/catalog.js';
import { parsePriority, PRIORITY_NAMES } from '../catalog/priority.js';
import { SegError } from '../core/errors.js';
import { fnvHash } from '../core/hash.js';
import type { CanonicalRecord, EventTime, Field, LineFields, RawRecord, SpanRecord } from '../core/record.js';
import type { DiagnosticListener } from '../formats/formatter.js';
import { ENVELOPE_KEYS, mayBeEnvelope, unwrapEnvelopes, MAX_ENVELOPE_DEPTH } from './envelope.js';
import { ExtraNamer } from './extras.js';
import { eventIdText, headerText, parseSeverity, severityFromPriority } from './header.js';
import {
  buildKeyTable,
  buildTypePlans,
  H_EVENT_ID,
  H_HOST,
  H_NAME,
  H_PRIORITY,
  H_PROCID,
  H_SEVERITY,
  H_TIME,
  H_TYPE,
  H_VERSION,
  HEADER_COUNT,
  ROUTE_DROP,
  routeSlot,
  slugOf,
  type KeyTable,
  type TypePlan,
} from './keys.js';
import type { NormalizeOptions, Normalizer, ProfileName } from './normalizer.js';
import { buildTargets, documentedTargets, EXTRA_MAX, KeySlots, PASS_THROUGH_MAX, type Target } from './profiles.js';
import { epochMsText, parseTime } from './time.js';
import { isPlainIPv6, truncateCodePoints, codePointLength, valueText } from './values.js';

const SEVERITY_CHOICES = '0-10 or Unknown/Low/Medium/High/Very-High';

/** Distinct unknown input names remembered by the case-fold memo (bounded: hostile input). */
const FOLD_CACHE_LIMIT = 4096;

/** Nodes of the input-key-sequence trie (bounded: hostile input with ever new key names). */
const SHAPE_NODE_LIMIT = 8192;

/** A trie node: one input key at one position of a record, and the layouts learnt under it. */
interface ShapeNode {
  /** What the key at this position means, as `collect` routes it (see keys.ts routes). */
  readonly route: number | undefined;
  /** True for `log`, `exec` and `message`: a string value there may be an envelope. */
  readonly envelopeKey: boolean;
  /** The first key seen after this one, and its node: nearly always the only one, so no Map lookup. */
  firstKey: string | undefined;
  firstChild: ShapeNode | undefined;
  readonly next: Map<string, ShapeNode>;
  /** The line fast path compares names as bytes: this node's key as UTF-8. */
  readonly keyBytes: Uint8Array;
  /** The children in `next` by the hash of their key's bytes (LineFields.keyHash); the first one of a hash. */
  readonly nextByHash: Map<number, ShapeNode>;
  /** Layouts of records ending here, by `layoutSlot(plan, hasTime)`. */
  layouts: Array<Layout | undefined> | undefined;
}

/**
 * One output field as a replay step: which input position gives the value, what the
 * generic path decided about key, label, column and caps for records of this shape.
 */
interface Step {
  /** 0 a known key, 1 `rt`, 2 an unknown field. */
  readonly kind: number;
  readonly index: number;
  readonly key: string;
  readonly target: Target | undefined;
  readonly column: string | undefined;
  readonly shrinkRank: number | undefined;
  readonly maxLength: number | undefined;
  /** The label written before the value, or undefined. */
  readonly labelKey: string | undefined;
  /** Input position of the record's own label, or -1 (then `fixedLabel` is written). */
  readonly labelIndex: number;
  readonly fixedLabel: string | undefined;
  readonly labelMax: number;
  readonly labelColumn: string | undefined;
}

type Layout = readonly Step[];

function newShapeNode(route: number | undefined, inputKey: string | undefined): ShapeNode {
  const envelopeKey = inputKey !== undefined && ENVELOPE_KEYS.includes(inputKey);
  const keyBytes = lineKeyBytes(inputKey ?? '');
  return { route, envelopeKey, firstKey: undefined, firstChild: undefined, next: new Map(), keyBytes, nextByHash: new Map(), layouts: undefined };
}

const layoutSlot = (plan: TypePlan | undefined, hasTime: boolean): number => (plan === undefined ? 0 : plan.index + 1) * 2 + (hasTime ? 1 : 0);

/** The catalog tables, shared by every normalizer (they are never mutated after the build). */
interface Shared {
  readonly table: KeyTable;
  readonly plans: ReadonlyMap<string, TypePlan>;
  /** `slugOf(slug | title | doc heading)` → plan. */
  readonly plansByLooseName: ReadonlyMap<string, TypePlan>;
  readonly targets: Readonly<Record<ProfileName, readonly Target[]>>;
  /** Per profile: the targets of each type's documented keys, in documented order. */
  readonly docTargets: Readonly<Record<ProfileName, ReadonlyMap<TypePlan, readonly Target[]>>>;
  readonly slots: KeySlots;
  readonly rtSlot: number;
}

let shared: Shared | undefined;

/** The shared tables (built on first use). Exported for the mapping documentation. */
export function catalogTables(): Shared {
  if (shared !== undefined) return shared;
  const table = buildKeyTable();
  const plans = buildTypePlans(table);
  const plansByLooseName = new Map<string, TypePlan>();
  for (const plan of plans.values()) {
    for (const name of [plan.type.slug, plan.type.title, plan.type.docTitle]) plansByLooseName.set(slugOf(name), plan);
  }
  const slots = new KeySlots();
  const targets = { segura: buildTargets(table, 'segura', slots), strict: buildTargets(table, 'strict', slots) };
  const docTargets = (profile: ProfileName): Map<TypePlan, readonly Target[]> =>
    new Map([...plans.values()].map((plan) => [plan, documentedTargets(plan, targets[profile], profile, slots)]));
  const docs = { segura: docTargets('segura'), strict: docTargets('strict') };
  shared = { table, plans, plansByLooseName, targets, docTargets: docs, slots, rtSlot: slots.of('rt') };
  return shared;
}

export function buildNormalizer(opts: NormalizeOptions, onDiagnostic: DiagnosticListener): Normalizer {
  return new RecordNormalizer(opts, onDiagnostic, catalogTables());
}

/** An input field not routed in the first pass: resolved once the message type is known. */
interface Pending {
  readonly inputKey: string;
  /** The name after `aliases`. */
  readonly name: string;
  readonly value: unknown;
  readonly index: number;
}

/** What the header fields say about a record. */
interface HeaderInfo {
  readonly plan: TypePlan | undefined;
  readonly eventId: string | undefined;
  readonly event: SyslogEvent | undefined;
  readonly priority: number | undefined;
  readonly severity: string;
  readonly time: EventTime | undefined;
}

class RecordNormalizer implements Normalizer {
  private readonly strict: boolean;
  private readonly targets: readonly Target[];
  /** The targets of each type's documented keys, indexed by TypePlan.index. */
  private readonly docTargets: ReadonlyArray<readonly Target[]>;
  private readonly aliases: ReadonlyMap<string, string> | undefined;
  private readonly defaultSeverity: string;
  private readonly namer: ExtraNamer;
  private readonly typeKeyId: number;

  // Per-record scratch, reused (normalize() is synchronous, so it is never shared).
  private readonly values: Array<string | undefined>;
  private readonly valueIndex: Int32Array;
  private readonly valueSource: string[];
  /** Key ids holding a value in this record, in input order; `touchedCount` of them are live. */
  private readonly touched: Int32Array;
  private touchedCount = 0;
  private readonly headers: unknown[] = new Array<unknown>(HEADER_COUNT).fill(undefined);
  private readonly headerSource: string[] = new Array<string>(HEADER_COUNT).fill('');
  /** Fields left for the second pass; `pendingCount` of them are live. */
  private readonly pending: Pending[] = [];
  private pendingCount = 0;
  /** Keys written in this record: table keys by slot stamp (== generation), others in `taken`. */
  private readonly stamps: Uint32Array;
  private generation = 0;
  private readonly taken = new Set<string>();
  /** Input name → case-folded key id or -1, for names the exact tables do not know. */
  private readonly foldCache = new Map<string, number>();
  private origin = '';
  /** Set by applyTypePolicy when a value cannot stay under its key. */
  private moveReason: string | undefined;

  // Layout cache: records of one shape (input keys in order) and type replay the layout
  // the generic path computed for the first such record that needed no diagnostic.
  private readonly shapeRoot: ShapeNode = newShapeNode(undefined, undefined);
  private shapeNodes = 0;
  /** Input values by position, for the replay. */
  private readonly inputValues: unknown[] = [];
  /** Steps the generic path records for the record's shape; undefined when not recording. */
  private recorded: Step[] | undefined;
  private diagCount = 0;
  /** Diagnostics held back while a replay may still fall back to the generic path. */
  private held: Array<[string, string | undefined, string]> | undefined;
  private readonly heldBuffer: Array<[string, string | undefined, string]> = [];
  /** The line fast path's result, reused record after record. */
  private readonly spanRecord = new ReusedSpanRecord();

  constructor(
    private readonly opts: NormalizeOptions,
    private readonly onDiagnostic: DiagnosticListener,
    private readonly shared: Shared,
  ) {
    const { table } = shared;
    this.strict = opts.profile === 'strict';
    this.targets = shared.targets[opts.profile];
    const docTargets: Array<readonly Target[]> = [];
    for (const [plan, targets] of shared.docTargets[opts.profile]) docTargets[plan.index] = targets;
    this.docTargets = docTargets;
    this.stamps = new Uint32Array(shared.slots.size);
    const aliasEntries = Object.entries(opts.aliases);
    for (const [from, to] of aliasEntries) this.checkAlias(from, to);
    this.aliases = aliasEntries.length === 0 ? undefined : new Map(aliasEntries);
    const severity = parseSeverity(opts.defaultSeverity);
    if (severity === undefined) {
      throw new SegError('SEG_ERR_CONFIG', `default severity "${opts.defaultSeverity}" is not ${SEVERITY_CHOICES}`);
    }
    this.defaultSeverity = severity;
    if (!Number.isInteger(opts.defaultSyslogSeverity) || opts.defaultSyslogSeverity < 0 || opts.defaultSyslogSeverity > 7) {
      throw new SegError('SEG_ERR_CONFIG', `default syslog severity ${opts.defaultSyslogSeverity} is not 0-7`);
    }
    this.namer = new ExtraNamer(opts.profile, table.reserved);
    this.typeKeyId = table.byKey.get('type')!.id;
    const n = table.infos.length;
    this.values = new Array<string | undefined>(n).fill(undefined);
    this.valueIndex = new Int32Array(n);
    this.valueSource = new Array<string>(n).fill('');
    this.touched = new Int32Array(n);
  }

  /** An alias must lead to a name some record could use: a header, a key, a label name. */
  private checkAlias(from: string, to: string): void {
    const { table, plans } = this.shared;
    if (table.routes.has(to) || table.caseFold.has(to.toLowerCase())) return;
    for (const plan of plans.values()) if (plan.inputs.has(to)) return;
    throw new SegError('SEG_ERR_CONFIG', `alias ${from} → ${to}: "${to}" is not a header field, CEF key, Segura key or label name`);
  }

  normalize(raw: RawRecord): CanonicalRecord {
    this.origin = raw.origin;
    let node: ShapeNode | undefined;
    if (!mayBeEnvelope(raw.data)) {
      node = this.walkShape(raw.data);
      if (node !== undefined && node.layouts !== undefined) {
        const replayed = this.replay(raw, node.layouts);
        if (replayed !== undefined) return replayed;
      }
    }
    return this.generic(raw, node);
  }

  /**
   * The line fast path: the record read from its bytes (see inputs/json-scan.ts) through its
   * shape's cached layout, with plain values left as byte ranges; undefined (nothing
   * reported) when the record must take normalize(): an unknown shape or layout, an empty
   * value, a possible envelope, a value a type policy would change, any diagnostic at all.
   * So every record it takes is one normalize() would have replayed without a word, and
   * the result is the same (a differential test compares the two).
   */
  normalizeLine(line: LineFields): SpanRecord | undefined {
    this.origin = '';
    const node = this.walkLine(line);
    if (node === undefined || node.layouts === undefined) return undefined;
    const held = this.heldBuffer;
    this.held = held;
    try {
      const head = this.headerStage();
      const layout = node.layouts[layoutSlot(head.plan, head.time !== undefined)];
      if (layout === undefined || held.length > 0 || !this.replayLine(layout, head.time, line)) return undefined;
      const rec = this.finishLine(line, head);
      return held.length === 0 ? rec : undefined;
    } catch {
      // A permanent header error: normalize() throws it again, with the record's origin.
      return undefined;
    } finally {
      this.held = undefined;
      if (held.length > 0) held.length = 0;
    }
  }

  /** walkShape for a scanned line, without adding to the trie: undefined when it has no node. */
  private walkLine(line: LineFields): ShapeNode | undefined {
    this.reset();
    let node = this.shapeRoot;
    const count = line.count;
    for (let i = 0; i < count; i++) {
      const child = childOfLine(node, line, i);
      if (child === undefined) return undefined;
      node = child;
      // What walkShape and mayBeEnvelope would refuse.
      if (line.isEmpty(i) || (child.envelopeKey && line.isString(i))) return undefined;
      const route = child.route;
      if (route !== undefined && route < 0 && route !== ROUTE_DROP) {
        const slot = routeSlot(route);
        // Times differ record by record; the other header values mostly repeat.
        const value = slot === H_TIME ? line.value(i) : line.repeatedValue(i);
        if ((slot === H_TYPE && typeof value === 'number') || this.headers[slot] !== undefined) return undefined;
        this.headers[slot] = value;
        // Only messages use it, and the fast path reports none.
        this.headerSource[slot] = '';
      }
    }
    return node;
  }

  /** replayFields for a scanned line, into the reused SpanRecord; false to decline. */
  private replayLine(layout: Layout, time: EventTime | undefined, line: LineFields): boolean {
    const out = this.spanRecord;
    out.ensureCapacity(layout.length * 2);
    const { keys, texts, starts, ends } = out;
    let n = 0;
    for (let s = 0; s < layout.length; s++) {
      const step = layout[s]!;
      if (step.kind === 1) {
        keys[n] = 'rt';
        texts[n++] = epochMsText(time!.epochMs);
        continue;
      }
      const index = step.index;
      const t = step.target;
      let text: string | undefined;
      if (line.isPlain(index) && (t === undefined || !this.policyMayChange(t, line, index))) {
        if (step.maxLength !== undefined && utf16Length(line, index, step.maxLength) > step.maxLength) return false;
      } else {
        text = this.replayedValue(step, line.value(index));
        if (text === undefined) return false;
      }
      if (step.labelKey !== undefined) {
        const label = replayedLabel(step, step.labelIndex >= 0 ? line.value(step.labelIndex) : undefined);
        if (label === undefined) return false;
        keys[n] = step.labelKey;
        texts[n++] = label;
      }
      keys[n] = step.key;
      texts[n] = text;
      if (text === undefined) {
        starts[n] = line.valueStart[index]!;
        ends[n] = line.valueEnd[index]!;
      }
      n++;
    }
    out.fieldCount = n;
    return true;
  }

  /** True when replayPolicy might not return a value unchanged (so it needs the text). */
  private policyMayChange(t: Target, line: LineFields, index: number): boolean {
    // isPlainIPv6 needs a colon.
    if (t.ipv6 !== undefined && bytesInclude(line, index, 0x3a)) return true;
    if (this.strict) return t.refuse || t.check !== undefined;
    return t.soft !== undefined;
  }

  /** finish() for the line fast path, into the reused SpanRecord. */
  private finishLine(line: LineFields, head: HeaderInfo): SpanRecord {
    const rec = this.fillHeader(this.spanRecord, head);
    rec.bytes = line.bytes;
    rec.bytesView = line.bytesView;
    return rec;
  }

  /**
   * The trie node of the record's key sequence (created as needed), with the header fields
   * stored and the input values by position; undefined when the record cannot replay a
   * layout (an empty value, a numeric `type`) or the trie is full.
   */
  private walkShape(data: Record<string, unknown>): ShapeNode | undefined {
    this.reset();
    const routes = this.shared.table.routeOf;
    const values = this.inputValues;
    let node = this.shapeRoot;
    let index = 0;
    for (const inputKey in data) {
      const i = index++;
      let child = node.firstKey === inputKey ? node.firstChild : node.next.get(inputKey);
      if (child === undefined) {
        if (this.shapeNodes >= SHAPE_NODE_LIMIT) return undefined;
        const name = this.aliases === undefined ? inputKey : (this.aliases.get(inputKey) ?? inputKey);
        child = newShapeNode(i === 0 && inputKey === 'date' ? ROUTE_DROP : routes[name], inputKey);
        if (node.firstKey === undefined) {
          node.firstKey = inputKey;
          node.firstChild = child;
        } else {
          node.next.set(inputKey, child);
          const hash = fnvHash(child.keyBytes);
          if (!node.nextByHash.has(hash)) node.nextByHash.set(hash, child);
        }
        this.shapeNodes++;
      }
      node = child;
      const value = data[inputKey];
      if (value === null || value === undefined || value === '') return undefined;
      values[i] = value;
      const route = child.route;
      if (route !== undefined && route < 0 && route !== ROUTE_DROP) {
        const slot = routeSlot(route);
        if (slot === H_TYPE && typeof value === 'number') return undefined;
        if (this.headers[slot] === undefined) {
          this.headers[slot] = value;
          this.headerSource[slot] = inputKey;
        } else {
          // A repeated header is reported by the generic path (and never cached).
          return undefined;
        }
      }
    }
    return node;
  }

  /** The record through its shape's cached layout, or undefined to take the generic path. */
  private replay(raw: RawRecord, layouts: ReadonlyArray<Layout | undefined>): CanonicalRecord | undefined {
    const held = this.heldBuffer;
    held.length = 0;
    this.held = held;
    let head: HeaderInfo;
    let fields: Field[] | undefined;
    try {
      head = this.headerStage();
      const layout = layouts[layoutSlot(head.plan, head.time !== undefined)];
      fields = layout === undefined ? undefined : this.replayFields(layout, head.time);
    } catch (err) {
      // A permanent header error (severity): the generic path reports what came before it too.
      this.releaseHeld();
      throw err;
    }
    if (fields === undefined) {
      this.held = undefined;
      return undefined;
    }
    this.releaseHeld();
    return this.finish(raw, head, fields);
  }

  /** Stops holding diagnostics back and reports the held ones, in order. */
  private releaseHeld(): void {
    const held = this.heldBuffer;
    this.held = undefined;
    for (let i = 0; i < held.length; i++) this.diag(held[i]![0], held[i]![1], held[i]![2]);
    held.length = 0;
  }

  private replayFields(layout: Layout, time: EventTime | undefined): Field[] | undefined {
    const fields: Field[] = [];
    const values = this.inputValues;
    for (let s = 0; s < layout.length; s++) {
      const step = layout[s]!;
      if (step.kind === 1) {
        fields.push({ key: 'rt', value: epochMsText(time!.epochMs), shrinkRank: undefined, column: undefined });
        continue;
      }
      const value = this.replayedValue(step, values[step.index]);
      if (value === undefined) return undefined;
      if (step.labelKey !== undefined) {
        const label = replayedLabel(step, step.labelIndex >= 0 ? values[step.labelIndex] : undefined);
        if (label === undefined) return undefined;
        fields.push({ key: step.labelKey, value: label, shrinkRank: undefined, column: step.labelColumn });
      }
      fields.push({ key: step.key, value, shrinkRank: step.shrinkRank, column: step.column });
    }
    return fields;
  }

  /** A step's value as the replay writes it (type policy, length cap), or undefined to fall back. */
  private replayedValue(step: Step, given: unknown): string | undefined {
    let value = valueText(given);
    if (value !== undefined && step.target !== undefined) value = this.replayPolicy(step.target, value);
    if (value === undefined || (step.maxLength !== undefined && value.length > step.maxLength)) return undefined;
    return value;
  }

  /** applyTypePolicy for a replay: the converted value, or undefined where the generic path would move it. */
  private replayPolicy(t: Target, value: string): string | undefined {
    if (t.ipv6 !== undefined && isPlainIPv6(value)) return undefined;
    if (this.strict) {
      if (t.refuse) return undefined;
      return t.check === undefined ? value : t.check(value);
    }
    return t.soft === undefined ? value : (t.soft(value) ?? value);
  }

  /** Every record the replay cannot take: routes, resolves and lays out field by field. */
  private generic(raw: RawRecord, node: ShapeNode | undefined): CanonicalRecord {
    this.reset();
    const diagsBefore = this.diagCount;
    let data = raw.data;
    if (mayBeEnvelope(data)) {
      const unwrapped = unwrapEnvelopes(data);
      if (unwrapped.tooDeep) this.diag('envelope-depth', undefined, `more than ${MAX_ENVELOPE_DEPTH} nested envelopes; the rest is kept as fields`);
      data = unwrapped.data;
    }
    this.collect(data);
    const head = this.headerStage();
    if (node !== undefined) this.recorded = [];
    this.resolvePending(head.plan);
    const fields = this.layOut(head.plan, head.time);
    const recorded = this.recorded;
    this.recorded = undefined;
    if (node !== undefined && recorded !== undefined && this.diagCount === diagsBefore) {
      (node.layouts ??= [])[layoutSlot(head.plan, head.time !== undefined)] = recorded;
    }
    return this.finish(raw, head, fields);
  }

  /** Message type, event, severities and time from the header fields. */
  private headerStage(): HeaderInfo {
    const typeInfo = this.resolveType();
    let plan = typeInfo.plan;
    let eventId = this.eventIdHeader();
    let event: SyslogEvent | undefined = eventId === undefined ? undefined : eventById(eventId);
    if (plan === undefined && !typeInfo.explicit && event?.messageType !== undefined) plan = this.shared.plans.get(event.messageType);
    if (eventId === undefined && plan?.soleEvent !== undefined) {
      event = plan.soleEvent;
      eventId = event.id;
    }
    const priority = this.priorityHeader();
    const severity = this.severity(priority ?? event?.syslogSeverity);
    const time = this.timeHeader();
    return { plan, eventId, event, priority, severity, time };
  }

  private finish(raw: RawRecord, head: HeaderInfo, fields: Field[]): CanonicalRecord {
    const rec: RecordHeader & { origin: string; fields: Field[] } = {
      origin: raw.origin,
      eventId: undefined,
      name: undefined,
      severity: '',
      syslogSeverity: 0,
      productVersion: undefined,
      time: undefined,
      host: undefined,
      procId: undefined,
      messageType: undefined,
      fields,
    };
    return this.fillHeader(rec, head);
  }

  /** Writes what the header fields say into `rec` (shared by finish() and the line fast path). */
  private fillHeader<R extends RecordHeader>(rec: R, head: HeaderInfo): R {
    const { plan, event, priority } = head;
    rec.eventId = head.eventId;
    rec.name = this.textHeader(H_NAME) ?? event?.name ?? plan?.type.title;
    rec.severity = head.severity;
    rec.syslogSeverity = priority ?? event?.syslogSeverity ?? this.opts.defaultSyslogSeverity;
    rec.productVersion = this.textHeader(H_VERSION);
    rec.time = head.time;
    rec.host = this.textHeader(H_HOST);
    rec.procId = this.textHeader(H_PROCID);
    rec.messageType = plan?.type.slug;
    return rec;
  }

  private reset(): void {
    const touched = this.touched;
    for (let i = 0; i < this.touchedCount; i++) this.values[touched[i]!] = undefined;
    this.touchedCount = 0;
    const headers = this.headers;
    for (let i = 0; i < HEADER_COUNT; i++) headers[i] = undefined;
    this.pendingCount = 0;
    if (this.taken.size > 0) this.taken.clear();
    if (++this.generation === 0xffffffff) {
      this.stamps.fill(0);
      this.generation = 1;
    }
  }

  private isTaken(slot: number): boolean {
    return this.stamps[slot] === this.generation;
  }

  private take(slot: number): void {
    this.stamps[slot] = this.generation;
  }

  /** First pass: header fields and every name the global tables know; the rest waits. */
  private collect(data: Record<string, unknown>): void {
    const routes = this.shared.table.routeOf;
    let index = 0;
    for (const inputKey in data) {
      const i = index++;
      // Fluent Bit's json_date_key: a leading `date` is the shipper's read time, never the event's.
      if (i === 0 && inputKey === 'date') continue;
      const value = data[inputKey];
      const name = this.aliases === undefined ? inputKey : (this.aliases.get(inputKey) ?? inputKey);
      const route = routes[name];
      if (route === undefined) this.pending[this.pendingCount++] = { inputKey, name, value, index: i };
      else if (route >= 0) this.storeField(route, value, i, inputKey);
      else if (route !== ROUTE_DROP) this.storeHeader(routeSlot(route), value, i, inputKey);
    }
  }

  private storeHeader(slot: number, value: unknown, index: number, inputKey: string): void {
    if (value === null || value === undefined || value === '') return;
    // A number under `type` is CEF's own `type` key (0 base … 3 action), not a message type slug.
    if (slot === H_TYPE && typeof value === 'number') {
      this.storeField(this.typeKeyId, value, index, inputKey);
      return;
    }
    if (this.headers[slot] !== undefined) {
      this.diag('duplicate-header', inputKey, `${inputKey} ignored: ${this.headerSource[slot]} came first`);
      return;
    }
    this.headers[slot] = value;
    this.headerSource[slot] = inputKey;
  }

  /** Stores a field value; of two inputs for one key, the one earlier in the record wins. */
  private storeField(id: number, value: unknown, index: number, inputKey: string): void {
    const text = valueText(value);
    if (text === undefined) return;
    const previous = this.values[id];
    if (previous === undefined) {
      this.values[id] = text;
      this.valueIndex[id] = index;
      this.valueSource[id] = inputKey;
      this.touched[this.touchedCount++] = id;
      return;
    }
    const key = this.shared.table.infos[id]!.key;
    if (index > this.valueIndex[id]!) {
      this.diag('duplicate-key', key, `${inputKey} ignored: ${this.valueSource[id]} came first and also means ${key}`);
      return;
    }
    this.diag('duplicate-key', key, `${this.valueSource[id]} ignored: ${inputKey} came first and also means ${key}`);
    this.values[id] = text;
    this.valueIndex[id] = index;
    this.valueSource[id] = inputKey;
  }

  private resolveType(): { plan: TypePlan | undefined; explicit: boolean } {
    const value = this.headers[H_TYPE];
    if (value === undefined) return { plan: undefined, explicit: false };
    if (typeof value !== 'string') {
      this.diag('invalid-header', this.headerSource[H_TYPE], `${this.headerSource[H_TYPE]}: a message type must be a slug such as password-request`);
      return { plan: undefined, explicit: true };
    }
    const plan = this.shared.plans.get(value) ?? this.shared.plansByLooseName.get(slugOf(value));
    if (plan === undefined) this.diag('unknown-type', this.headerSource[H_TYPE], `unknown message type "${clip(value)}"; fields kept in input order`);
    return { plan, explicit: true };
  }

  private eventIdHeader(): string | undefined {
    const value = this.headers[H_EVENT_ID];
    if (value === undefined) return undefined;
    const id = eventIdText(value);
    if (id === undefined) this.diag('invalid-header', this.headerSource[H_EVENT_ID], `${this.headerSource[H_EVENT_ID]}: an event id must be text or a number`);
    return id;
  }

  private priorityHeader(): number | undefined {
    const value = this.headers[H_PRIORITY];
    if (value === undefined) return undefined;
    const p = parsePriority(value);
    if (p === undefined) {
      this.diag('invalid-priority', this.headerSource[H_PRIORITY], `priority ${show(value)} is not a syslog severity (${PRIORITY_NAMES.join('/')} or 0-7); ignored`);
    }
    return p;
  }

  /** The record's severity, else 10 − syslog severity, else the configured default. */
  private severity(syslogSeverity: number | undefined): string {
    const value = this.headers[H_SEVERITY];
    if (value !== undefined) {
      const severity = parseSeverity(value);
      if (severity !== undefined) return severity;
      const field = this.headerSource[H_SEVERITY]!;
      throw new SegError('SEG_ERR_FIELD', `${this.origin}: ${field} ${show(value)} is not ${SEVERITY_CHOICES}`, {
        field,
        permanent: true,
      });
    }
    return syslogSeverity === undefined ? this.defaultSeverity : severityFromPriority(syslogSeverity);
  }

  private timeHeader(): EventTime | undefined {
    const value = this.headers[H_TIME];
    if (value === undefined) return undefined;
    const field = this.headerSource[H_TIME];
    const parsed = parseTime(value);
    if (!parsed.ok) {
      this.diag('invalid-time', field, `${field}: ${parsed.reason}; the record has no event time`);
      return undefined;
    }
    if (parsed.assumedUtc) this.diag('time-no-offset', field, `${field} has no UTC offset; read as UTC`);
    return parsed.time;
  }

  private textHeader(slot: number): string | undefined {
    const value = this.headers[slot];
    if (value === undefined) return undefined;
    const text = headerText(value);
    if (text === undefined) this.diag('invalid-header', this.headerSource[slot], `${this.headerSource[slot]} must be text or a number; ignored`);
    return text;
  }

  /** Second pass: names of this type's labelled fields, doc spellings, then names up to case. */
  private resolvePending(plan: TypePlan | undefined): void {
    const pending = this.pending;
    const count = this.pendingCount;
    if (count === 0) return;
    const caseFold = this.shared.table.caseFold;
    let kept = 0;
    let resolved = false;
    for (let i = 0; i < count; i++) {
      const p = pending[i]!;
      let id = plan?.inputs.get(p.name);
      if (id === undefined) {
        id = this.foldedId(p.name, caseFold);
        if (id !== undefined) {
          const key = this.shared.table.infos[id]!.key;
          this.diag('key-case', key, `${p.inputKey} read as ${key} (CEF keys are case-sensitive)`);
        }
      }
      if (id === undefined) {
        pending[kept++] = p;
        continue;
      }
      this.storeField(id, p.value, p.index, p.inputKey);
      resolved = true;
    }
    this.pendingCount = kept;
    if (resolved) this.sortTouchedByInput();
  }

  /** Key id of a name that matches a key only up to case, or undefined (memoised per name). */
  private foldedId(name: string, caseFold: ReadonlyMap<string, number>): number | undefined {
    let id = this.foldCache.get(name);
    if (id === undefined) {
      id = caseFold.get(name.toLowerCase()) ?? -1;
      if (this.foldCache.size < FOLD_CACHE_LIMIT) this.foldCache.set(name, id);
    }
    return id < 0 ? undefined : id;
  }

  /** Insertion sort of the touched ids by input position (they are nearly sorted already). */
  private sortTouchedByInput(): void {
    const touched = this.touched;
    const index = this.valueIndex;
    for (let i = 1; i < this.touchedCount; i++) {
      const id = touched[i]!;
      const at = index[id]!;
      let j = i - 1;
      while (j >= 0 && index[touched[j]!]! > at) {
        touched[j + 1] = touched[j]!;
        j--;
      }
      touched[j + 1] = id;
    }
  }

  /** Documented keys (documented order), `rt`, other known keys (input order), unknown fields. */
  private layOut(plan: TypePlan | undefined, time: EventTime | undefined): Field[] {
    const fields: Field[] = [];
    const infos = this.shared.table.infos;
    if (plan !== undefined) {
      const targets = this.docTargets[plan.index]!;
      const documented = plan.documented;
      for (let i = 0; i < documented.length; i++) {
        const id = documented[i]!;
        const value = this.values[id];
        if (value !== undefined) this.emit(fields, id, value, targets[i]!, plan);
      }
    }
    if (time !== undefined) {
      fields.push({ key: 'rt', value: epochMsText(time.epochMs), shrinkRank: undefined, column: undefined });
      this.take(this.shared.rtSlot);
      this.recorded?.push(step(1, -1, 'rt', undefined, undefined, undefined, undefined));
    }
    const touched = this.touched;
    for (let i = 0; i < this.touchedCount; i++) {
      const id = touched[i]!;
      if (plan !== undefined && plan.isDocumented[id] === 1) continue;
      // Labels are written with their values; a label without a value is omitted with it.
      if (infos[id]!.labelOf >= 0) continue;
      this.emit(fields, id, this.values[id]!, this.targets[id]!, plan);
    }
    this.layOutUnknown(fields);
    return fields;
  }

  /** The documented label key of a value (`cs7Label` for `cs7`) when written under another key. */
  private columnOf(written: string, labelId: number): string | undefined {
    const documented = labelId >= 0 ? this.shared.table.infos[labelId]!.key : undefined;
    return documented === written ? undefined : documented;
  }

  private emit(fields: Field[], id: number, given: string, t: Target, plan: TypePlan | undefined): void {
    const info = this.shared.table.infos[id]!;
    let key = t.key;
    let keySlot = t.keySlot;
    let value = given;
    let labelKey = t.labelKey;
    let labelSlot = t.labelSlot;
    let label: string | undefined;
    let labelMax = t.labelMaxLength;
    let maxLength = t.maxLength;
    let shrinkRank = t.shrinkRank;
    const ipv6 = t.ipv6;
    if (ipv6 !== undefined && isPlainIPv6(value) && !this.isTaken(ipv6.keySlot)) {
      key = ipv6.key;
      keySlot = ipv6.keySlot;
      labelKey = ipv6.labelKey;
      labelSlot = ipv6.labelSlot;
      label = ipv6.label;
      labelMax = PASS_THROUGH_MAX;
      maxLength = undefined;
    } else {
      value = this.applyTypePolicy(t, value);
      if (this.moveReason !== undefined) {
        key = this.namer.free(t.moveKey, this.taken);
        keySlot = -1;
        this.diag('moved', t.key, `${t.key}: ${this.moveReason}; written as ${key}`);
        labelKey = undefined;
        maxLength = PASS_THROUGH_MAX;
        shrinkRank = 1;
      }
    }
    let labelWritten = false;
    if (labelKey !== undefined) {
      label ??= this.labelFor(id, t, plan);
      if (label !== undefined && !this.isTaken(labelSlot)) {
        fields.push({ key: labelKey, value: this.cap(label, labelMax, labelKey), shrinkRank: undefined, column: this.columnOf(labelKey, info.labelId) });
        this.take(labelSlot);
        labelWritten = true;
      }
    }
    const column = key === info.key ? undefined : info.key;
    fields.push({ key, value: maxLength === undefined ? value : this.cap(value, maxLength, key), shrinkRank, column });
    if (this.recorded !== undefined) {
      if (key !== t.key) {
        // An IPv6 slot: value-dependent, so this shape is not cached.
        this.recorded = undefined;
      } else {
        const labelId = info.labelId;
        const given = labelWritten && labelId >= 0 && this.values[labelId] !== undefined;
        this.recorded.push({
          kind: 0,
          index: this.valueIndex[id]!,
          key,
          target: t,
          column,
          shrinkRank,
          maxLength,
          labelKey: labelWritten ? labelKey : undefined,
          labelIndex: given ? this.valueIndex[labelId]! : -1,
          fixedLabel: labelWritten ? (plan?.fixedLabels.get(id) ?? t.fixedLabel) : undefined,
          labelMax,
          labelColumn: labelWritten ? this.columnOf(labelKey!, labelId) : undefined,
        });
      }
    }
    if (keySlot >= 0) this.take(keySlot);
    else this.taken.add(key);
  }

  /**
   * Applies the profile's type policy and returns the value to write (converted when the
   * key has a canonical form). Sets `moveReason` when the value cannot stay under its key.
   */
  private applyTypePolicy(t: Target, value: string): string {
    this.moveReason = undefined;
    if (this.strict) {
      if (t.refuse) {
        this.moveReason = 'a consumer-only CEF key (ArcSight sets it, producers must not)';
        return value;
      }
      if (t.check !== undefined) {
        const checked = t.check(value);
        if (checked === undefined) {
          this.moveReason = `"${clip(value)}" is not a valid value for this key`;
          return value;
        }
        value = checked;
      }
    } else if (t.soft !== undefined) {
      value = t.soft(value) ?? value;
    }
    if (this.isTaken(t.keySlot)) this.moveReason = `${t.key} is already written`;
    return value;
  }

  /** The record's label, else the type's fixed label, else the profile's; strict never leaves a slot unlabelled. */
  private labelFor(id: number, t: Target, plan: TypePlan | undefined): string | undefined {
    const info = this.shared.table.infos[id]!;
    const given = info.labelId >= 0 ? this.values[info.labelId] : undefined;
    const fixed = plan?.fixedLabels.get(id) ?? t.fixedLabel;
    if (given !== undefined) {
      if (fixed !== undefined && given !== fixed) {
        this.diag('label-differs', t.labelKey, `${info.key} labelled "${clip(given)}" by the record; the documented label is "${fixed}"`);
      }
      return given;
    }
    if (fixed !== undefined || !this.strict) return fixed;
    this.diag('label-missing', t.labelKey, `${info.key} has no label; labelled "${info.key}"`);
    return info.key;
  }

  /** Unknown fields in input order under valid custom keys, or dropped (and counted) with dropUnknown. */
  private layOutUnknown(fields: Field[]): void {
    const pending = this.pending;
    let dropped: string[] | undefined;
    for (let i = 0; i < this.pendingCount; i++) {
      const p = pending[i]!;
      const value = valueText(p.value);
      if (value === undefined) continue;
      if (this.opts.dropUnknown) {
        (dropped ??= []).push(p.inputKey);
        continue;
      }
      const base = this.namer.base(p.inputKey);
      const key = this.namer.unique(base.name, this.taken);
      if (key !== base.name) {
        this.diag('key-renamed', key, `${clip(p.inputKey)} written as ${key} (${base.name} is already used in this record: counter added)`);
      } else if (base.report !== undefined) {
        this.diag('key-renamed', key, base.report);
      }
      fields.push({ key, value: this.cap(value, EXTRA_MAX, key), shrinkRank: 1, column: undefined });
      this.taken.add(key);
      this.recorded?.push(step(2, p.index, key, undefined, undefined, 1, EXTRA_MAX));
    }
    if (dropped !== undefined) {
      const shown = dropped.slice(0, 5).map(clip).join(', ');
      const more = dropped.length > 5 ? `, … (${dropped.length - 5} more)` : '';
      this.diag('unknown-dropped', undefined, `dropped ${dropped.length} unknown field(s): ${shown}${more}`);
    }
  }

  /** Cuts a value to `max` code points (cef.md §4.6), with a diagnostic. */
  private cap(value: string, max: number, key: string): string {
    if (value.length <= max) return value;
    const cut = truncateCodePoints(value, max);
    if (cut.length !== value.length) {
      this.diag('truncated', key, `${key} cut from ${codePointLength(value)} to ${max} code points (CEF maximum)`);
    }
    return cut;
  }

  private diag(code: string, field: string | undefined, message: string): void {
    if (this.held !== undefined) {
      this.held.push([code, field, message]);
      return;
    }
    this.diagCount++;
    this.onDiagnostic(this.origin, { code, ...(field === undefined ? {} : { field }), message: `${this.origin}: ${message}` });
  }
}

/**
 * A step's label as the replay writes it: the record's own (`given`, the value at
 * labelIndex) or the fixed one; undefined, to fall back, when the generic path would have
 * cut it or reported that it differs from the documented label.
 */
function replayedLabel(step: Step, given: unknown): string | undefined {
  const label = step.labelIndex >= 0 ? valueText(given) : step.fixedLabel;
  if (label === undefined || label.length > step.labelMax) return undefined;
  if (step.labelIndex >= 0 && step.fixedLabel !== undefined && label !== step.fixedLabel) return undefined;
  return label;
}

/** A replay step without a label (one object shape for every Step). */
function step(
  kind: number,
  index: number,
  key: string,
  target: Target | undefined,
  column: string | undefined,
  shrinkRank: number | undefined,
  maxLength: number | undefined,
): Step {
  return { kind, index, key, target, column, shrinkRank, maxLength, labelKey: undefined, labelIndex: -1, fixedLabel: undefined, labelMax: 0, labelColumn: undefined };
}

/** A value as it appeared, for a message: JSON text when it has one, else its String(). */
function show(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  return clip(text ?? String(value));
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/**
 * A trie key as the bytes the line fast path compares names with. A name with a lone
 * surrogate (only an escape can write one, and the scanner declines escaped names) would
 * encode to the bytes of U+FFFD, which a different, raw name has: it gets a byte string no
 * scanned name can have (a bare quote), so the fast path never takes that node.
 */
function lineKeyBytes(name: string): Uint8Array {
  return Buffer.from(hasLoneSurrogate(name) ? '"' : name, 'utf8');
}

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = s.charCodeAt(i + 1);
    if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return true;
    i++;
  }
  return false;
}

/** The child of `node` for member `i`'s name, or undefined. */
function childOfLine(node: ShapeNode, line: LineFields, i: number): ShapeNode | undefined {
  const first = node.firstChild;
  if (first !== undefined && line.keyIs(i, first.keyBytes)) return first;
  if (node.next.size === 0) return undefined;
  const byHash = node.nextByHash.get(line.keyHash(i));
  if (byHash !== undefined && line.keyIs(i, byHash.keyBytes)) return byHash;
  // Two names with one hash: only one of them is in nextByHash.
  return node.next.get(line.keyText(i));
}

/** The header part of a CanonicalRecord, writable: what fillHeader() writes. */
type RecordHeader = { -readonly [K in Exclude<keyof CanonicalRecord, 'origin' | 'fields'>]: CanonicalRecord[K] };

/** The SpanRecord normalizeLine fills, one per normalizer. */
class ReusedSpanRecord implements SpanRecord {
  readonly origin = '';
  eventId: string | undefined = undefined;
  name: string | undefined = undefined;
  severity = '';
  syslogSeverity = 0;
  productVersion: string | undefined = undefined;
  time: EventTime | undefined = undefined;
  host: string | undefined = undefined;
  procId: string | undefined = undefined;
  messageType: string | undefined = undefined;
  bytes: Uint8Array = new Uint8Array(0);
  bytesView: DataView = new DataView(new ArrayBuffer(0));
  fieldCount = 0;
  readonly keys: string[] = [];
  readonly texts: Array<string | undefined> = [];
  starts = new Int32Array(64);
  ends = new Int32Array(64);

  ensureCapacity(fields: number): void {
    if (fields <= this.starts.length) return;
    this.starts = new Int32Array(fields);
    this.ends = new Int32Array(fields);
  }
}

/** True when value `index` of `line` has the ASCII byte `byte`. */
function bytesInclude(line: LineFields, index: number, byte: number): boolean {
  const bytes = line.bytes;
  const end = line.valueEnd[index]!;
  for (let p = line.valueStart[index]!; p < end; p++) if (bytes[p] === byte) return true;
  return false;
}

/**
 * UTF-16 length of a plain value from its UTF-8 bytes (each code point is one unit, two
 * from 4-byte sequences); counted only when the byte length exceeds `max`, since the
 * UTF-16 length is never more than the byte length.
 */
function utf16Length(line: LineFields, index: number, max: number): number {
  const start = line.valueStart[index]!;
  const end = line.valueEnd[index]!;
  if (end - start <= max) return end - start;
  const bytes = line.bytes;
  let units = 0;
  for (let p = start; p < end; p++) {
    const b = bytes[p]!;
    if (b < 0x80 || (b >= 0xc0 && b < 0xf0)) units++;
    else if (b >= 0xf0) units += 2;
  }
  return units;
}
