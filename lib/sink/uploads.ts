/**
 * The sink's uploads: closed files wait in a queue per partition (`PartitionState.uploads`, in
 * offset order) and one pool of uploads serves all partitions. Each file is one atomic put,
 * retried while the lake is away until it lands or its partition's signal aborts.
 *
 * @module
 */
import type { LakeStorage } from "../lake/storage.ts";
import { retry, type RetryOptions } from "../retry.ts";
import type { ClosedFile } from "./buffer.ts";
import type { PartitionState, Upload } from "./state.ts";

/** What an {@linkcode Uploader} needs from its sink. */
export interface UploaderOptions {
  lake: LakeStorage;
  /** Files uploaded at once, over all partitions. */
  concurrency: number;
  /** The sink's lake retry for one upload, ended by `signal`. */
  retry: (signal: AbortSignal) => RetryOptions;
  log: (line: string) => void;
  /** A file is stored (not called for a file whose partition was aborted). */
  onStored: (upload: Upload) => void;
  /** A put failed for good: the sink stops with this error. */
  fail: (error: unknown) => void;
}

/** The pool of uploads of one sink. */
export class Uploader {
  readonly #o: UploaderOptions;
  /** Uploads waiting for a free slot, oldest first. */
  readonly #queue: Upload[] = [];
  /** Uploads not yet settled (queued or running). */
  readonly #unsettled = new Set<Upload>();
  #running = 0;
  #retrying = 0;

  constructor(options: UploaderOptions) {
    this.#o = options;
  }

  /** Whether an upload is waiting for the lake to come back. */
  get retrying(): boolean {
    return this.#retrying > 0;
  }

  /** Queues closed files of a partition for the lake. */
  enqueue(st: PartitionState, files: ClosedFile[]): void {
    for (const file of files) {
      let settle!: () => void;
      const settled = new Promise<void>((resolve) => (settle = resolve));
      const upload: Upload = { file, st, stored: false, settled, settle };
      st.uploads.push(upload);
      this.#queue.push(upload);
      this.#unsettled.add(upload);
    }
    this.#pump();
  }

  /** Resolves once no upload is queued or running. */
  async settled(): Promise<void> {
    while (this.#unsettled.size > 0) {
      await Promise.all([...this.#unsettled].map((u) => u.settled));
    }
  }

  /** Starts queued uploads while slots are free. */
  #pump() {
    while (this.#running < this.#o.concurrency && this.#queue.length > 0) {
      const upload = this.#queue.shift()!;
      if (upload.st.signal.aborted) {
        this.#settle(upload);
        continue;
      }
      this.#running++;
      this.#upload(upload)
        .catch((error) => this.#o.fail(error))
        .finally(() => {
          this.#running--;
          this.#settle(upload);
          this.#pump();
        });
    }
  }

  #settle(upload: Upload) {
    this.#unsettled.delete(upload);
    upload.settle();
  }

  /** Stores one file (an atomic put, retried until it lands or its partition's signal aborts). */
  async #upload(upload: Upload): Promise<void> {
    const { file, st } = upload;
    const options = this.#o.retry(st.signal);
    let failed = false;
    try {
      await retry(() => this.#o.lake.put(file.path, file.data), {
        ...options,
        onRetry: (error, attempt, delay) => {
          if (!failed) this.#retrying++;
          failed = true;
          options.onRetry?.(error, attempt, delay);
        },
      }).finally(() => {
        if (failed) {
          this.#retrying--;
          if (!st.signal.aborted) this.#o.log("lake reachable again; resuming");
        }
      });
    } catch (error) {
      if (st.signal.aborted) return;
      throw error;
    }
    upload.stored = true;
    this.#o.onStored(upload);
  }
}
