/**
 * Test helpers: byte edits for property tests of the raw rule and its twins (a few bytes of a
 * JSON text removed, inserted, replaced or cut off, favouring bytes that matter to JSON).
 */
import fc from "fast-check";

/** Bytes that matter to JSON (and some that break it), for mutations. */
const SPECIAL = [...'"\\{}[],:.-+eE0159tfnu \t\n\r'].map((c) => c.charCodeAt(0))
  .concat([0x00, 0x1f, 0x7f, 0x80, 0xc3, 0xa9, 0xef, 0xbb, 0xbf, 0xff]);

/** One edit: at a position, delete (op 0), insert (1) or replace (2) a byte, or cut there (3). */
export interface ByteEdit {
  at: number;
  byte: number;
  op: number;
}

/** An arbitrary edit. */
export const byteEdit: fc.Arbitrary<ByteEdit> = fc.record({
  at: fc.nat(),
  byte: fc.oneof(fc.constantFrom(...SPECIAL), fc.integer({ min: 0, max: 255 })),
  op: fc.integer({ min: 0, max: 3 }),
});

/** `text`'s UTF-8 bytes with `edits` applied in order (positions wrap around the length). */
export function applyEdits(text: string, edits: readonly ByteEdit[]): Uint8Array {
  const bytes = [...new TextEncoder().encode(text)];
  for (const { at, byte, op } of edits) {
    const i = at % (bytes.length + 1);
    if (op === 0) bytes.splice(i, 1);
    else if (op === 1) bytes.splice(i, 0, byte);
    else if (op === 2) bytes[Math.min(i, bytes.length - 1)] = byte;
    else bytes.length = i;
  }
  return new Uint8Array(bytes);
}
