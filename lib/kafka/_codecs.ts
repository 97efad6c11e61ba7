/**
 * Reading the compression codecs kafkajs lacks: Snappy, LZ4 and Zstandard. kafkajs itself reads
 * only uncompressed and gzip batches, and stops a consumer for good on the first batch another
 * producer compressed otherwise (Kafka's Java producer with `compression.type=lz4`, librdkafka's
 * `snappy`, Confluent's tools): "Snappy compression not implemented". {@linkcode installCodecs}
 * registers a decompressor for each in kafkajs's codec table.
 *
 * - **Snappy**, as Kafka's clients write it: xerial's framing (`snappy-java`'s stream: a 16-byte
 *   header, then blocks each prefixed with its length, big-endian) around raw Snappy blocks, or
 *   raw Snappy alone; each block decoded by `snappyjs`.
 * - **LZ4**: the LZ4 frame format (what Kafka's `KafkaLZ4BlockOutputStream` and librdkafka
 *   write): one or more frames, each a header (with or without content size, dictionary id),
 *   blocks compressed or stored, with or without block checksums, an end mark, and an optional
 *   content checksum. Checksums are skipped, not verified: Kafka's CRC-32C over the whole batch
 *   is the check (the broker verified it when the batch was written).
 * - **Zstandard**: `fzstd`, a decoder of the standard frame format.
 *
 * Decompression only: this project's producers send uncompressed batches, and producing with one
 * of these codecs stops with an error naming it.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import snappy from "snappyjs";
import { decompress as zstdDecompress } from "fzstd";

/** The header of xerial's Snappy stream: a magic, then its version and compatible version. */
const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];
const XERIAL_HEADER_BYTES = 16;

/**
 * A raw Snappy block of `n` bytes holds at most this many: its densest element, a copy with a
 * two-byte offset, writes 64 bytes for 3. A block claiming more is corrupt, and refused before
 * `snappyjs` allocates what it claims (up to 2 GiB from a few bytes).
 */
export function snappyBound(n: number): number {
  return Math.floor(n * 64 / 3);
}

function snappyBlock(block: Uint8Array): Uint8Array {
  return snappy.uncompress(block, snappyBound(block.length));
}

/** Decompresses a Snappy batch as Kafka's clients write it (xerial framing, or raw). */
export function snappyDecompress(input: Uint8Array): Uint8Array {
  const framed = input.length >= XERIAL_HEADER_BYTES &&
    XERIAL_MAGIC.every((b, i) => input[i] === b);
  if (!framed) return snappyBlock(input);
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const blocks: Uint8Array[] = [];
  let pos = XERIAL_HEADER_BYTES, total = 0;
  while (pos < input.length) {
    if (pos + 4 > input.length) throw new Error("Snappy: a block's length is cut off");
    const size = view.getUint32(pos);
    pos += 4;
    if (pos + size > input.length) throw new Error("Snappy: a block is cut off");
    const block = snappyBlock(input.subarray(pos, pos + size));
    blocks.push(block);
    total += block.length;
    pos += size;
  }
  return concat(blocks, total);
}

const LZ4_MAGIC = 0x184d2204;
/** Skippable frames (`0x184D2A50`–`0x184D2A5F`): a length, then bytes to ignore. */
const LZ4_SKIPPABLE = 0x184d2a50;

/** Decompresses LZ4 frames (one or more, back to back), as Kafka's clients write them. */
export function lz4Decompress(input: Uint8Array): Uint8Array {
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const out = new Output(Math.max(64, input.length * 4));
  let pos = 0;
  const need = (n: number, what: string) => {
    if (pos + n > input.length) throw new Error(`LZ4: ${what} is cut off`);
  };
  while (pos < input.length) {
    need(4, "a frame's magic number");
    const magic = view.getUint32(pos, true);
    pos += 4;
    if ((magic & 0xfffffff0) === LZ4_SKIPPABLE) {
      need(4, "a skippable frame");
      pos += 4 + view.getUint32(pos, true);
      continue;
    }
    if (magic !== LZ4_MAGIC) throw new Error(`LZ4: not a frame (magic 0x${magic.toString(16)})`);
    need(2, "a frame's descriptor");
    const flags = input[pos];
    pos += 2; // FLG, BD (the block size only bounds blocks; they are read as they come)
    if (flags >> 6 !== 1) throw new Error(`LZ4: frame version ${flags >> 6} is not 1`);
    const blockChecksums = (flags & 0x10) !== 0;
    const contentSize = (flags & 0x08) !== 0;
    const contentChecksum = (flags & 0x04) !== 0;
    const dictionary = (flags & 0x01) !== 0;
    if (dictionary) throw new Error("LZ4: frames with a dictionary are not supported");
    pos += (contentSize ? 8 : 0) + 1; // the content size, then the header checksum
    // Blocks may refer back to the frame's earlier blocks (unless marked independent): they are
    // decoded into one output, so every earlier byte of the frame is there to copy from.
    const frameStart = out.length;
    while (true) {
      need(4, "a block's size");
      const word = view.getUint32(pos, true);
      pos += 4;
      if (word === 0) break; // the end mark
      const size = word & 0x7fffffff;
      need(size + (blockChecksums ? 4 : 0), "a block");
      if (word & 0x80000000) out.write(input, pos, size); // stored as it is
      else lz4Block(input, pos, pos + size, out, frameStart);
      pos += size + (blockChecksums ? 4 : 0);
    }
    if (contentChecksum) {
      need(4, "the content checksum");
      pos += 4;
    }
  }
  return out.bytes();
}

/** Decodes one LZ4 block (`input[from, to)`) onto `out`; matches reach back to `floor` at most. */
function lz4Block(input: Uint8Array, from: number, to: number, out: Output, floor: number) {
  let pos = from;
  const length = (base: number) => {
    let n = base;
    if (base === 15) {
      let b;
      do {
        if (pos >= to) throw new Error("LZ4: a length is cut off");
        b = input[pos++];
        n += b;
      } while (b === 255);
    }
    return n;
  };
  while (pos < to) {
    const token = input[pos++];
    const literals = length(token >> 4);
    if (pos + literals > to) throw new Error("LZ4: literals run past the block");
    out.write(input, pos, literals);
    pos += literals;
    if (pos === to) return; // the last sequence has literals only
    if (pos + 2 > to) throw new Error("LZ4: a match offset is cut off");
    const offset = input[pos] | (input[pos + 1] << 8);
    pos += 2;
    const match = length(token & 0x0f) + 4;
    if (offset === 0 || out.length - offset < floor) {
      throw new Error(`LZ4: a match refers ${offset} bytes back, before the frame`);
    }
    out.copyWithin(offset, match);
  }
}

/** A growing byte array. */
class Output {
  #bytes: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.#bytes = new Uint8Array(capacity);
  }

  #reserve(n: number) {
    if (this.length + n <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(2 * this.#bytes.length, this.length + n));
    grown.set(this.#bytes.subarray(0, this.length));
    this.#bytes = grown;
  }

  write(source: Uint8Array, from: number, n: number) {
    this.#reserve(n);
    this.#bytes.set(source.subarray(from, from + n), this.length);
    this.length += n;
  }

  /** Appends `n` bytes copied from `offset` bytes back (they may overlap what is appended). */
  copyWithin(offset: number, n: number) {
    this.#reserve(n);
    const bytes = this.#bytes;
    let from = this.length - offset, to = this.length;
    if (offset >= n) bytes.copyWithin(to, from, from + n);
    else for (let i = 0; i < n; i++) bytes[to++] = bytes[from++];
    this.length += n;
  }

  bytes(): Uint8Array {
    return this.#bytes.subarray(0, this.length);
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** kafkajs's codec table (`CompressionCodecs`): a factory per compression type. */
// deno-lint-ignore no-explicit-any
type CodecTable = Record<number, () => any>;

/** The codecs this module adds, by Kafka's compression type (2 Snappy, 3 LZ4, 4 ZSTD). */
const DECOMPRESSORS: ReadonlyArray<[number, string, (input: Uint8Array) => Uint8Array]> = [
  [2, "Snappy", snappyDecompress],
  [3, "LZ4", lz4Decompress],
  [4, "ZSTD", (input) => zstdDecompress(input)],
];

/**
 * Registers Snappy, LZ4 and Zstandard decompression in kafkajs's codec table (`CompressionCodecs`
 * from "kafkajs"): each gives a `Buffer`, as kafkajs's gzip codec does. A batch that does not
 * decode fails its fetch with a `fatal` error naming the codec (kafkajs's non-retriable error:
 * the consumer stops with it instead of fetching the same batch again and again).
 */
export function installCodecs(table: CodecTable, fatal: new (message: string) => Error): void {
  for (const [type, name, decompress] of DECOMPRESSORS) {
    table[type] = () => ({
      compress() {
        throw new fatal(`Producing with ${name} compression is not supported (reading it is)`);
      },
      // deno-lint-ignore require-await
      async decompress(input: Uint8Array): Promise<Buffer> {
        let out: Uint8Array;
        try {
          out = decompress(input);
        } catch (error) {
          throw new fatal(`A ${name}-compressed record batch does not decode: ${error}`);
        }
        return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
      },
    });
  }
}
