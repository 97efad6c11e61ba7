/**
 * A network fault for kafkajs, on purpose and without timings: a socket factory whose sockets
 * lose one Produce response. The broker has appended the batch and answered; the client never
 * hears so. While the client waits, the test does what it likes (restart the broker), then the
 * connection fails and kafkajs sends the batch again: the in-doubt resend an idempotent producer
 * must not write twice.
 *
 * Kafka frames are `int32 size` + payload; a request payload starts with `int16 api_key,
 * int16 api_version, int32 correlation_id`, a response payload with `int32 correlation_id`.
 *
 * @module
 */
import net from "node:net";
import { Buffer } from "node:buffer";
import type { ISocketFactory } from "kafkajs";

const PRODUCE = 0;

/** The fault and the socket factory that carries it. */
export interface LostResponse {
  /** For `new Kafka({ socketFactory })`. */
  socketFactory: ISocketFactory;
  /**
   * Loses the next Produce response: once it arrives, the connection goes silent (nothing in,
   * nothing out), `meanwhile` runs, then the connection fails with an error.
   */
  arm(meanwhile: () => Promise<void>): void;
  /** Whether a response was lost and `meanwhile` has finished. */
  readonly fired: boolean;
  /** What `meanwhile` threw, if it did. */
  readonly failure: Error | undefined;
}

/** Complete frames at the start of `buffer`, and what is left over. */
function frames(buffer: Buffer): { frames: Buffer[]; rest: Buffer } {
  const out: Buffer[] = [];
  let at = 0;
  while (buffer.length - at >= 4) {
    const size = buffer.readInt32BE(at);
    if (buffer.length - at - 4 < size) break;
    out.push(buffer.subarray(at, at + 4 + size));
    at += 4 + size;
  }
  return { frames: out, rest: buffer.subarray(at) };
}

/** A socket factory for kafkajs that can lose one Produce response (see the module doc). */
export function lostResponse(): LostResponse {
  let armed: (() => Promise<void>) | null = null;
  let fired = false;
  let failure: Error | undefined;

  const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = net.connect({ host, port }, onConnect);
    const produceIds = new Set<number>();
    let silent = false;
    let failWith: ((error: Error) => void) | null = null;
    let pending = Buffer.alloc(0);

    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    socket.write = ((chunk: Uint8Array, ...rest: unknown[]) => {
      if (silent) return true;
      for (const frame of frames(Buffer.from(chunk)).frames) {
        if (frame.readInt16BE(4) === PRODUCE) produceIds.add(frame.readInt32BE(8));
      }
      return write(chunk, ...rest);
    }) as typeof socket.write;

    const lose = async (meanwhile: () => Promise<void>) => {
      silent = true;
      try {
        await meanwhile();
      } catch (error) {
        failure = error as Error;
      }
      fired = true;
      socket.destroy();
      failWith?.(new Error("connection lost after the broker answered (test fault)"));
    };

    // deno-lint-ignore no-explicit-any
    type Handler = (...args: any[]) => void;
    const on = socket.on.bind(socket) as (event: string, handler: Handler) => void;
    socket.on = ((event: string, handler: Handler) => {
      if (event === "data") {
        on("data", (chunk: Buffer) => {
          if (silent) return;
          const split = frames(Buffer.concat([pending, chunk]));
          pending = Buffer.from(split.rest);
          for (const frame of split.frames) {
            if (armed && produceIds.has(frame.readInt32BE(4))) {
              const meanwhile = armed;
              armed = null;
              lose(meanwhile);
              return;
            }
            handler(frame);
          }
        });
      } else {
        if (event === "error") failWith = handler;
        // Silent means silent: kafkajs must not hear that the broker went away either.
        on(event, (...args) => silent || handler(...args));
      }
      return socket;
    }) as typeof socket.on;
    return socket;
  };

  return {
    socketFactory,
    arm(meanwhile) {
      armed = meanwhile;
    },
    get fired() {
      return fired;
    },
    get failure() {
      return failure;
    },
  };
}
