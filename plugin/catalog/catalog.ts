/**
 * The Segura event catalog: the data files beside this module (one source of truth),
 * typed and indexed once at load. It holds the CEF extension dictionary, Segura's
 * non-dictionary keys, the 27 documented message types with their keys in documented
 * order and fixed labels, the syslog event table (IDs 1-121, 336.xxx, 1695.xxx) with its
 * links to message types, and the message-type (SUID) codes. Pure data; no I/O at run time
 * (esbuild inlines the JSON into the bundle).
 */
import dictionaryData from './cef-dictionary.json' with { type: 'json' };
import inputNamesData from './input-names.json' with { type: 'json' };
import messageTypesData from './message-types.json' with { type: 'json' };
import seguraKeysData from './segura-keys.json' with { type: 'json' };
import suidData from './suid-codes.json' with { type: 'json' };
import eventsData from './syslog-events.json' with { type: 'json' };

/** Value types of the CEF dictionary (cef.md §1.6). `ip` = IPv4 or IPv6. */
export type KeyType = 'string' | 'integer' | 'long' | 'double' | 'timestamp' | 'ipv4' | 'ipv6' | 'ip' | 'mac';

export interface DictionaryEntry {
  /** Short key as written on the wire (`suser`); the full name when the spec has no short one. */
  readonly key: string;
  /** ArcSight full name (`sourceUserName`), accepted as an input name. */
  readonly fullName: string;
  readonly type: KeyType;
  /** The spec's maximum length; undefined for typed keys. */
  readonly maxLength?: number;
  /** `consumer` keys are set by ArcSight itself; producers must not send them. */
  readonly role: 'producer' | 'consumer' | 'both';
  readonly since?: '1.2';
  readonly title?: string;
  readonly note?: string;
}

/** A key Segura documents that is not in the CEF dictionary. */
export interface SeguraKey {
  readonly key: string;
  readonly meaning: string;
  readonly maxLength: number;
  /** May a byte budget shorten it (free text)? */
  readonly freeText: boolean;
  /** Set on label keys: the key this one labels. */
  readonly labelOf?: string;
  /** Where the strict profile puts it: a dictionary slot (with a fixed label) or a custom key. */
  readonly strict: { readonly key: string; readonly label?: string };
}

/** One row of a message type's documented key table. */
export interface MessageTypeKey {
  /** Canonical key: a dictionary key or a Segura key. */
  readonly key: string;
  /** The spelling in Segura's documentation when it differs (`dport`, `dposrt`, `Method`, `Cs6`). */
  readonly doc?: string;
  /** The key the segura profile writes when it is not `key` (Segura's own spelling). */
  readonly segura?: string;
  /** The fixed value of a label key (`GMUD`, `Validity Start`). */
  readonly fixed?: string;
  readonly meaning: string;
  /** A realistic value (the published examples have their digits stripped). */
  readonly example?: string;
  /** Set when the key is not a row of the documented table; says why it is listed. */
  readonly added?: string;
}

export interface MessageType {
  /** Stable identifier (`password-request`), accepted as the record's `type`. */
  readonly slug: string;
  /** Used as the event name when neither the record nor a linked event gives one. */
  readonly title: string;
  /** The section heading in Segura's documentation. */
  readonly docTitle: string;
  readonly keys: readonly MessageTypeKey[];
  readonly notes?: readonly string[];
  /** Syslog event ids linked to this type (derived from the event table). */
  readonly eventIds: readonly string[];
  /** Message-type (SUID) codes naming this type. */
  readonly suids: readonly string[];
}

export interface SyslogEvent {
  /** As Segura writes it: `13`, `336.501`. */
  readonly id: string;
  /** Segura's origin code (COSE, COSS, Orbit …). */
  readonly origin: string;
  /** Priority name as Segura's table gives it (`notice`, `alert`, `critical`). */
  readonly priority: string;
  /** RFC 5424 severity number 0-7. */
  readonly syslogSeverity: number;
  readonly name: string;
  /** Linked message type slug, when the documentation allows the link. */
  readonly messageType?: string;
  /** Why the link holds. */
  readonly link?: string;
}

export interface SuidCode {
  readonly suid: string;
  readonly events: string;
  readonly messageTypes: readonly string[];
}

export const DICTIONARY: readonly DictionaryEntry[] = dictionaryData as readonly DictionaryEntry[];
export const SEGURA_KEYS: readonly SeguraKey[] = seguraKeysData as readonly SeguraKey[];
export const SYSLOG_EVENTS: readonly SyslogEvent[] = eventsData as readonly SyslogEvent[];
export const SUID_CODES: readonly SuidCode[] = suidData;
/** Segura's misspellings of dictionary keys, accepted as input names (`dport` → `dpt`). */
export const DOC_INPUT_NAMES: Readonly<Record<string, string>> = inputNamesData.names;

const dictionaryByKey = new Map(DICTIONARY.map((e) => [e.key, e]));
const eventsById = new Map(SYSLOG_EVENTS.map((e) => [e.id, e]));

type RawType = Omit<MessageType, 'eventIds' | 'suids'>;

export const MESSAGE_TYPES: readonly MessageType[] = (messageTypesData as readonly RawType[]).map((t) => ({
  ...t,
  eventIds: SYSLOG_EVENTS.filter((e) => e.messageType === t.slug).map((e) => e.id),
  suids: SUID_CODES.filter((s) => s.messageTypes.includes(t.slug)).map((s) => s.suid),
}));

const typesBySlug = new Map(MESSAGE_TYPES.map((t) => [t.slug, t]));

export function dictionaryEntry(key: string): DictionaryEntry | undefined {
  return dictionaryByKey.get(key);
}

export function messageTypeBySlug(slug: string): MessageType | undefined {
  return typesBySlug.get(slug);
}

export function eventById(id: string): SyslogEvent | undefined {
  return eventsById.get(id);
}

/** The event a message type stands for when it links exactly one event id. */
export function soleEventOf(type: MessageType): SyslogEvent | undefined {
  return type.eventIds.length === 1 ? eventsById.get(type.eventIds[0]!) : undefined;
}

/**
 * The value key a label key names: `cs1Label` → `cs1`, `deviceCustomDate1Label` →
 * `deviceCustomDate1`, `cs7Label` → `cs7`; undefined for keys that are not labels.
 */
export function labelTarget(key: string, isKnown: (k: string) => boolean): string | undefined {
  if (!key.endsWith('Label')) return undefined;
  const target = key.slice(0, -'Label'.length);
  return isKnown(target) ? target : undefined;
}

/**
 * Input spellings of a label text: `Validity Start` → validityStart, ValidityStart,
 * validity_start, VALIDITY_START, validity-start, validitystart and the text itself.
 * Records may name a labelled field by its label instead of csN.
 */
export function labelInputNames(label: string): string[] {
  const words = label.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  if (words.length === 0) return [];
  const lower = words.map((w) => w.toLowerCase());
  const cap = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);
  const names = new Set<string>([
    label,
    lower[0] + lower.slice(1).map(cap).join(''),
    words[0]!.toLowerCase() + words.slice(1).map(cap).join(''),
    lower.map(cap).join(''),
    words.map(cap).join(''),
    lower.join('_'),
    lower.join('_').toUpperCase(),
    lower.join('-'),
    lower.join(''),
  ]);
  return [...names];
}
