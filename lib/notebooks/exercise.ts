/**
 * The check cell of a lesson's "Try it" exercise: one line that says whether the learner's
 * answer is right, without stopping the notebook (an untouched exercise is not an error, so
 * "Run all" still runs every cell).
 *
 * @module
 */

/** Options of {@linkcode checkAnswer}. */
export interface CheckAnswerOptions {
  /** What was asked, in a few words (shown while the exercise is untouched). */
  task: string;
  /** A nudge shown with a wrong answer. */
  hint: string;
  /** Numbers within this distance count as equal. @default 0 */
  tolerance?: number;
}

/** An answer not given yet: `undefined`, `null` or an empty string. */
const untouched = (answer: unknown) => answer === undefined || answer === null || answer === "";

/**
 * The verdict on `answer` against `expected`: `✎` untouched, `✔` right, `✘` wrong (with the
 * hint).
 * Numbers and BIGINTs compare by value.
 *
 * @example
 * ```ts
 * import { checkAnswer } from "./exercise.ts";
 * const opts = { task: "count the tablets", hint: "WHERE device = 'tablet'" };
 * checkAnswer(undefined, 42, opts).startsWith("✎ Try it: count the tablets"); // true
 * checkAnswer(42n, 42, opts); // "✔ right: 42"
 * checkAnswer(41, 42, opts); // "✘ 41 is not it; hint: WHERE device = 'tablet'"
 * ```
 */
export function checkAnswer(
  answer: unknown,
  expected: unknown,
  options: CheckAnswerOptions,
): string {
  if (untouched(answer)) return `✎ Try it: ${options.task} (edit the cell above, run both)`;
  const num = (v: unknown) => (typeof v === "bigint" ? Number(v) : v);
  const [a, e] = [num(answer), num(expected)];
  const right = typeof a === "number" && typeof e === "number"
    ? Math.abs(a - e) <= (options.tolerance ?? 0)
    : JSON.stringify(a) === JSON.stringify(e);
  return right
    ? `✔ right: ${JSON.stringify(a)}`
    : `✘ ${JSON.stringify(a)} is not it; hint: ${options.hint}`;
}
