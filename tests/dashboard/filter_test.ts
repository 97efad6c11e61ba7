/** The dashboard's filter: what every panel follows, and the reasons a bad query gets. */
import assert from "node:assert/strict";
import {
  filterKey,
  filterParams,
  hasRange,
  parseFilter,
  resolveRange,
} from "../../lib/dashboard/mod.ts";
import { UsageError } from "../../lib/errors.ts";

const parse = (query: string) => parseFilter(new URLSearchParams(query));

Deno.test("no parameters select every topic and no time range", () => {
  const filter = parse("");
  assert.deepEqual(filter, {
    topics: ["clickstream", "orders", "user-profiles", "delivery-status"],
  });
  assert.equal(hasRange(filter), false);
  assert.deepEqual(resolveRange(filter, 123), { from: undefined, to: undefined });
});

Deno.test("from and to take instants with a zone or dates, in any zone", () => {
  const filter = parse("from=2026-11-26T11:00:00%2B01:00&to=2026-11-27");
  assert.equal(filter.from, Date.parse("2026-11-26T10:00:00Z"));
  assert.equal(filter.to, Date.parse("2026-11-27T00:00:00Z"));
  assert.equal(parse("from=2026-11-26T10:00Z").from, Date.parse("2026-11-26T10:00:00Z"));
  assert.equal(parse("to=2026-11-26T10:00:00.250Z").to, Date.parse("2026-11-26T10:00:00.250Z"));
});

Deno.test("last is a range ending at the clock, resolved when asked", () => {
  const filter = parse("last=15m");
  assert.equal(filter.last, 900_000);
  assert.deepEqual(resolveRange(filter, 10_000_000), { from: 9_100_000, to: 10_000_000 });
  for (const [text, ms] of [["30s", 30_000], ["2h", 7_200_000], ["7d", 604_800_000]] as const) {
    assert.equal(parse(`last=${text}`).last, ms);
  }
});

Deno.test("topics keep the contract's order and equal filters share one key", () => {
  const a = parse("topics=delivery-status,orders");
  assert.deepEqual(a.topics, ["orders", "delivery-status"]);
  assert.equal(filterKey(a), filterKey(parse("topics=orders,delivery-status")));
  assert.notEqual(filterKey(a), filterKey(parse("topics=orders")));
  assert.notEqual(filterKey(parse("last=1h")), filterKey(parse("last=2h")));
});

Deno.test("filterParams writes what parseFilter reads", () => {
  for (
    const query of [
      "",
      "last=15m",
      "last=7d&topics=orders",
      "from=2026-11-26T10:00:00.000Z&to=2026-11-26T12:00:00.000Z",
      "to=2026-11-26T12:00:00.000Z&topics=clickstream,user-profiles",
    ]
  ) {
    const filter = parse(query);
    assert.deepEqual(parseFilter(filterParams(filter)), filter, query);
  }
});

Deno.test("a bad parameter is a UsageError naming it and the value", () => {
  const cases: Array<[string, RegExp]> = [
    ["topics=nope", /topics.*unknown topic 'nope'/],
    ["topics=orders,,clickstream", /unknown topic ''/],
    ["topics=", /topics is empty/],
    ["from=yesterday", /from must be an ISO-8601 time.*'yesterday'/],
    ["from=2026-11-26T10:00:00", /from must be an ISO-8601 time with a zone/],
    ["to=2026-13-45", /to must be an ISO-8601/],
    // Days that do not exist (Date.parse would roll them over into March).
    ["from=2026-02-30", /from must be an ISO-8601 time.*'2026-02-30'/],
    ["from=2026-02-29T10:00:00Z", /from must be an ISO-8601 time/],
    ["to=2026-11-26T24:00:00Z", /to must be an ISO-8601 time/],
    ["from=2026-11-27&to=2026-11-26", /from \(2026-11-27\) must be before to \(2026-11-26\)/],
    ["from=2026-11-26&to=2026-11-26", /must be before/],
    ["last=5x", /last must be a duration.*'5x'/],
    ["last=0m", /last must be a duration/],
    ["last=-1h", /last must be a duration/],
    ["last=1h&from=2026-11-26", /last cannot be combined with from or to/],
    ["window=1m", /Unknown query parameter 'window'/],
    ["topics=orders&topics=clickstream", /topics is given more than once/],
  ];
  for (const [query, reason] of cases) {
    assert.throws(() => parse(query), (error: Error) => {
      assert.ok(error instanceof UsageError, `${query}: ${error}`);
      assert.match(error.message, reason, query);
      assert.ok(!error.message.includes("\n"), `${query}: one line`);
      return true;
    });
  }
});
