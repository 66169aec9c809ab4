/**
 * FNV-1a (32-bit) over bytes: the hash LineFields.keyHash gives a name, so a table built from
 * names (the normalizer's key-sequence trie) can be searched with the hash of a name that
 * was never decoded. Not for anything an attacker could exploit: every hit is verified
 * byte for byte.
 */
export const FNV_SEED = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** The hash of bytes[start, end). */
export function fnvHash(bytes: Uint8Array, start = 0, end = bytes.length, seed = FNV_SEED): number {
  let hash = seed;
  for (let p = start; p < end; p++) hash = Math.imul(hash ^ bytes[p]!, FNV_PRIME);
  return hash;
}
