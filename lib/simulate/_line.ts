/**
 * A JSON line written straight as UTF-8 bytes, at the end of a caller's buffer.
 *
 * Building a line as a JS string makes ~40 small "cons" strings, and writing it to a file then
 * costs a join and a UTF-8 encoding on top; writing the bytes in place skips all three, which
 * is most of what makes the simulator fast. Strings are made only when a caller wants one.
 *
 * Bytes go in four or two at a time where they can (whole words of a {@linkcode Piece}, pairs
 * of hex or decimal digits): V8 does not vectorise byte loops, so fewer stores is faster.
 *
 * @module
 */

/** Room a line may take: an order of 5 items is about 600 bytes, every other line less. */
export const LINE_ROOM = 4096;

/** Fixed text, pre-encoded as little-endian 32-bit words plus up to 3 trailing bytes. */
export class Piece {
  readonly words: Uint32Array;
  readonly tail: Uint8Array;

  constructor(text: string) {
    const bytes = new TextEncoder().encode(text);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    this.words = new Uint32Array(bytes.length >> 2);
    for (let i = 0; i < this.words.length; i++) this.words[i] = view.getUint32(4 * i, true);
    this.tail = bytes.slice(4 * this.words.length);
  }
}

/** Pairs of characters as little-endian 16-bit words. */
function pairs(count: number, pair: (i: number) => string): Uint16Array {
  return Uint16Array.from({ length: count }, (_, i) => {
    const s = pair(i);
    return s.charCodeAt(0) | (s.charCodeAt(1) << 8);
  });
}
/** `00`…`ff` for each byte. */
const HEX_PAIRS = pairs(256, (i) => i.toString(16).padStart(2, "0"));
/** `00`…`99` for each number below 100. */
const DIGIT_PAIRS = pairs(100, (i) => String(i).padStart(2, "0"));
const DASH = 0x2d, ZERO = 0x30;

/** A line under construction: `bytes[start..end)`. */
export class Line {
  bytes: Uint8Array;
  #view: DataView;
  /** Where the line starts in `bytes`. */
  start = 0;
  /** Where the next byte goes. */
  end = 0;
  readonly #decoder = new TextDecoder();
  #minute = NaN;
  /** `","timestamp":"YYYY-MM-DDTHH:MM:` of #minute: 32 bytes, as 8 words. */
  readonly #prefix = new Uint32Array(8);

  /** A line in `bytes` (by default its own buffer, of LINE_ROOM bytes). */
  constructor(bytes: Uint8Array = new Uint8Array(LINE_ROOM)) {
    this.bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  /** Starts a new line at `start` of `bytes` (which must leave LINE_ROOM bytes of room). */
  begin(bytes: Uint8Array, start: number): void {
    if (bytes !== this.bytes) {
      this.bytes = bytes;
      this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    }
    this.start = this.end = start;
  }

  /** Appends fixed text. */
  put(piece: Piece): void {
    const view = this.#view, words = piece.words, tail = piece.tail;
    let n = this.end;
    for (let i = 0; i < words.length; i++, n += 4) view.setUint32(n, words[i], true);
    for (let i = 0; i < tail.length; i++) view.setUint8(n++, tail[i]);
    this.end = n;
  }

  /** Appends one byte (an ASCII character code). */
  byte(code: number): void {
    this.#view.setUint8(this.end++, code);
  }

  /** Appends a string of ASCII characters (one byte each). */
  ascii(text: string): void {
    for (let i = 0; i < text.length; i++) this.byte(text.charCodeAt(i));
  }

  /** Appends a non-negative integer in decimal, as `String(value)` would. */
  int(value: number): void {
    let digits = 1;
    for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
    let n = this.end + digits;
    this.end = n;
    let v = value;
    do {
      const q = Math.floor(v / 10);
      this.#view.setUint8(--n, ZERO + v - q * 10);
      v = q;
    } while (v > 0);
  }

  /** Appends the 16-bit `value` as 4 lower-case hex digits. */
  hex16(value: number): void {
    const word = HEX_PAIRS[(value >>> 8) & 255] | (HEX_PAIRS[value & 255] << 16);
    this.#view.setUint32(this.end, word, true);
    this.end += 4;
  }

  /**
   * Appends the version 4 UUID made of four 32-bit words, as `Random#uuid` formats them: the
   * version and variant bits overwrite parts of the second and third words.
   */
  uuid(a: number, b: number, c: number, d: number): void {
    this.hex16(a >>> 16);
    this.hex16(a);
    this.byte(DASH);
    this.hex16(b >>> 16);
    this.byte(DASH);
    this.hex16(0x4000 | (b & 0xfff));
    this.byte(DASH);
    this.hex16(0x8000 | ((c >>> 16) & 0x3fff));
    this.byte(DASH);
    this.hex16(c);
    this.hex16(d >>> 16);
    this.hex16(d);
  }

  /**
   * Appends the timestamp field up to its closing quote: `","timestamp":"` and epoch ms `t` as
   * `YYYY-MM-DDTHH:MM:SS.mmmZ` (as `isoTime`). The first 32 bytes are cached per minute:
   * records come in time order, so most share the previous record's minute.
   */
  timestamp(t: number): void {
    const minute = Math.floor(t / 60000);
    const prefix = this.#prefix;
    if (minute !== this.#minute) {
      this.#minute = minute;
      const text = '","timestamp":"' + new Date(minute * 60000).toISOString().slice(0, 17);
      for (let i = 0; i < 8; i++) {
        prefix[i] = text.charCodeAt(4 * i) | (text.charCodeAt(4 * i + 1) << 8) |
          (text.charCodeAt(4 * i + 2) << 16) | (text.charCodeAt(4 * i + 3) << 24);
      }
    }
    const rest = t - minute * 60000; // 0..59999
    const s = Math.floor(rest / 1000), ms = rest - s * 1000;
    const hundreds = Math.floor(ms / 100);
    const view = this.#view, n = this.end;
    for (let i = 0; i < 8; i++) view.setUint32(n + 4 * i, prefix[i], true);
    view.setUint16(n + 32, DIGIT_PAIRS[s], true);
    view.setUint8(n + 34, 0x2e); // .
    view.setUint8(n + 35, ZERO + hundreds);
    view.setUint16(n + 36, DIGIT_PAIRS[ms - 100 * hundreds], true);
    view.setUint8(n + 38, 0x5a); // Z
    this.end = n + 39;
  }

  /** The line as a string. */
  text(): string {
    return this.#decoder.decode(this.bytes.subarray(this.start, this.end));
  }
}
