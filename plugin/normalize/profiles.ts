/**
 * The two key profiles as data: for every canonical key, the key the profile writes, its
 * label slot, the type check and length cap it applies, and where a value goes when it
 * cannot stay. `segura` writes Segura's documented keys as Segura spells them; `strict`
 * writes only CEF dictionary keys and `MT4Segura…` custom keys (CEF spec, "User-Defined
 * Extensions": VendornameProductnameExplanatoryKeyName). Built once per normalizer.
 */
import type { MessageType } from '../catalog/catalog.js';
import type { ProfileName } from './normalizer.js';
import type { KeyInfo, KeyTable, TypePlan } from './keys.js';
import { checkTimestamp, typeCheckFor, type TypeCheck } from './values.js';

/** Prefix of every custom key the strict profile writes (vendor MT4, product Segura). */
export const CUSTOM_PREFIX = 'MT4Segura';

/** Cap for values of typed keys in the segura profile, and for Segura keys without a spec maximum. */
export const PASS_THROUGH_MAX = 1023;

/** Cap for unknown fields kept as custom keys (the largest CEF custom string, cs1-cs6). */
export const EXTRA_MAX = 4000;

/**
 * CEF:0 address keys are IPv4 only; an IPv6 value moves to the spec's IPv6 slot with the
 * spec's label ("Special Mappings → IPv6 Format"). Applies in both profiles.
 */
export const IPV6_SLOTS: ReadonlyMap<string, { readonly key: string; readonly labelKey: string; readonly label: string }> = new Map([
  ['dvc', { key: 'c6a1', labelKey: 'c6a1Label', label: 'Device IPv6 Address' }],
  ['src', { key: 'c6a2', labelKey: 'c6a2Label', label: 'Source IPv6 Address' }],
  ['dst', { key: 'c6a3', labelKey: 'c6a3Label', label: 'Destination IPv6 Address' }],
]);

export interface IPv6Slot {
  readonly key: string;
  readonly keySlot: number;
  readonly labelKey: string;
  readonly labelSlot: number;
  readonly label: string;
}

/**
 * Small integers for every key a profile can write from its tables, so "already written
 * in this record?" is an array read instead of a Set lookup (see RecordNormalizer).
 */
export class KeySlots {
  private readonly slots = new Map<string, number>();

  of(key: string): number {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.slots.size;
      this.slots.set(key, slot);
    }
    return slot;
  }

  get size(): number {
    return this.slots.size;
  }
}

export interface Target {
  /** The key written. */
  readonly key: string;
  readonly keySlot: number;
  /** The label key written before the value, for custom slots. */
  readonly labelKey: string | undefined;
  /** -1 when there is no label key. */
  readonly labelSlot: number;
  readonly labelMaxLength: number;
  /** A label this profile always gives the slot (strict: `cn1Label=Key Parts Needed`). */
  readonly fixedLabel: string | undefined;
  /** Strict: the value must pass or it moves to `moveKey`. */
  readonly check: TypeCheck | undefined;
  /** Segura: the value is converted when it passes and kept as given when it does not. */
  readonly soft: TypeCheck | undefined;
  readonly maxLength: number | undefined;
  readonly shrinkRank: number | undefined;
  /** Strict: a consumer-only key; the value moves to `moveKey`. */
  readonly refuse: boolean;
  readonly ipv6: IPv6Slot | undefined;
  /** Custom key for a value that cannot stay under `key` (strict). */
  readonly moveKey: string;
}

/** Targets of every canonical key, indexed by key id. */
export function buildTargets(table: KeyTable, profile: ProfileName, slots: KeySlots): Target[] {
  return table.infos.map((info) => withSlots(profile === 'strict' ? strictTarget(table, info) : seguraTarget(table, info), slots));
}

type Unslotted = Omit<Target, 'keySlot' | 'labelSlot' | 'ipv6'> & {
  readonly ipv6: { readonly key: string; readonly labelKey: string; readonly label: string } | undefined;
};

/** Every Target is built here, with one property order, so the hot path sees one object shape. */
function withSlots(t: Unslotted, slots: KeySlots, key = t.key): Target {
  const ipv6 =
    t.ipv6 === undefined
      ? undefined
      : { key: t.ipv6.key, keySlot: slots.of(t.ipv6.key), labelKey: t.ipv6.labelKey, labelSlot: slots.of(t.ipv6.labelKey), label: t.ipv6.label };
  return {
    key,
    keySlot: slots.of(key),
    labelKey: t.labelKey,
    labelSlot: t.labelKey === undefined ? -1 : slots.of(t.labelKey),
    labelMaxLength: t.labelMaxLength,
    fixedLabel: t.fixedLabel,
    check: t.check,
    soft: t.soft,
    maxLength: t.maxLength,
    shrinkRank: t.shrinkRank,
    refuse: t.refuse,
    ipv6,
    moveKey: t.moveKey,
  };
}

function seguraTarget(table: KeyTable, info: KeyInfo): Unslotted {
  const label = info.labelId >= 0 ? table.infos[info.labelId]! : undefined;
  return {
    key: info.key,
    labelKey: label?.key,
    labelMaxLength: label?.maxLength ?? PASS_THROUGH_MAX,
    fixedLabel: undefined,
    check: undefined,
    soft: info.type === 'timestamp' ? checkTimestamp : undefined,
    maxLength: info.maxLength ?? PASS_THROUGH_MAX,
    shrinkRank: info.shrinkRank,
    refuse: false,
    ipv6: IPV6_SLOTS.get(info.key),
    moveKey: customKeyOf(info.key),
  };
}

function strictTarget(table: KeyTable, info: KeyInfo): Unslotted {
  const moveKey = customKeyOf(info.key);
  if (info.segura !== undefined) {
    const to = info.segura.strict;
    const slot = table.byKey.get(to.key);
    if (slot === undefined) {
      // A custom key of our own (MT4SeguraOriginIP): text, no label.
      return { ...plainTarget(to.key, moveKey, info), maxLength: info.maxLength };
    }
    const label = slot.labelId >= 0 ? table.infos[slot.labelId]! : undefined;
    return {
      ...plainTarget(slot.key, moveKey, info),
      labelKey: label?.key,
      labelMaxLength: label?.maxLength ?? PASS_THROUGH_MAX,
      fixedLabel: to.label,
      check: typeCheckFor(slot.key, slot.type),
      maxLength: slot.maxLength,
      shrinkRank: slot.type === 'string' ? info.shrinkRank : undefined,
    };
  }
  const label = info.labelId >= 0 ? table.infos[info.labelId]! : undefined;
  return {
    ...plainTarget(info.key, moveKey, info),
    labelKey: label?.key,
    labelMaxLength: label?.maxLength ?? PASS_THROUGH_MAX,
    check: typeCheckFor(info.key, info.type),
    maxLength: info.maxLength,
    refuse: info.role === 'consumer',
    ipv6: IPV6_SLOTS.get(info.key),
  };
}

function plainTarget(key: string, moveKey: string, info: KeyInfo): Unslotted {
  return {
    key,
    labelKey: undefined,
    labelMaxLength: PASS_THROUGH_MAX,
    fixedLabel: undefined,
    check: undefined,
    soft: undefined,
    maxLength: info.maxLength,
    shrinkRank: info.shrinkRank,
    refuse: false,
    ipv6: undefined,
    moveKey,
  };
}

/** `spid` → `MT4SeguraSpid`: the strict profile's home for a value its key cannot carry. */
export function customKeyOf(name: string): string {
  return CUSTOM_PREFIX + name.charAt(0).toUpperCase() + name.slice(1);
}

/** Targets of a message type's documented keys, in documented order (segura spellings applied). */
export function documentedTargets(plan: TypePlan, targets: readonly Target[], profile: ProfileName, slots: KeySlots): Target[] {
  return plan.documented.map((id) => {
    const t = targets[id]!;
    const own = profile === 'segura' ? plan.seguraNames.get(id) : undefined;
    return own === undefined ? t : withSlots(t, slots, own);
  });
}

/** One row of the mapping documentation: a documented key and what each profile writes. */
export interface MappingRow {
  /** As Segura's documentation writes it. */
  readonly documented: string;
  readonly canonical: string;
  /** Keys written, label first for custom slots (`cs1Label=GMUD`, `cs1`). */
  readonly segura: readonly string[];
  readonly strict: readonly string[];
}

/** The documented keys of `type` and the keys each profile writes for them. */
export function mappingRows(
  table: KeyTable,
  plan: TypePlan,
  targetsByProfile: Readonly<Record<ProfileName, readonly Target[]>>,
): MappingRow[] {
  const slots = new KeySlots();
  const type: MessageType = plan.type;
  const rows: MappingRow[] = [];
  for (const row of type.keys) {
    const info = table.byKey.get(row.key)!;
    if (info.labelOf >= 0) continue;
    const emitted = (profile: ProfileName): string[] => {
      const t = documentedTargets({ ...plan, documented: [info.id] }, targetsByProfile[profile], profile, slots)[0]!;
      const fixed = plan.fixedLabels.get(info.id) ?? t.fixedLabel;
      return t.labelKey !== undefined && fixed !== undefined ? [`${t.labelKey}=${fixed}`, t.key] : [t.key];
    };
    const labelRow = type.keys.find((k) => table.byKey.get(k.key)?.labelOf === info.id);
    const documented = [labelRow === undefined ? undefined : `${labelRow.doc ?? labelRow.key}=${labelRow.fixed}`, row.doc ?? row.key]
      .filter((s): s is string => s !== undefined)
      .join(' ');
    rows.push({ documented, canonical: row.key, segura: emitted('segura'), strict: emitted('strict') });
  }
  return rows;
}
