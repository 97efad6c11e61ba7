/**
 * The workspace's one short, stable, non-cryptographic hash: 32-bit FNV-1a over a string's
 * UTF-16 code units. Its values name things that outlive a process (a sink's transactional id,
 * a lake's work folder), so it must never change.
 *
 * @module
 */

/**
 * 32-bit FNV-1a of `text` (UTF-16 code units), as an unsigned integer.
 *
 * @example
 * ```ts
 * import { fnv1a32 } from "./hash.ts";
 * fnv1a32(""); // 0x811c9dc5
 * fnv1a32("a"); // 0xe40c292c
 * ```
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return hash >>> 0;
}

/**
 * {@linkcode fnv1a32} as eight lowercase hex digits.
 *
 * @example
 * ```ts
 * import { fnv1a32Hex } from "./hash.ts";
 * fnv1a32Hex("a"); // "e40c292c"
 * ```
 */
export function fnv1a32Hex(text: string): string {
  return fnv1a32(text).toString(16).padStart(8, "0");
}
