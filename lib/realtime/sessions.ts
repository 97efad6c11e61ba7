/**
 * Sessions and the funnel (see `metrics.ts` for the rule): each session's steps so far, as a
 * bit mask, and its last event time. A session idle for longer than the session timeout (in event
 * time, once the watermark passed) is forgotten; its counts stay in the funnel, and a later event
 * of the same id counts as another session.
 *
 * @module
 */
import { TimeIndex } from "./time_index.ts";

/** The funnel's steps, in order (bit `k` of a session's mask is step `k`). */
export const FUNNEL_STEPS = [
  "page_view",
  "product_page",
  "add_to_cart",
  "checkout",
  "order",
] as const;
/** A funnel step. */
export type FunnelStep = typeof FUNNEL_STEPS[number];

/** One step of the funnel. */
export interface FunnelRow {
  step: FunnelStep;
  /** Sessions with this step and every step before it. */
  sessions: number;
  /** Sessions with this step, whatever came before. */
  reached: number;
  /** `sessions` / sessions of the first step (null when none). */
  conversion: number | null;
}

/** What is kept of an open session. */
export interface SessionState {
  /** Its steps so far (bit k: `FUNNEL_STEPS[k]`). */
  mask: number;
  /** Its last event time. */
  last: number;
  /** The pane the session was last added to the activity windows in (kept for the caller). */
  pane: number;
  /** The bucket of `last` the session is filed in (the time index). */
  bucket: number;
}

/**
 * The open sessions and the funnel counts of every session, forgotten or not.
 *
 * @example
 * ```ts
 * import { Sessions } from "./sessions.ts";
 * const s = new Sessions(60_000, 1_800_000);
 * s.step("s1", 1, 0); // a page view
 * s.step("s1", 2, 30_000); // a product page
 * s.funnel()[1]; // { step: "product_page", sessions: 1, reached: 1, conversion: 1 }
 * ```
 */
export class Sessions {
  readonly #timeout: number;
  readonly #open = new Map<string, SessionState>();
  /** The sessions by their last event time: a tick forgets the idle ones without a scan. */
  readonly #index: TimeIndex;
  /**
   * Funnel counts: reached[k], strict[k]. A session's steps only grow, so a new step moves its
   * counts (out with the old mask, in with the new one) and a snapshot reads them without
   * visiting the sessions.
   */
  readonly #reached = new Array<number>(FUNNEL_STEPS.length).fill(0);
  readonly #strict = new Array<number>(FUNNEL_STEPS.length).fill(0);

  /** `grid`: the time index's bucket width, ms; `timeout`: the session timeout, ms. */
  constructor(grid: number, timeout: number) {
    this.#index = new TimeIndex(grid);
    this.#timeout = timeout;
  }

  /** Adds steps `mask` at event time `t` to a session; returns its state. */
  step(session: string, mask: number, t: number): SessionState {
    const state = this.#open.get(session);
    if (state === undefined) {
      const fresh = { mask, last: t, pane: NaN, bucket: this.#index.file(session, t) };
      this.#open.set(session, fresh);
      this.#fold(mask, 1);
      return fresh;
    }
    if ((state.mask | mask) !== state.mask) {
      this.#fold(state.mask, -1);
      state.mask |= mask;
      this.#fold(state.mask, 1);
    }
    if (t > state.last) {
      state.last = t;
      state.bucket = this.#index.file(session, t, state.bucket);
    }
    return state;
  }

  /** Forgets the sessions idle for longer than the timeout before `watermark`. */
  advance(watermark: number): void {
    const horizon = watermark - this.#timeout;
    const open = this.#open;
    this.#index.sweep(horizon, (id) => {
      const state = open.get(id);
      if (state === undefined || state.last >= horizon) return state?.last;
      open.delete(id);
    });
  }

  /** Sessions still open. */
  get size(): number {
    return this.#open.size;
  }

  /** The funnel's rows, one per step. */
  funnel(): FunnelRow[] {
    const reached = this.#reached, strict = this.#strict;
    return FUNNEL_STEPS.map((step, k) => ({
      step,
      sessions: strict[k],
      reached: reached[k],
      conversion: strict[0] ? strict[k] / strict[0] : null,
    }));
  }

  /** Adds (`by` 1) or takes out (-1) a session with steps `mask` in the funnel counts. */
  #fold(mask: number, by: number): void {
    let all = true;
    for (let k = 0; k < FUNNEL_STEPS.length; k++) {
      const has = (mask & (1 << k)) !== 0;
      all &&= has;
      if (has) this.#reached[k] += by;
      if (all) this.#strict[k] += by;
    }
  }
}
