/**
 * The aggregator's thread for {@linkcode replay} (`replay.ts`): it owns one `Aggregator` and
 * adds the record values the consumer's thread hands it, batch by batch, in the order it hands
 * them; on request it answers with the snapshot.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { Aggregator, type AggregatorOptions, type Snapshot } from "./aggregator.ts";
import type { Topic } from "../schema/events.ts";

/**
 * Values handed over at once: value `i` is `bytes[ends[i - 1] .. ends[i])` (null as empty), or,
 * when every value is valid UTF-8, `text.substring(ends[i - 1], ends[i])` with the ends in UTF-16
 * units (the same value: the raw rule gives bytes and their text the same outcome, and one
 * decoding per batch, on the consumer's thread, costs less than one per value here); it came from
 * source `sources[source[i]]` of topic `topics[source[i]]`, its Kafka record timestamp
 * `times[i]`.
 */
export interface ValueBatch {
  topics: Topic[];
  sources: string[];
  /** Per value: its index into `sources` and `topics`. */
  source: Uint16Array;
  times: Float64Array;
  bytes?: Uint8Array;
  text?: string;
  ends: Int32Array;
  count: number;
}

/** Main thread → aggregator thread. */
export type ToReplayWorker =
  | { type: "start"; options: Omit<AggregatorOptions, "now"> }
  | { type: "sources"; sources: string[] }
  | ({ type: "batch" } & ValueBatch)
  | { type: "snapshot" };

/** Aggregator thread → main thread. */
export type FromReplayWorker =
  | { type: "added" }
  | { type: "snapshot"; snapshot: Snapshot }
  | { type: "failed"; message: string };

let aggregator: Aggregator | undefined;
const post = (message: FromReplayWorker) => self.postMessage(message);

self.onmessage = (event: MessageEvent<ToReplayWorker>) => {
  const message = event.data;
  try {
    if (message.type === "start") aggregator = new Aggregator(message.options);
    else if (message.type === "sources") aggregator!.expectSources(message.sources);
    else if (message.type === "batch") {
      const { topics, sources, source, times, bytes, text, ends, count } = message;
      const agg = aggregator!;
      // A null value and an empty one are the same to the aggregator: "no value".
      let from = 0;
      for (let i = 0; i < count; i++) {
        const to = ends[i], s = source[i];
        const line = text !== undefined ? text.substring(from, to) : bytes!.subarray(from, to);
        agg.addLine(topics[s], line, sources[s], times[i]);
        from = to;
      }
      post({ type: "added" });
    } else post({ type: "snapshot", snapshot: aggregator!.snapshot() });
  } catch (error) {
    post({ type: "failed", message: (error as Error).message });
  }
};
