/**
 * `deno task parity` end to end: a seeded lake with the default faults (and records naming a
 * field twice, files with `\r` and `\r\n` line ends, records nested 1,000 and 1,001 levels
 * deep, records of all four topics at the edges of bronze's types and of the gold logic), through
 * lib/nrt (DuckDB) and the databricks/ notebooks (local PySpark), gives the same rows in every
 * table.
 */
import assert from "node:assert/strict";
import { formatDiff } from "../../lib/nrt/parity.ts";
import { runParity, seedLake, SIDES } from "../../lib/parity/mod.ts";
import { withTempDir } from "../_helpers.ts";

Deno.test({
  name: "DuckDB and the Databricks notebooks agree on every gold and silver table",
  // DuckDB's native handles and Spark's child process outlive the test's bookkeeping.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withTempDir(async (dir) => {
      // Seed 3 with 4000 records holds a returned delivery in the USA (returns_usa not empty).
      await seedLake(`${dir}/lake`, { seed: 3, events: 4000, faults: "default" });
      // Records from another producer naming a field twice in one object: DuckDB refuses them
      // as they are, Spark (given a schema) keeps the last value; NRT must read them as Spark.
      /** `lines` as the raw file of `topic` from `offset` on (hour 10, 2026-11-26), each ended by `end`. */
      const rawFile = async (topic: string, offset: number, lines: string[], end = "\n") => {
        const folder = `${dir}/lake/topics/${topic}/year=2026/month=11/day=26/hour=10`;
        await Deno.mkdir(folder, { recursive: true });
        const name = `${topic}+9+${String(offset).padStart(10, "0")}.json`;
        await Deno.writeTextFile(`${folder}/${name}`, lines.join(end) + end);
      };
      const order = (id: string, extra: string) =>
        `{"event_id":"${id}","order_id":"order_${id}","user_id":"user_1",` +
        `"timestamp":"2026-11-26T10:30:00.000Z",${extra}"total_amount":7.5,` +
        `"payment_method":"paypal","status":"completed"}`;
      await rawFile("orders", 0, [
        order("first", '"event_id":"dup-top","status":"canceled",'),
        order(
          "dup-item",
          '"items":[{"product_id":"prod_1","quantity":1,"quantity":4,"price":1.5}],',
        ),
      ]);
      // Another writer's file with old-Mac line ends (a lone `\r`), and one with `\r\n`: Spark's
      // reader ends a line at each, so NRT must too (it once read the first as one bad line).
      await rawFile("orders", 2, [
        order("cr-1", ""),
        order("cr-2", '"items":[],'),
        order("cr-3", ""),
      ], "\r");
      await rawFile("orders", 5, [order("crlf-1", ""), order("crlf-2", "")], "\r\n");
      // Records nested 1,000 levels deep (Spark's JSON reader takes them) and 1,001 (it
      // refuses them: NRT quarantines them, by the raw rule's `TooDeep`; it kept them before).
      const deep = (levels: number) =>
        `"extra":${"[".repeat(levels - 1)}${"]".repeat(levels - 1)},`;
      await rawFile("orders", 7, [order("deep-1000", deep(1000)), order("deep-1001", deep(1001))]);
      // Other producers' orders at the edges of bronze's types: keys in other cases (Spark and
      // DuckDB both read only `order_id`), NUL and control characters, characters beyond the
      // BMP, an escaped key, empty and dotted keys, items that are null, empty or partly null,
      // odd numbers, and whole numbers written as `2.0` and `1e2` (Spark's LONG refuses both
      // and drops the record: NRT kept them) or past 2^53 (Spark keeps them exactly: NRT
      // quarantined them).
      const odd = (id: string, body: string) =>
        `{"event_id":"${id}","timestamp":"2026-11-26T10:40:00.000Z","total_amount":3.5,` +
        `"status":"completed",${body}}`;
      const item = (value: string) => `"items":[{"product_id":"prod_3",${value}}]`;
      await rawFile("orders", 9, [
        odd("case1", '"ORDER_ID":"order_case1","user_id":"user_2"'),
        odd("case2", '"Order_Id":"order_case2","order_id":"order_c2b","user_id":"user_2"'),
        odd("nul", '"order_id":"order_nul","user_id":"user_\\u0000x"'),
        odd("ctrl", '"order_id":"order_ctrl","user_id":"user_\\u001f\\u007f"'),
        odd("nonbmp", '"order_id":"order_𝄞","user_id":"user_😀"'),
        odd("esc", '"order\\u005fid":"order_esc","user_id":"user_4"'),
        odd("keys", '"order_id":"order_ek","user_id":"user_3","":1,"a.b":2'),
        odd("i1", '"order_id":"order_i1","user_id":"user_6","items":[null]'),
        odd("i2", '"order_id":"order_i2","user_id":"user_6","items":[{}]'),
        odd(
          "i3",
          `"order_id":"order_i3","user_id":"user_6",${item('"quantity":null,"price":null')}`,
        ),
        odd(
          "i4",
          `"order_id":"order_i4","user_id":"user_6",${item('"quantity":0,"price":-1.5')}`,
        ),
        odd(
          "i5",
          `"order_id":"order_i5","user_id":"user_6",${item('"quantity":-3,"price":1e-320')}`,
        ),
        odd("q1", `"order_id":"order_q1","user_id":"user_8",${item('"quantity":2.0,"price":2')}`),
        odd("q2", `"order_id":"order_q2","user_id":"user_8",${item('"quantity":1e2,"price":2')}`),
        odd("q3", `"order_id":"order_q3","user_id":"user_8",${item('"quantity":-0,"price":2')}`),
        odd(
          "q4",
          `"order_id":"order_q4","user_id":"user_8",${
            item('"quantity":9007199254740993,"price":2')
          }`,
        ),
        `{"event_id":"ts1","order_id":"order_ts1","user_id":"user_1","status":"completed","total_amount":1,"timestamp":{ "ms" : 1 }}`,
        `{"event_id":"ts2","order_id":"order_ts2","user_id":"user_1","status":"completed","total_amount":1,"timestamp":1795688130123.50}`,
        `{"event_id":"ts3","order_id":"order_ts3","user_id":"user_1","status":"completed","total_amount":1,"timestamp":1.79568813E12}`,
        `{"event_id":"ts4","order_id":"order_ts4","user_id":"user_1","status":"completed","total_amount":1,"timestamp":[ 1, "a" ]}`,
        `{"event_id":"ts5","order_id":"order_ts5","user_id":"user_1","status":"completed","total_amount":1,"timestamp":true}`,
        `{"event_id":"ts6","order_id":"order_ts6","user_id":"user_1","status":"completed","total_amount":1,"timestamp":"2026-11-26T10:40:00.000Z","session_id":{"a":[1,2.50]}}`,
        odd("s1", '"order_id":"order_s1","user_id":"user_1","session_id":{ "a" : [1, 2.50] }'),
        odd("s2", '"order_id":"order_s2","user_id":42,"payment_method":true,"status":1.50'),
        odd("s3", `"order_id":"order_s3","user_id":"user_1",${item('"quantity":1,"price":2')}`)
          .replace('"prod_3"', "[ 3 ]"),
        // Special numbers: Spark reads these strings and 1e400 (it refuses "INF" and "inf").
        odd("n1", '"order_id":"order_n1","user_id":"user_9","total_amount":"NaN"'),
        odd(
          "n2",
          `"order_id":"order_n2","user_id":"user_9",${item('"quantity":1,"price":"-INF"')}`,
        ),
        odd("n3", '"order_id":"order_n3","user_id":"user_9","total_amount":"+Infinity"'),
        odd("n4", '"order_id":"order_n4","user_id":"user_9","total_amount":1e400'),
        odd("n5", '"order_id":"order_n5","user_id":"user_9","total_amount":"INF"'),
        odd("n6", '"order_id":"order_n6","user_id":"user_9","total_amount":"inf"'),
        odd("t1", '"order_id":"order_t1","user_id":"user_7","status":null,"payment_method":null'),
        odd(
          "t2",
          '"order_id":"order_t2","user_id":"user_7","status":"","payment_method":"PayPal "',
        ),
      ]);
      // Timestamps that are no string: Spark reads their JSON text, as written (DuckDB would
      // write `1.5` for `1.50`, `{"ms":1}` for `{ "ms" : 1 }`).
      const stamped = (id: string, ts: string) =>
        `{"event_id":"${id}","order_id":"order_${id}","user_id":"user_1","status":"completed",` +
        `"total_amount":1,"timestamp":${ts}}`;
      await rawFile("orders", 40, [
        stamped("ts1", '{ "ms" : 1 }'),
        stamped("ts2", "1795688130123.50"),
        stamped("ts3", "1.79568813E12"),
        stamped("ts4", '[ 1, "a" ]'),
        stamped("ts5", "true"),
        stamped("ts6", "-0"),
        stamped("ts7", "1795688130123"),
      ]);
      // The other topics: their text fields holding numbers, lists and objects, and values the
      // gold logic meets in other spellings (funnel steps, devices, statuses, locations).
      /** A record of `id` with a key field, a time (10:20 UTC unless `body` gives one) and `body`. */
      const event = (id: string, key: string, body: string) =>
        `{"event_id":"${id}",${key},${
          body.includes('"timestamp"') ? "" : '"timestamp":"2026-11-26T10:20:00.000Z",'
        }${body}}`;
      const steps = ["page_view", "PAGE_VIEW", "add_to_cart", "purchase", "checkout", " click", ""];
      await rawFile("clickstream", 0, [
        ...steps.flatMap((step, k) => [
          event(
            `f${k}a`,
            `"user_id":"user_${k}"`,
            `"event":"${step}","page":"product_page",` +
              `"device":"Tablet","session_id":"s_${k % 3}"`,
          ),
          event(
            `f${k}b`,
            `"user_id":"user_${k}"`,
            `"event":"${step}","page":"checkout",` +
              `"device":"tablet","session_id":null`,
          ),
        ]),
        event("c1", '"user_id":"user_1"', '"event":"page_view","page":{"p":1},"device":7'),
        event("c2", '"user_id":"user_2"', '"event":["click"],"page":"home","referrer":2.50'),
      ]);
      await rawFile("user-profiles", 0, [
        event(
          "p1",
          '"user_id":"user_1"',
          '"action":"update","details":{"email":1,' +
            '"name":[ "A" ],"preferred_category":true}',
        ),
        event("p2", '"user_id":"user_2"', '"action":"UPDATE","details":{"email":null,"extra":1}'),
        event("p3", '"user_id":"user_2"', '"action":"register","details":null'),
        event(
          "p4",
          '"user_id":"user_2"',
          '"action":"register","details":{"preferred_category":"Books"}',
        ),
        event(
          "p5",
          '"user_id":"user_3"',
          '"timestamp":"2026-11-26T10:21:00+01:00","action":"update",' +
            '"details":{"preferred_category":""}',
        ),
      ]);
      const places = ["Paris,France", "Paris, ", ", France", "A, B, C", " Lyon , France ", "", ","];
      places.push(", ", "X,, Y", "Köln, Deutschland", "Rome, Italy\\u0000", "a\\tb, c");
      const statuses = ["delivered", "Delivered", "returned", "RETURNED", " delivered"];
      await rawFile("delivery-status", 0, [
        ...places.map((place, k) =>
          event(
            `loc${k}`,
            `"order_id":"order_l${k}"`,
            `"delivery_person_id":"dp_2",` +
              `"status":"${statuses[k % 5]}","current_location":"${place}"`,
          )
        ),
        event(
          "d1",
          '"order_id":"order_1"',
          '"delivery_person_id":12,"status":"in_transit",' +
            '"current_location":["Paris", "France"]',
        ),
        event(
          "d2",
          '"order_id":"order_2"',
          '"delivery_person_id":"dp_1","status":{"s":"delivered"},' +
            '"current_location":"Lyon, France"',
        ),
      ]);
      const result = await runParity({ lakeRoot: `${dir}/lake`, outDir: `${dir}/out` });
      const problems = result.tables
        .filter((t) => !t.comparison || t.comparison.mismatches > 0)
        .map((t) =>
          t.comparison
            ? `${t.name}: ${t.comparison.mismatches} mismatches\n${formatDiff(t.comparison, SIDES)}`
            : `${t.name}: missing in ${t.missing}`
        );
      assert.deepEqual(problems, []);
      const gold = result.tables.filter((t) => t.layer === "gold");
      assert.ok(gold.length >= 25, `only ${gold.length} gold tables compared`);
      // Every gold table holds rows, so agreement means something.
      const empty = gold.filter((t) => t.comparison!.leftRows === 0).map((t) => t.name);
      assert.deepEqual(empty, []);
      assert.equal(result.tables.filter((t) => t.layer === "silver").length, 4);
    }),
});
