/** The sink's pure parts: file names and folders, rotation, value checks, retries, flags. */
import assert from "node:assert/strict";
import { LakeError } from "../../lib/errors.ts";
import { UsageError } from "../../lib/errors.ts";
import { hourFolder, parseRawPath, recordTime } from "../../lib/lake/mod.ts";
import { retry } from "../../lib/retry.ts";
import {
  checkRecord,
  DLQ_HEADERS,
  dlqMessage,
  PartitionBuffer,
  planFiles,
  type PlannedRecord,
} from "../../lib/sink/mod.ts";
import { TOPICS } from "../../lib/schema/events.ts";
import { parseRaw } from "../../lib/schema/raw.ts";
import { Random, simulate } from "../../lib/simulate/mod.ts";
import { parseSinkFlags } from "../../lib/cli/sink_flags.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const at = (iso: string) => Date.parse(iso);

/** Records one per `stepMs` from `start`, offsets from `first`. */
function records(n: number, start: number, stepMs: number, first = 0): PlannedRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    offset: first + i,
    time: start + i * stepMs,
    value: JSON.stringify({ n: first + i, timestamp: new Date(start + i * stepMs).toISOString() }),
  }));
}

Deno.test("file paths follow the connector layout for all four topics across hour, day, month and year ends", () => {
  const times = [
    ["2026-11-26T09:59:59.999Z", "year=2026/month=11/day=26/hour=09"],
    ["2026-11-26T10:00:00.000Z", "year=2026/month=11/day=26/hour=10"],
    ["2026-11-30T23:59:59.999Z", "year=2026/month=11/day=30/hour=23"],
    ["2026-12-01T00:00:00.000Z", "year=2026/month=12/day=01/hour=00"],
    ["2026-12-31T23:30:00.000Z", "year=2026/month=12/day=31/hour=23"],
    ["2027-01-01T00:00:00.000Z", "year=2027/month=01/day=01/hour=00"],
  ] as const;
  for (const topic of TOPICS) {
    const full = `dev.${topic}`;
    const files = planFiles(
      full,
      2,
      times.map(([iso], i) => ({ offset: 1500 + i, time: at(iso), value: `{"i":${i}}` })),
    );
    // Every record is in another hour than the one before it: one file each.
    assert.deepEqual(
      files.map((f) => f.path),
      times.map(([, folder], i) =>
        `topics/${full}/${folder}/${full}+2+${String(1500 + i).padStart(10, "0")}.json`
      ),
    );
    for (const [i, f] of files.entries()) {
      assert.deepEqual(parseRawPath(f.path), {
        topic: full,
        partition: 2,
        startOffset: 1500 + i,
        hour: f.hour,
      });
      assert.equal(dec(f.data), `{"i":${i}}\n`);
    }
  }
});

Deno.test("files rotate by flush size, counting only the records they hold", () => {
  const t = at("2026-11-26T10:00:00Z");
  const files = planFiles("orders", 0, records(25, t, 1000, 100), { flushSize: 10 });
  assert.deepEqual(files.map((f) => [f.startOffset, f.endOffset, f.records]), [
    [100, 109, 10],
    [110, 119, 10],
    [120, 124, 5],
  ]);
  assert.equal(files[0].path.endsWith("/orders+0+0000000100.json"), true);
  assert.equal(dec(files[1].data).split("\n").length, 11); // 10 lines, each ends with \n
});

Deno.test("files rotate once record time passes the first record by rotate.interval.ms", () => {
  const t = at("2026-11-26T10:00:00Z");
  // One record a minute, a 10-minute interval: minutes 0–9 in one file, 10–19 in the next.
  const files = planFiles("clickstream", 1, records(25, t, 60_000), {
    flushSize: 1000,
    rotateIntervalMs: 600_000,
  });
  assert.deepEqual(files.map((f) => [f.startOffset, f.records]), [[0, 10], [10, 10], [20, 5]]);
  // 0 turns it off: only the hour closes files then.
  const off = planFiles("clickstream", 1, records(25, t, 60_000), { rotateIntervalMs: 0 });
  assert.deepEqual(off.map((f) => f.records), [25]);
});

Deno.test("a record of another hour closes the open file, late records included", () => {
  const h10 = at("2026-11-26T10:58:00Z");
  const files = planFiles("delivery-status", 0, [
    { offset: 0, time: h10, value: "{}" },
    { offset: 1, time: h10 + 60_000, value: "{}" }, // 10:59
    { offset: 2, time: h10 + 120_000, value: "{}" }, // 11:00: new hour
    { offset: 3, time: h10 - 3_600_000, value: "{}" }, // late, 09:58
    { offset: 4, time: h10 + 180_000, value: "{}" }, // back to 11:01
  ]);
  assert.deepEqual(
    files.map((f) => `${f.path.split("/")[5]} ${f.startOffset} ${f.records}`),
    ["hour=10 0 2", "hour=11 2 1", "hour=09 3 1", "hour=11 4 1"],
  );
});

Deno.test("the same records from the same start offset make the same files: a replay rewrites them", () => {
  const t = at("2026-11-26T10:50:00Z");
  const all = records(200, t, 7_000);
  const first = planFiles("user-profiles", 0, all, { flushSize: 30 });
  const again = planFiles("user-profiles", 0, all, { flushSize: 30 });
  assert.deepEqual(again, first);
  // A restart at any file boundary (a committed offset) rebuilds every later file identically.
  for (const boundary of first.map((f) => f.startOffset)) {
    const replay = planFiles("user-profiles", 0, all.filter((r) => r.offset >= boundary), {
      flushSize: 30,
    });
    assert.deepEqual(replay, first.filter((f) => f.startOffset >= boundary));
  }
});

Deno.test("records must come in offset order", () => {
  const buffer = new PartitionBuffer("orders", 0);
  buffer.add(5, 0, enc("{}"));
  assert.throws(() => buffer.add(5, 0, enc("{}")), RangeError);
  assert.throws(() => new PartitionBuffer("orders", 0, { flushSize: 0 }), /flushSize/);
});

Deno.test("record time comes from the timestamp field, else the Kafka record time", () => {
  assert.equal(
    recordTime({ timestamp: "2026-11-26T10:15:30.123Z" }, 1),
    at("2026-11-26T10:15:30.123Z"),
  );
  assert.equal(recordTime({ timestamp: null }, 42), 42);
  assert.equal(recordTime({ timestamp: "yesterday" }, 42), 42);
  assert.equal(recordTime({ timestamp: "2026-02-30 10:00:00" }, 42), 42);
  assert.equal(recordTime({}, 42), 42);
  assert.equal(recordTime([1, 2], 42), 42);
  assert.equal(recordTime(null, 42), 42);
  // The original producers' wall-clock times, in EVENT_TIME_ZONE; offsets; epoch ms.
  assert.equal(recordTime({ timestamp: "2026-11-26 10:15:30" }, 1), at("2026-11-26T10:15:30Z"));
  assert.equal(
    recordTime({ timestamp: "2026-11-26 10:15:30" }, 1, "Asia/Kolkata"),
    at("2026-11-26T04:45:30Z"),
  );
  assert.equal(
    recordTime({ timestamp: "2026-11-26T10:15:30+01:00" }, 1, "Asia/Kolkata"),
    at("2026-11-26T09:15:30Z"),
  );
  assert.equal(recordTime({ timestamp: 1795688130123 }, 1), 1795688130123);
  assert.equal(hourFolder(at("0999-01-01T05:00:00Z")), "year=0999/month=01/day=01/hour=05");
});

Deno.test("values are kept as produced when they are one JSON object on one line, else rejected with a reason", () => {
  for (const ok of ['{"a":null}', '{"a":1,"a":1,"unknown":{"x":[]}}', '{"total_amount":"12"}']) {
    assert.equal(parseRaw(enc(ok)).ok, true, ok);
  }
  const reasons = [
    [null, "EmptyValue"],
    [enc(""), "EmptyValue"],
    [new Uint8Array([0x7b, 0xff, 0x7d]), "InvalidUtf8"],
    [enc('{"order_id":"o-1",'), "InvalidJson"],
    [enc("not json"), "InvalidJson"],
    [enc("42"), "NotAnObject"],
    [enc('"text"'), "NotAnObject"],
    [enc("null"), "NotAnObject"],
    [enc("[1]"), "NotAnObject"],
    [enc('{\n  "a": 1\n}'), "MultilineJson"],
    [enc(`{"a":"${"x".repeat(1_048_576)}"}`), "TooLarge"],
  ] as const;
  for (const [value, errorClass] of reasons) {
    const check = parseRaw(value);
    assert.equal(check.ok, false);
    if (!check.ok) assert.equal(check.rejection.errorClass, errorClass);
  }
});

/** `parseRaw` then `recordTime`: what `checkRecord` must answer, value for value. */
function slowCheck(value: Uint8Array | null, fallbackMs: number, zone = "UTC") {
  const check = parseRaw(value);
  return check.ok ? { ok: true, time: recordTime(check.record, fallbackMs, zone) } : check;
}

Deno.test("the fast record check agrees with parseRaw and recordTime on edge cases", () => {
  const cases = [
    '{"timestamp":"2026-11-26T10:15:30.123Z"}',
    '{"timestamp":"2028-02-29T10:00:00.000Z"}',
    '{"timestamp":"2026-02-31T10:00:00.000Z"}',
    '{"timestamp":"2026-01-01T24:00:00.000Z"}',
    '{"timestamp":"2026-13-01T00:00:00.000Z"}',
    '{"timestamp":"0050-01-01T00:00:00.000Z"}',
    '{"timestamp":"2026-01-01T00:00:00Z"}',
    '{"timestamp":"2026-01-01"}',
    '{"timestamp":"yesterday"}',
    '{"timestamp":1795688130123}',
    '{"timestamp":-1795688130123}',
    '{"timestamp":1795688130123.5}',
    '{"timestamp":1.7e12}',
    '{"timestamp":1e400}',
    '{"timestamp":true}',
    '{"timestamp":{"ms":1}}',
    '{"timestamp":"1795688130123"}',
    '{"timestamp":"2026-11-26 10:15:30"}',
    '{"event": "click", "user_id": "user_7", "timestamp": "2026-10-25 02:30:00"}',
    '{"timestamp":"2026-03-29 02:30:00.5"}',
    '{"timestamp":"2026-11-26T10:15:30.123+05:30"}',
    '{"timestamp":"2026-11-26T10:15:30-0800"}',
    '{"timestamp":"2026-11-26T10:15:30.123456Z"}',
    '{"timestamp":"2026-11-26t10:15:30.123z"}',
    '{"timestamp":"2026-01-01T00:00:00.000Z","timestamp":null}',
    '{"timestamp":null,"timestamp":"2026-01-01T00:00:00.000Z"}',
    '{"time\\u0073tamp":"2026-01-01T00:00:00.000Z"}',
    '{"timestamp":"2026-01-01T00:00:00.000\\u005a"}',
    '{"a":{"timestamp":"2026-01-01T00:00:00.000Z"}}',
    '[{"timestamp":"2026-01-01T00:00:00.000Z"}]',
    '\uFEFF{"a":1}',
    ' \t{"a":1} ',
    '{"a":1}\n',
    '{"a":\r1}',
    '{"a":"é","timestamp":"2026-01-01T00:00:00.000Z"}',
    '{"a":"\\ud800"}',
    '{"a":"\\u00zz"}',
    '{"a":"\\x"}',
    '{"a":"\t"}',
    '{"a":[1,2,]}',
    '{"a":1,}',
    '{"a" 1}',
    '{"a":01}',
    '{"a":1.}',
    '{"a":.5}',
    '{"a":-}',
    '{"a":+1}',
    '{"a":1e}',
    '{"a":-0.5E+3}',
    '{"a":NaN}',
    '{"a":tru}',
    '{"a":true,"b":false,"c":null}',
    '{"a":"\\/\\b\\f\\n\\r\\t\\"\\\\"}',
    "[".repeat(200) + "]".repeat(200),
    "{}",
    "[]",
    "42",
    '"text"',
    "null",
    "  ",
    "",
  ];
  for (const zone of ["UTC", "Asia/Kolkata", "Europe/Berlin"]) {
    for (const text of cases) {
      assert.deepEqual(
        checkRecord(enc(text), 7, { zone }),
        slowCheck(enc(text), 7, zone),
        JSON.stringify(text),
      );
    }
  }
  assert.deepEqual(checkRecord(null, 7), slowCheck(null, 7));
  assert.deepEqual(checkRecord(new Uint8Array([0x7b, 0xff, 0x7d]), 7).ok, false);
});

Deno.test("the fast record check agrees with parseRaw and recordTime on simulated and mangled values", () => {
  const start = new Date(Date.UTC(2026, 10, 26));
  const values = [...simulate({ seed: 3, events: 3000, faults: "heavy", start, span: 3600_000 })]
    .map((r) => enc(r.value));
  // Bytes that matter to JSON (and some that break it), spliced in at random places.
  const special = [...'"\\{}[],:.-+eE0159tfnu \t\n\r'].map((c) => c.charCodeAt(0))
    .concat([0x00, 0x1f, 0x7f, 0x80, 0xc3, 0xa9, 0xff]);
  const random = new Random(20261126);
  for (const value of values) assert.deepEqual(checkRecord(value, 7), slowCheck(value, 7));
  for (let i = 0; i < 30_000; i++) {
    const bytes = [...random.pick(values)];
    for (let edits = random.range(1, 3); edits > 0; edits--) {
      const at = random.int(bytes.length + 1);
      const byte = random.chance(0.7) ? random.pick(special) : random.int(256);
      const op = random.int(4);
      if (op === 0) bytes.splice(at, 1);
      else if (op === 1) bytes.splice(at, 0, byte);
      else if (op === 2) bytes[Math.min(at, bytes.length - 1)] = byte;
      else bytes.length = at;
    }
    const value = new Uint8Array(bytes);
    assert.deepEqual(checkRecord(value, 7), slowCheck(value, 7), dec(value));
  }
});

Deno.test("a dead letter keeps key, value and headers and names its error and source", () => {
  const m = dlqMessage(
    {
      topic: "orders",
      partition: 2,
      offset: 41,
      key: "o-1",
      value: "oops",
      timestamp: "1795688130123",
      headers: { "event-type": "order" },
    },
    { errorClass: "InvalidJson", message: "Value is not valid JSON: Unexpected token" },
    "ecom-lake-sink",
  );
  assert.equal(m.key, "o-1");
  assert.equal(m.value, "oops");
  assert.equal(m.timestamp, "1795688130123");
  assert.deepEqual(m.headers, {
    "event-type": "order",
    [DLQ_HEADERS.topic]: "orders",
    [DLQ_HEADERS.partition]: "2",
    [DLQ_HEADERS.offset]: "41",
    [DLQ_HEADERS.stage]: "VALUE_CONVERTER",
    [DLQ_HEADERS.connector]: "ecom-lake-sink",
    [DLQ_HEADERS.errorClass]: "InvalidJson",
    [DLQ_HEADERS.message]: "Value is not valid JSON: Unexpected token",
  });
});

Deno.test("lake writes are retried while the error is retriable, with beats in between", async () => {
  let calls = 0;
  let beats = 0;
  const retries: number[] = [];
  const value = await retry(() => {
    if (++calls < 4) throw new LakeError("Azurite away", { retriable: true });
    return Promise.resolve("stored");
  }, {
    initialDelayMs: 2,
    maxDelayMs: 4,
    beatEveryMs: 1,
    beat: () => Promise.resolve(void beats++),
    onRetry: (_e, attempt, delay) => retries.push(attempt * 100 + delay),
  });
  assert.equal(value, "stored");
  assert.equal(calls, 4);
  assert.deepEqual(retries, [102, 204, 304]);
  assert.ok(beats >= 3);
  // Not retriable: thrown at once.
  calls = 0;
  await assert.rejects(
    () =>
      retry(() => {
        calls++;
        return Promise.reject(new LakeError("Forbidden", { retriable: false }));
      }),
    /Forbidden/,
  );
  assert.equal(calls, 1);
  // An aborted signal ends the retries with the last error.
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    () =>
      retry(() => Promise.reject(new LakeError("away", { retriable: true })), {
        signal: controller.signal,
      }),
    /away/,
  );
});

Deno.test("sink flags parse, and anything unknown is a usage error", () => {
  assert.deepEqual(
    parseSinkFlags([
      "--once",
      "--flush-size",
      "50",
      "--rotate-interval-ms=0",
      "--idle-flush-ms",
      "2000",
      "--group",
      "g1",
      "--topics",
      "orders,clickstream",
    ]),
    {
      once: true,
      help: false,
      flushSize: 50,
      rotateIntervalMs: 0,
      idleFlushMs: 2000,
      group: "g1",
      topics: ["orders", "clickstream"],
    },
  );
  assert.equal(parseSinkFlags(["--help"]).help, true);
  for (
    const bad of [["--bogus"], ["--flush-size"], ["--flush-size", "0"], ["--flush-size", "1e3"], [
      "extra",
    ], ["--group", "a b"]]
  ) {
    assert.throws(() => parseSinkFlags(bad), UsageError, bad.join(" "));
  }
});

Deno.test("the cloud connector configs write the same layout and hold placeholders only", async () => {
  const { PROJECT_ROOT } = await import("../../lib/config/mod.ts");
  const { ROTATION_DEFAULTS } = await import("../../lib/sink/mod.ts");
  for (const name of ["adls-gen2-sink.json", "azure-blob-sink.json"]) {
    const { config } = JSON.parse(await Deno.readTextFile(`${PROJECT_ROOT}/scripts/cloud/${name}`));
    assert.equal(config["topics.dir"], "topics");
    assert.equal(config["path.format"], "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH");
    assert.equal(config["partition.duration.ms"], "3600000");
    assert.match(config["partitioner.class"], /TimeBasedPartitioner$/);
    assert.equal(config["timestamp.extractor"], "RecordField");
    assert.equal(config["timestamp.field"], "timestamp");
    assert.equal(config["timezone"], "UTC");
    assert.equal(Number(config["flush.size"]), ROTATION_DEFAULTS.flushSize);
    assert.equal(Number(config["rotate.interval.ms"]), ROTATION_DEFAULTS.rotateIntervalMs);
    assert.match(config["format.class"], /JsonFormat$/);
    assert.equal(config["errors.deadletterqueue.topic.name"], `${config.topics}.dlq`);
    assert.equal(config["errors.deadletterqueue.context.headers.enable"], "true");
    // Every credential is a <PLACEHOLDER>.
    for (const [k, v] of Object.entries(config as Record<string, string>)) {
      if (/access\.key|account\.key|secret|password|jaas|account\.name|bootstrap/i.test(k)) {
        assert.match(v, /<[A-Z_]+>/, `${name}: ${k} must be a placeholder`);
      }
    }
  }
});
