import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/mod.ts";
import { FileLake } from "../../lib/lake/mod.ts";
import {
  asWritten,
  checkLakeFile,
  NrtDb,
  readCheckpoint,
  runNrt,
  syncLake,
  typeProblem,
  writeLakeFromRecords,
} from "../../lib/nrt/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { gzipSync } from "node:zlib";
import { withTempDir } from "../_helpers.ts";

const SIM = {
  seed: 3,
  events: 1500,
  faults: "none",
  start: new Date("2026-11-26T00:00:00Z"),
} as const;
const config = loadConfig({ env: {}, dotenv: null });
const enc = new TextEncoder();

Deno.test("a raw file's lines that cannot go to bronze are named by line and reason", () => {
  const order = (extra: Record<string, unknown>) =>
    JSON.stringify({ order_id: "order_1", total_amount: 12.5, items: [], ...extra });
  const lines = [
    order({}), // 1 fine
    "", // 2 empty: no record
    order({ total_amount: "12.50" }), // 3 drift
    order({ items: { product_id: "p" } }), // 4 drift
    order({ items: [{ product_id: "p", quantity: "2", price: 1 }] }), // 5 drift, nested
    order({ items: [{ product_id: "p", quantity: 2.5, price: 1 }] }), // 6 not whole
    order({ user_id: 42 }), // 7 fine: a whole number where text belongs (Spark reads "42")
    order({ total_amount: null, status: null, unknown: { x: 1 } }) + "\r", // 8 fine (CRLF)
    '{"order_id": "order_1",', // 9 cut short
    "[1]", // 10 not an object
    "{'order_id': 'order_1'}", // 11 a Python dict
    order({ user_id: "u\ud800" }), // 12 half a surrogate pair, escaped: DuckDB refuses the file
    order({ user_id: "\ud83d\ude00" }), // 13 fine: a whole pair (😀)
    order({ extra: JSON.parse("[".repeat(1000) + "]".repeat(1000)) }), // 14 past 1,000 levels
    order({ extra: JSON.parse("[".repeat(999) + "]".repeat(999)) }), // 15 fine: 1,000 levels
    // Whole numbers as written, as Spark reads a LONG: a JSON integer within 64 bits.
    order({}).replace('"items":[]', '"items":[{"quantity":2.0}]'), // 16 no integer
    order({}).replace('"items":[]', '"items":[{"quantity":1e2}]'), // 17 no integer
    order({}).replace('"items":[]', '"items":[{"quantity":9007199254740993}]'), // 18 fine
    order({}).replace('"items":[]', '"items":[{"quantity":-9223372036854775808}]'), // 19 fine
    order({}).replace('"items":[]', '"items":[{"quantity":9223372036854775808}]'), // 20 too large
    // Other values where text belongs: Spark reads their JSON text, as written.
    order({ user_id: "u" }).replace('"u"', '{ "a" : [1.50, true] }'), // 21 fine, rewritten
    order({ status: "s" }).replace('"s"', "1.50"), // 22 fine, rewritten
  ];
  const bytes = new TextEncoder().encode(lines.join("\n") + "\n");
  const check = checkLakeFile("orders", "topics/orders/x.json", bytes);
  assert.equal(check.rows, 9);
  assert.deepEqual(
    check.quarantined.map((q) => [q.line, q.reason.replace(/JSON: .*/, "JSON: …")]),
    [
      [3, 'total_amount: expected a number, got a string "12.50"'],
      [4, "items: expected a list, got an object"],
      [5, 'items[0].quantity: expected a whole number, got a string "2"'],
      [6, "items[0].quantity: expected a whole number, got the number 2.5"],
      [9, "InvalidJson: Value is not valid JSON: …"],
      [10, "NotAnObject: Value is JSON but an array, not an object"],
      [11, "InvalidJson: Value is not valid JSON: …"],
      [
        12,
        "LoneSurrogate: Value's JSON holds a lone UTF-16 surrogate (\\ud800), which is not " +
        "Unicode text",
      ],
      [14, "TooDeep: Value's JSON is nested more than 1000 levels deep"],
      [16, "items[0].quantity: expected a whole number, got the number 2.0"],
      [17, "items[0].quantity: expected a whole number, got the number 1e2"],
      [20, "items[0].quantity: expected a whole number, got the number 9223372036854775808"],
    ],
  );
  assert.ok(check.quarantined.every((q) => q.topic === "orders" && q.file.endsWith("x.json")));
  assert.equal(check.quarantined[0].record, lines[2]);
  // The file without them: what bronze reads.
  assert.deepEqual(new TextDecoder().decode(check.cleaned).split("\n"), [
    lines[0],
    lines[6],
    lines[7].slice(0, -1),
    lines[12],
    lines[14],
    lines[17],
    lines[18],
    lines[20].replace('{ "a" : [1.50, true] }', JSON.stringify('{ "a" : [1.50, true] }')),
    lines[21].replace("1.50", '"1.50"'),
    "",
  ]);
  // A file with nothing to set aside goes on as it is.
  const clean = checkLakeFile("orders", "f", new TextEncoder().encode(order({}) + "\n"));
  assert.deepEqual([clean.rows, clean.cleaned, clean.quarantined], [1, undefined, []]);
  // Invalid UTF-8 costs its own line only; profiles' details must be an object.
  const mixed = new Uint8Array([
    ...new TextEncoder().encode('{"user_id":"u","details":"x"}\n{"user_id":"'),
    0xff,
    ...new TextEncoder().encode('"}\n{"user_id":"u","details":{"email":null}}\n'),
  ]);
  const profiles = checkLakeFile("user-profiles", "f", mixed);
  assert.equal(profiles.rows, 1);
  assert.deepEqual(profiles.quarantined.map((q) => q.reason), [
    'details: expected an object, got a string "x"',
    "InvalidUtf8: Value is not valid UTF-8",
  ]);
  // A list where text belongs is no drift: Spark reads its JSON text, and so does bronze.
  assert.equal(typeProblem("delivery-status", { current_location: ["x"] }), null);
  assert.equal(
    asWritten("delivery-status", '{"current_location":[ "x" ]}'),
    '{"current_location":"[ \\"x\\" ]"}',
  );
});

Deno.test("type drift and corrupt lines are quarantined one by one and the run goes on", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    // Four hours: files of several orders each.
    const sim = simulate({ ...SIM, events: 3000, span: 4 * 3600_000 });
    const w = await writeLakeFromRecords(lake, sim, { flushSize: 100, partitions: 1 });
    const truncated = w.files.find((f) => f.includes("/orders/"))!;
    const text = new TextDecoder().decode(await lake.get(truncated));
    const cut = text.slice(0, Math.floor(text.length / 2));
    const keptLines = cut.split("\n").length - 1; // the last one is cut short
    await lake.put(truncated, enc.encode(cut));
    // A later orders file gets one order with a string total_amount.
    const orderFiles = [];
    for (const f of w.files.filter((f) => f.includes("/orders/") && f !== truncated)) {
      orderFiles.push({
        f,
        lines: new TextDecoder().decode(await lake.get(f)).trimEnd().split("\n"),
      });
    }
    const { f: drifting, lines } = orderFiles.find((o) => o.lines.length >= 5)!;
    const drifted = JSON.parse(lines[3]);
    drifted.total_amount = String(drifted.total_amount);
    lines[3] = JSON.stringify(drifted);
    await lake.put(drifting, enc.encode(lines.join("\n") + "\n"));
    const python =
      "topics/clickstream/year=2026/month=11/day=26/hour=05/clickstream+0+0000099999.json";
    await lake.put(python, enc.encode("{'event_id': 'x', 'device': None}\n"));
    // A timestamp that is text but no time: a valid record, whose delivery time is unknown.
    const delivery = (id: string, status: string, timestamp: string) =>
      JSON.stringify({
        event_id: id,
        order_id: "order_x",
        delivery_person_id: "dp_1",
        timestamp,
        status,
        current_location: "Paris, France",
      });
    await lake.put(
      "topics/delivery-status/year=2026/month=11/day=26/hour=05/delivery-status+0+0000099999.json",
      enc.encode(
        [
          delivery("dx1", "picked_up", "2026-11-26T05:00:00.000Z"),
          delivery("dx2", "delivered", "yesterday"),
        ]
          .join("\n") + "\n",
      ),
    );
    // Not a raw file of a known topic: not synced at all.
    await lake.put(
      "topics/other/year=2026/month=11/day=26/hour=05/other+0+0000000000.json",
      enc.encode("{}\n"),
    );

    const work = `${dir}/w`;
    const run = await runNrt({ config, lake, workDir: work });
    assert.deepEqual(
      run.sync.quarantined.map((q) => [q.file, q.line]),
      [[python, 1], [truncated, keptLines + 1], [drifting, 4]].sort((a, b) => a[0] < b[0] ? -1 : 1),
    );
    assert.deepEqual(run.quarantine, { added: 3, total: 3 });
    assert.equal(run.sync.listed, w.files.length + 2);
    const orders = run.layers.find((l) => l.topic === "orders")!;
    const allOrders = w.files.filter((f) => f.includes("/orders/")).length;
    assert.ok(allOrders > 2);
    assert.equal(run.gold.length, 25);

    // The quarantine table and the lake's quarantine/ folder say the same.
    const db = await NrtDb.open({ path: `${work}/nrt.duckdb`, workDir: work });
    try {
      const rows = await db.rows<{ topic: string; file: string; line: number; reason: string }>(
        "SELECT topic, file, line, reason FROM quarantine ORDER BY file, line",
      );
      assert.deepEqual(
        rows.map((r) => [r.file, r.line]),
        run.sync.quarantined.map((q) => [q.file, q.line]),
      );
      assert.ok(rows.some((r) => /^total_amount: expected a number/.test(r.reason)));
      // The drifted order's file went on without it: its other rows are in silver.
      const fromDrifting = Number(
        await db.value(
          `SELECT count(*) FROM silver.orders WHERE event_id IN (${
            lines.filter((_, i) => i !== 3).map((l) => `'${JSON.parse(l).event_id}'`).join(", ")
          })`,
        ),
      );
      assert.equal(fromDrifting, lines.length - 1);
      const driftedIn = Number(
        await db.value(`SELECT count(*) FROM silver.orders WHERE event_id = '${drifted.event_id}'`),
      );
      assert.equal(driftedIn, 0);
    } finally {
      db.close();
    }
    const inLake = await lake.list("quarantine/");
    assert.deepEqual(
      inLake.map((e) => e.path).sort(),
      [python, truncated, drifting].map((p) => p.replace(/^topics\//, "quarantine/")).sort(),
    );
    const record = JSON.parse(
      new TextDecoder().decode(await lake.get(drifting.replace(/^topics\//, "quarantine/"))),
    );
    assert.deepEqual(
      [record.topic, record.file, record.line, record.record],
      ["orders", drifting, 4, lines[3]],
    );
    assert.equal((await readCheckpoint(`${work}/cache`)).files[python].status, "quarantined");

    // A second pass has nothing new; the truncated file, made whole, replaces its quarantine.
    const again = await syncLake(lake, { cacheDir: `${work}/cache` });
    assert.equal(again.synced.length, 0);
    await lake.put(truncated, enc.encode(text));
    const fixed = await runNrt({ config, lake, workDir: work });
    assert.deepEqual(fixed.sync.synced, [truncated]);
    assert.deepEqual(fixed.quarantine, { added: 0, total: 2 });
    assert.ok(fixed.layers.find((l) => l.topic === "orders")!.silver > orders.silver);
    assert.equal(await lake.exists(truncated.replace(/^topics\//, "quarantine/")), false);
    const checkpoint = await readCheckpoint(`${work}/cache`);
    assert.equal(checkpoint.files[truncated].status, "cached");
    assert.equal(checkpoint.files[truncated].quarantined, undefined);
  });
});

Deno.test("a file removed from the lake leaves the cache and forces a full rebuild", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    const w = await writeLakeFromRecords(lake, simulate(SIM), { flushSize: 100 });
    const first = await runNrt({ config, lake, workDir: `${dir}/w`, writeBack: false });
    await lake.delete(w.files[0]);
    const second = await runNrt({ config, lake, workDir: `${dir}/w`, writeBack: false });
    assert.deepEqual(second.sync.removed, [w.files[0]]);
    assert.equal(second.mode, "full");
    const before = first.layers.reduce((a, l) => a + l.bronze, 0);
    const after = second.layers.reduce((a, l) => a + l.bronze, 0);
    assert.ok(after < before);
  });
});

Deno.test("the cache holds one segment per topic and hour per sync, and follows the lake's files", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    const cacheDir = `${dir}/cache`;
    const sim = simulate({ ...SIM, span: 3 * 3600_000 });
    const w = await writeLakeFromRecords(lake, sim, { flushSize: 40, partitions: 1 });
    const hours = new Set(w.files.map((f) => f.slice(0, f.lastIndexOf("/"))));
    assert.ok(w.files.length > hours.size, "several files per topic and hour");
    // What the cache must hold: every line of every lake file (none is quarantined here).
    const lakeLines = async () => {
      const lines: string[] = [];
      for (const f of (await lake.list("topics/")).map((e) => e.path)) {
        lines.push(...new TextDecoder().decode(await lake.get(f)).split("\n").filter(Boolean));
      }
      return lines.sort();
    };
    const cache = async () => {
      const files: string[] = [];
      for await (const path of walkFiles(`${cacheDir}/topics`)) files.push(path);
      const lines: string[] = [];
      for (const f of files) {
        lines.push(...new TextDecoder().decode(await Deno.readFile(f)).split("\n").filter(Boolean));
      }
      return { files: files.map((f) => f.slice(cacheDir.length + 1)).sort(), lines: lines.sort() };
    };
    const segmentsOf = async () =>
      [...new Set(Object.values((await readCheckpoint(cacheDir)).files).map((e) => e.segment))]
        .sort();

    const first = await syncLake(lake, { cacheDir });
    let now = await cache();
    assert.equal(first.synced.length, w.files.length);
    assert.equal(now.files.length, hours.size, "one segment per topic and hour");
    assert.ok(now.files.every((f) => f.endsWith("/sync-000001.json")));
    assert.deepEqual(now.files, await segmentsOf());
    assert.deepEqual(now.lines, await lakeLines());
    // Each segment holds its hour's files in the lake's order, however the downloads ended.
    for (const hour of hours) {
      const files = w.files.filter((f) => f.startsWith(`${hour}/`)).sort();
      const texts = await Promise.all(
        files.map(async (f) => new TextDecoder().decode(await lake.get(f))),
      );
      const segment = now.files.find((f) => f.startsWith(`${hour}/`))!;
      assert.equal(await Deno.readTextFile(`${cacheDir}/${segment}`), texts.join(""));
    }

    // A changed file and a removed one: their segments go, their neighbours are pulled again.
    const [changed, removed] = [w.files[1], w.files.at(-1)!];
    const text = new TextDecoder().decode(await lake.get(changed)).trimEnd().split("\n");
    await lake.put(changed, enc.encode(text.slice(1).join("\n") + "\n"));
    await lake.delete(removed);
    // A leftover of a sync that stopped before its checkpoint.
    await Deno.writeTextFile(`${cacheDir}/${now.files[0]}.tmp-1`, '{"event_id":"stray"}\n');
    const second = await syncLake(lake, { cacheDir });
    assert.deepEqual(second.synced, [changed]);
    assert.deepEqual(second.removed, [removed]);
    assert.equal(second.replaced, 1);
    const neighbours = w.files.filter((f) =>
      f !== changed && f !== removed &&
      [changed, removed].some((c) =>
        c.slice(0, c.lastIndexOf("/")) === f.slice(0, f.lastIndexOf("/"))
      )
    );
    assert.ok(neighbours.length > 0);
    assert.equal(second.repulled, neighbours.length);
    now = await cache();
    assert.deepEqual(now.files, await segmentsOf());
    assert.ok(now.files.some((f) => f.endsWith("/sync-000002.json")));
    assert.deepEqual(now.lines, await lakeLines());

    const third = await syncLake(lake, { cacheDir });
    assert.deepEqual([third.synced.length, third.repulled], [0, 0]);
    assert.deepEqual((await cache()).files, now.files);
  });
});

async function* walkFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* walkFiles(path);
    else yield path;
  }
}

Deno.test("a record naming a field twice reaches silver with its last value, as Spark and real time read it", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    const ts = "2026-11-26T10:00:00.000Z";
    const order = (id: string) =>
      JSON.stringify({
        event_id: id,
        order_id: `order_${id}`,
        user_id: "user_1",
        timestamp: ts,
        items: [{ product_id: "prod_1", quantity: 1, price: 2 }],
        total_amount: 2,
        payment_method: "paypal",
        status: "completed",
      });
    const values = [
      order("ok-1"),
      // DuckDB refuses an object naming a column twice; JSON.parse and Spark keep the last.
      order("first").replace('"order_id"', '"event_id":"twice-top","order_id"'),
      order("twice-item").replace('"quantity":1', '"quantity":1,"quantity":3'),
      order("twice-escaped").replace('"status"', '"st\\u0061tus":"canceled","status"'),
      order("twice-time").replace('"items"', '"timestamp":"2026-11-26T11:00:00.000Z","items"'),
      // Keys bronze does not read may repeat; a key differing in case is another key.
      order("ok-unread").replace('"items"', '"note":1,"note":2,"items"'),
      order("ok-case").replace('"items"', '"EVENT_ID":"x","items"'),
      // A wrong type is still drift, repeated or not.
      order("drift").replace('"total_amount":2', '"total_amount":2,"total_amount":"2"'),
    ];
    await writeLakeFromRecords(
      lake,
      values.map((value, i) => ({ topic: "orders" as const, key: "k", value, timestamp: i })),
      { flushSize: 100 },
    );
    const work = `${dir}/w`;
    const run = await runNrt({ config, lake, workDir: work });
    assert.deepEqual(
      run.sync.quarantined.map((q) => [JSON.parse(q.record).event_id, q.reason.split(":")[0]]),
      [["drift", "total_amount"]],
    );
    const db = await NrtDb.open({ path: `${work}/nrt.duckdb`, workDir: work });
    try {
      const rows = await db.rows<
        { event_id: string; status: string; qty: number; ts: string }
      >(
        `SELECT event_id, status, items[1].quantity AS qty, "timestamp" AS ts
         FROM silver.orders ORDER BY event_id`,
      );
      assert.deepEqual(rows.map((r) => [r.event_id, r.status, Number(r.qty), r.ts]), [
        ["ok-1", "completed", 1, ts],
        ["ok-case", "completed", 1, ts],
        ["ok-unread", "completed", 1, ts],
        ["twice-escaped", "completed", 1, ts],
        ["twice-item", "completed", 3, ts],
        ["twice-time", "completed", 1, "2026-11-26T11:00:00.000Z"],
        ["twice-top", "completed", 1, ts],
      ]);
    } finally {
      db.close();
    }
  });
});

Deno.test("a lake line escaping half a surrogate pair is quarantined; full and incremental passes go on", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    await writeLakeFromRecords(lake, simulate({ ...SIM, events: 300 }), { flushSize: 100 });
    const order = (id: string, user: string) =>
      JSON.stringify({
        event_id: id,
        order_id: `order_${id}`,
        user_id: user,
        timestamp: "2026-11-26T10:00:00.000Z",
        items: [],
        total_amount: 0,
        payment_method: "paypal",
        status: "pending",
      });
    // Another writer's files (an older sink): JavaScript and Python read "\ud800", DuckDB's JSON
    // reader refuses the whole file (every pass failed on it, for good).
    const foreign = (n: number, lines: string[]) =>
      lake.put(
        `topics/orders/year=2026/month=11/day=26/hour=10/orders+9+000000000${n}.json`,
        enc.encode(lines.join("\n") + "\n"),
      );
    await foreign(0, [order("ok", "user_1"), order("lone", "user_\ud800"), order("pair", "😀")]);
    const work = `${dir}/w`;
    const first = await runNrt({ config, lake, workDir: work });
    assert.equal(first.mode, "full");
    assert.deepEqual(
      first.sync.quarantined.map((q) => [JSON.parse(q.record).event_id, q.reason.split(":")[0]]),
      [["lone", "LoneSurrogate"]],
    );
    await foreign(1, [order("lone-2", "\udc00"), order("ok-2", "user_2")]);
    const second = await runNrt({ config, lake, workDir: work });
    assert.equal(second.mode, "incremental");
    assert.deepEqual(second.quarantine, { added: 1, total: 2 });
    const db = await NrtDb.open({ path: `${work}/nrt.duckdb`, workDir: work });
    try {
      const rows = await db.rows<{ event_id: string; user_id: string }>(
        `SELECT event_id, user_id FROM silver.orders
         WHERE event_id IN ('ok', 'lone', 'pair', 'lone-2', 'ok-2') ORDER BY event_id`,
      );
      assert.deepEqual(rows, [
        { event_id: "ok", user_id: "user_1" },
        { event_id: "ok-2", user_id: "user_2" },
        { event_id: "pair", user_id: "😀" },
      ]);
    } finally {
      db.close();
    }
  });
});

Deno.test("files in the topics' folders that are no raw file of the layout are named as ignored", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    const hour = "topics/orders/year=2026/month=11/day=26/hour=10";
    const line = enc.encode('{"order_id":"o-1"}\n');
    const raw = `${hour}/orders+0+0000000000.json`;
    // Another tool's part file, Parquet, an upper-case extension, an unpadded hour, an unpadded
    // offset, a file outside the hour folders, a marker file.
    const others = [
      `${hour}/part-00000.json`,
      `${hour}/orders+0+0000000100.parquet`,
      `${hour}/orders+0+0000000200.JSON`,
      "topics/orders/year=2026/month=11/day=26/hour=1/orders+0+0000000300.json",
      `${hour}/orders+0+300.json`,
      "topics/orders/orders+0+0000000400.json",
      `${hour}/_SUCCESS`,
    ];
    // Other topics' folders are none of the NRT's business.
    const elsewhere = [
      "topics/Orders/year=2026/month=11/day=26/hour=10/Orders+0+0000000000.json",
      "topics/other/year=2026/month=11/day=26/hour=10/other+0+0000000000.json",
    ];
    for (const path of [raw, ...others, ...elsewhere]) await lake.put(path, line);
    const report = await syncLake(lake, { cacheDir: `${dir}/cache` });
    assert.deepEqual(report.synced, [raw]);
    assert.equal(report.listed, 1);
    assert.deepEqual(report.ignored, [...others].sort());
    // With a topic prefix, the prefixed folders are the topics' own.
    const prefixed = new FileLake(`${dir}/prefixed`);
    await prefixed.put("topics/x.orders/part-0.json", line);
    await prefixed.put("topics/orders/part-0.json", line);
    const again = await syncLake(prefixed, { cacheDir: `${dir}/cache2`, topicPrefix: "x." });
    assert.deepEqual(again.ignored, ["topics/x.orders/part-0.json"]);
  });
});

Deno.test("the connector's gzip files (.json.gz) are read like its JSON files; one that is no gzip is quarantined whole", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    const hour = "topics/orders/year=2026/month=11/day=26/hour=10";
    const order = (id: string, amount: unknown = 1) =>
      JSON.stringify({
        event_id: id,
        order_id: `order_${id}`,
        user_id: "user_1",
        timestamp: "2026-11-26T10:00:00.000Z",
        items: [],
        total_amount: amount,
        payment_method: "paypal",
        status: "pending",
      });
    const gz = (lines: string[]) => gzipSync(enc.encode(lines.map((l) => l + "\n").join("")));
    await lake.put(`${hour}/orders+0+0000000000.json`, enc.encode(order("plain") + "\n"));
    await lake.put(
      `${hour}/orders+1+0000000000.json.gz`,
      gz([order("gz-1"), order("gz-drift", "12.50"), order("gz-2")]),
    );
    // Two gzip members one after the other (appended uploads): readers take both.
    const members = new Uint8Array([...gz([order("m-1")]), ...gz([order("m-2")])]);
    await lake.put(`${hour}/orders+2+0000000000.json.gz`, members);
    const broken = `${hour}/orders+3+0000000000.json.gz`;
    await lake.put(broken, enc.encode(order("not-compressed") + "\n"));
    const work = `${dir}/w`;
    const run = await runNrt({ config, lake, workDir: work });
    assert.deepEqual(run.sync.ignored, []);
    assert.deepEqual(
      run.sync.quarantined.map((q) => [q.file.split("/").at(-1), q.line, q.reason.split(":")[0]]),
      [
        ["orders+1+0000000000.json.gz", 2, "total_amount"],
        ["orders+3+0000000000.json.gz", 0, "NotGzip"],
      ],
    );
    // The quarantine of a gzip file is plain JSON lines, named without .gz.
    assert.ok(
      await lake.exists(
        `quarantine/orders/year=2026/month=11/day=26/hour=10/orders+1+0000000000.json`,
      ),
    );
    const db = await NrtDb.open({ path: `${work}/nrt.duckdb`, workDir: work });
    try {
      const ids = await db.rows<{ event_id: string }>(
        "SELECT event_id FROM silver.orders ORDER BY event_id",
      );
      assert.deepEqual(ids.map((r) => r.event_id), ["gz-1", "gz-2", "m-1", "m-2", "plain"]);
    } finally {
      db.close();
    }
    // The broken one, uploaded again compressed: the next pass reads it, its quarantine goes.
    await lake.put(broken, gz([order("not-compressed")]));
    const again = await runNrt({ config, lake, workDir: work });
    assert.equal(again.mode, "incremental");
    assert.deepEqual(again.sync.synced, [broken]);
    assert.equal(again.layers.find((l) => l.topic === "orders")!.silver, 6);
  });
});
