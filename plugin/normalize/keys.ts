/**
 * Build-time tables that route a record's input names to header slots and canonical keys:
 * the CEF dictionary (short keys and ArcSight full names), Segura's own keys, Segura's
 * misspellings, per message type the descriptive names of labelled fields, and a
 * case-insensitive fallback. Everything here is built once per normalizer; a record's keys
 * then cost one Map lookup each.
 */
import {
  DICTIONARY,
  DOC_INPUT_NAMES,
  MESSAGE_TYPES,
  SEGURA_KEYS,
  labelInputNames,
  labelTarget,
  soleEventOf,
  type DictionaryEntry,
  type KeyType,
  type MessageType,
  type SeguraKey,
  type SyslogEvent,
} from '../catalog/catalog.js';

/** Header slots of a record. */
export const H_EVENT_ID = 0;
export const H_NAME = 1;
export const H_SEVERITY = 2;
export const H_PRIORITY = 3;
export const H_VERSION = 4;
export const H_TIME = 5;
export const H_HOST = 6;
export const H_PROCID = 7;
export const H_TYPE = 8;
export const HEADER_COUNT = 9;

/** Accepted input names of the header fields. */
export const HEADER_INPUTS: Readonly<Record<string, number>> = {
  event_id: H_EVENT_ID,
  eventId: H_EVENT_ID,
  signature_id: H_EVENT_ID,
  deviceEventClassId: H_EVENT_ID,
  name: H_NAME,
  severity: H_SEVERITY,
  priority: H_PRIORITY,
  product_version: H_VERSION,
  productVersion: H_VERSION,
  timestamp: H_TIME,
  time: H_TIME,
  '@timestamp': H_TIME,
  rt: H_TIME,
  host: H_HOST,
  hostname: H_HOST,
  pid: H_PROCID,
  procid: H_PROCID,
  process_id: H_PROCID,
  type: H_TYPE,
};

/** Keys a shipper adds that never reach the output (Fluent Bit's `__internal__`). */
export const DROPPED_INPUTS: readonly string[] = ['__internal__'];

/**
 * A route is a number: >= 0 a canonical key id, -1 - slot a header slot, ROUTE_DROP drop.
 * Numbers, not objects, so the per-key lookup allocates nothing.
 */
export const ROUTE_DROP = -100;
export const headerRoute = (slot: number): number => -1 - slot;
export const routeSlot = (route: number): number => -1 - route;

export type KeyRole = 'producer' | 'consumer' | 'both' | 'segura';

/** One canonical key: a CEF dictionary key or a Segura key. */
export interface KeyInfo {
  readonly id: number;
  readonly key: string;
  readonly type: KeyType;
  readonly maxLength: number | undefined;
  readonly role: KeyRole;
  readonly shrinkRank: number | undefined;
  /** Id of the key labelling this one (`cs1` → `cs1Label`), or -1. */
  labelId: number;
  /** Id of the key this one labels, or -1 when it is not a label. */
  labelOf: number;
  readonly dictionary: DictionaryEntry | undefined;
  readonly segura: SeguraKey | undefined;
}

export interface KeyTable {
  readonly infos: readonly KeyInfo[];
  readonly byKey: ReadonlyMap<string, KeyInfo>;
  /** Exact input name → route (headers, dictionary keys and full names, Segura keys). */
  readonly routes: ReadonlyMap<string, number>;
  /**
   * The same as a prototype-less object: the per-key lookup of every record. Input names are
   * property names JSON.parse has already interned, and a property lookup with them is
   * cheaper than Map.get.
   */
  readonly routeOf: Readonly<Record<string, number>>;
  /** Lower-cased input name → key id, for names that match a key only up to case. */
  readonly caseFold: ReadonlyMap<string, number>;
  /** Lower-cased names an unknown field must not be emitted under. */
  readonly reserved: ReadonlySet<string>;
}

export function buildKeyTable(): KeyTable {
  const infos: KeyInfo[] = [];
  const byKey = new Map<string, KeyInfo>();
  const add = (info: Omit<KeyInfo, 'id' | 'labelId' | 'labelOf'>): void => {
    if (byKey.has(info.key)) throw new Error(`catalog: key ${info.key} defined twice`);
    const full: KeyInfo = { ...info, id: infos.length, labelId: -1, labelOf: -1 };
    infos.push(full);
    byKey.set(full.key, full);
  };
  for (const e of DICTIONARY) {
    add({ key: e.key, type: e.type, maxLength: e.maxLength, role: e.role, shrinkRank: dictionaryShrinkRank(e), dictionary: e, segura: undefined });
  }
  for (const s of SEGURA_KEYS) {
    add({ key: s.key, type: 'string', maxLength: s.maxLength, role: 'segura', shrinkRank: s.freeText ? 1 : undefined, dictionary: undefined, segura: s });
  }
  for (const info of infos) {
    const target = info.segura?.labelOf ?? labelTarget(info.key, (k) => byKey.has(k));
    if (target === undefined) continue;
    const valueInfo = byKey.get(target)!;
    info.labelOf = valueInfo.id;
    valueInfo.labelId = info.id;
  }
  const routes = buildRoutes(infos, byKey);
  const routeOf = Object.create(null) as Record<string, number>;
  for (const [name, route] of routes) routeOf[name] = route;
  return { infos, byKey, routes, routeOf, caseFold: buildCaseFold(routes), reserved: buildReserved(routes) };
}

/**
 * Byte-budget rank (Field.shrinkRank): `msg` 0, other free text 1; never labels, ids
 * (full name ending in Id/ID) or typed values.
 */
function dictionaryShrinkRank(e: DictionaryEntry): number | undefined {
  if (e.key === 'msg') return 0;
  if (e.type !== 'string' || e.key.endsWith('Label')) return undefined;
  if (e.fullName.endsWith('Id') || e.fullName.endsWith('ID')) return undefined;
  return 1;
}

function buildRoutes(infos: readonly KeyInfo[], byKey: ReadonlyMap<string, KeyInfo>): Map<string, number> {
  const routes = new Map<string, number>();
  // Lowest precedence first; later sets win.
  for (const [name, key] of Object.entries(DOC_INPUT_NAMES)) routes.set(name, byKey.get(key)!.id);
  for (const info of infos) if (info.dictionary !== undefined) routes.set(info.dictionary.fullName, info.id);
  for (const info of infos) routes.set(info.key, info.id);
  for (const [name, slot] of Object.entries(HEADER_INPUTS)) routes.set(name, headerRoute(slot));
  // `rt` is the record's event time; its full name is too, so it can never be written twice.
  routes.set('deviceReceiptTime', headerRoute(H_TIME));
  for (const name of DROPPED_INPUTS) routes.set(name, ROUTE_DROP);
  return routes;
}

function buildCaseFold(routes: ReadonlyMap<string, number>): Map<string, number> {
  const fold = new Map<string, number>();
  const ambiguous = new Set<string>();
  const headers = new Set(Object.keys(HEADER_INPUTS).map((h) => h.toLowerCase()));
  for (const [name, route] of routes) {
    if (route < 0) continue;
    const lower = name.toLowerCase();
    if (headers.has(lower)) continue;
    const seen = fold.get(lower);
    if (seen !== undefined && seen !== route) ambiguous.add(lower);
    fold.set(lower, route);
  }
  for (const a of ambiguous) fold.delete(a);
  return fold;
}

function buildReserved(routes: ReadonlyMap<string, number>): Set<string> {
  const reserved = new Set<string>();
  for (const name of routes.keys()) reserved.add(name.toLowerCase());
  for (const s of SEGURA_KEYS) reserved.add(s.strict.key.toLowerCase());
  for (const t of MESSAGE_TYPES) for (const k of t.keys) if (k.doc !== undefined) reserved.add(k.doc.toLowerCase());
  return reserved;
}

/** What one message type needs at run time. */
export interface TypePlan {
  /** Position among the plans (0, 1, …), for per-normalizer arrays indexed by plan. */
  readonly index: number;
  readonly type: MessageType;
  /** Value keys in documented order (labels ride with their values). */
  readonly documented: readonly number[];
  readonly isDocumented: Uint8Array;
  /** Value key id → the fixed label text the type gives it. */
  readonly fixedLabels: ReadonlyMap<number, string>;
  /** Value key id → Segura's own spelling, written by the segura profile (`dport`, `Method`). */
  readonly seguraNames: ReadonlyMap<number, string>;
  /** Input names this type adds: label texts (`validityStart`) and doc spellings (`Cs7`). */
  readonly inputs: ReadonlyMap<string, number>;
  /** The event this type stands for when it links exactly one event id. */
  readonly soleEvent: SyslogEvent | undefined;
}

export function buildTypePlans(table: KeyTable): Map<string, TypePlan> {
  const plans = new Map<string, TypePlan>();
  for (const type of MESSAGE_TYPES) plans.set(type.slug, buildTypePlan(table, type, plans.size));
  return plans;
}

function buildTypePlan(table: KeyTable, type: MessageType, index: number): TypePlan {
  const documented: number[] = [];
  const isDocumented = new Uint8Array(table.infos.length);
  const fixedLabels = new Map<number, string>();
  const seguraNames = new Map<number, string>();
  const inputs = new Map<string, number>();
  for (const row of type.keys) {
    const info = table.byKey.get(row.key);
    if (info === undefined) throw new Error(`catalog: ${type.slug} lists unknown key ${row.key}`);
    if (row.doc !== undefined && !table.routes.has(row.doc)) inputs.set(row.doc, info.id);
    if (info.labelOf >= 0) {
      if (row.fixed === undefined) throw new Error(`catalog: ${type.slug} label ${row.key} has no fixed text`);
      fixedLabels.set(info.labelOf, row.fixed);
      for (const name of labelInputNames(row.fixed)) {
        if (!table.routes.has(name) && !inputs.has(name)) inputs.set(name, info.labelOf);
      }
      continue;
    }
    if (isDocumented[info.id] === 1) throw new Error(`catalog: ${type.slug} lists ${row.key} twice`);
    documented.push(info.id);
    isDocumented[info.id] = 1;
    if (row.segura !== undefined) seguraNames.set(info.id, row.segura);
  }
  return { index, type, documented, isDocumented, fixedLabels, seguraNames, inputs, soleEvent: soleEventOf(type) };
}

/** `Password Request`, `password_request`, `PASSWORD-REQUEST` → `password-request`. */
export function slugOf(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
