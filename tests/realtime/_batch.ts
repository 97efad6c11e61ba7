/**
 * The same metrics as `lib/realtime`, computed in one batch by DuckDB SQL over the raw JSON lines
 * in arrival order: the reference the streaming aggregates must equal exactly.
 *
 * Only sums and counts come from SQL; the few ratios are derived from them with the same
 * arithmetic the aggregator uses (cents / orders / 100), so floating point cannot differ.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { eventTimeMacros } from "../../lib/nrt/event_time.ts";
import {
  FUNNEL_STEPS,
  MALFORMED_REASONS,
  type ResolvedAggregatorOptions,
  type Snapshot,
} from "../../lib/realtime/mod.ts";
import { ORIGINAL_FIELDS, TOPICS } from "../../lib/schema/events.ts";

/** One record as it arrived. */
export interface Arrival {
  topic: string;
  line: string | null;
  /** The partition it was read from (`"orders/2"`); every source present is one the watermark waits for. */
  source?: string;
}

/** What the batch reproduces: every metric and count of a snapshot. */
export type BatchResult = Pick<
  Snapshot,
  | "windows"
  | "funnel"
  | "orders"
  | "deliveries"
  | "topProducts"
  | "totals"
  | "topics"
  | "available"
  | "malformedReasons"
>;

/** The parts of a snapshot a batch computation reproduces. */
export function comparable(s: Snapshot): BatchResult {
  const { windows, funnel, orders, deliveries, topProducts, totals, topics, available } = s;
  const { malformedReasons } = s;
  return {
    windows,
    funnel,
    orders,
    deliveries,
    topProducts,
    totals,
    topics,
    available,
    malformedReasons,
  };
}

const iso = (t: number) => new Date(t).toISOString();
const str = (path: string) =>
  `CASE WHEN json_type(j, '${path}') = 'VARCHAR' THEN json_extract_string(j, '${path}') ELSE 'unknown' END`;

/** Computes the metrics of `arrivals` (in arrival order) with DuckDB. */
export async function batchMetrics(
  arrivals: Arrival[],
  o: ResolvedAggregatorOptions,
): Promise<BatchResult> {
  const dir = await Deno.makeTempDir({ prefix: "ecom-rt-batch-" });
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    extension_directory: `${dir}/extensions`,
  });
  const db = await instance.connect();
  const all = async <T = Record<string, unknown>>(sql: string): Promise<T[]> =>
    (await db.runAndReadAll(sql)).getRowObjectsJS() as unknown as T[];
  // Event time by the rule's SQL translation (tested to agree with lib/schema/event_time.ts).
  await db.run(eventTimeMacros(o.eventTimeZone));
  try {
    const file = `${dir}/raw.jsonl`;
    await Deno.writeTextFile(
      file,
      arrivals.map((a, seq) =>
        JSON.stringify({ seq, topic: a.topic, line: a.line, source: a.source ?? "" })
      )
        .join("\n"),
    );
    const W = o.window, L = o.lateness, SIZE = o.slidingWindow, SLIDE = o.slide;
    const R = MALFORMED_REASONS;
    const sources = [...new Set(arrivals.map((a) => a.source ?? ""))];
    const maxes = sources.map((src, i) =>
      `max(CASE WHEN source = '${src}' THEN t END) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS m${i}`
    ).join(", ");
    const names = sources.map((_, i) => `m${i}`).join(", ");
    const anyNull = sources.map((_, i) => `m${i} IS NULL`).join(" OR ");
    const nullChecks = TOPICS.map((t) =>
      `(topic = '${t}' AND (${
        ORIGINAL_FIELDS[t].map((f) => `coalesce(json_type(j, '$.${f}'), 'NULL') = 'NULL'`)
          .join(" OR ")
      }))`
    ).join(" OR ");
    await db.run(`
      CREATE TABLE raw AS SELECT * FROM read_json('${file}', format = 'newline_delimited',
        columns = {seq: 'BIGINT', topic: 'VARCHAR', line: 'VARCHAR', source: 'VARCHAR'});
      CREATE TABLE parsed AS SELECT seq, topic, source, line,
        CASE WHEN json_valid(line) AND json_type(line::JSON) = 'OBJECT' THEN line::JSON END AS j
        FROM raw;
      -- Why a record is malformed, in the decoder's order of checks (NULL: it is not).
      CREATE TABLE checked AS SELECT *,
          CASE WHEN topic IN ('orders', 'delivery-status') THEN '$.order_id' ELSE '$.user_id' END
            AS key_path,
          json_type(j, '$.timestamp') AS ts_type,
          event_time_ms(CASE WHEN json_type(j, '$.timestamp') IN ('VARCHAR', 'BIGINT', 'UBIGINT', 'DOUBLE')
            THEN json_extract_string(j, '$.timestamp') END) AS t
        FROM parsed;
      CREATE TABLE reasons AS SELECT seq, topic, CASE
          WHEN line IS NULL THEN '${R.noValue}'
          WHEN NOT json_valid(line) THEN '${R.notJson}'
          WHEN j IS NULL THEN '${R.notObject}'
          WHEN coalesce(json_type(j, key_path), '') <> 'VARCHAR'
            OR json_extract_string(j, key_path) = ''
            THEN CASE WHEN key_path = '$.user_id' THEN '${R.noUserId}' ELSE '${R.noOrderId}' END
          WHEN coalesce(ts_type, 'NULL') = 'NULL' THEN '${R.noTimestamp}'
          WHEN t IS NULL THEN '${R.badTimestamp}'
          WHEN coalesce(json_type(j, '$.event_id'), 'NULL') NOT IN ('NULL', 'VARCHAR')
            OR json_extract_string(j, '$.event_id') = '' THEN '${R.badEventId}'
          END AS reason
        FROM checked;
      -- Identity: the event_id, else the record's content (simulated copies are byte-identical).
      CREATE TABLE decoded AS SELECT c.seq, c.topic, c.source, c.j,
          coalesce(json_extract_string(c.j, '$.event_id'), 'c:' || md5(c.line)) AS id, c.t
        FROM checked c JOIN reasons r USING (seq) WHERE r.reason IS NULL;
      -- The watermark an event meets: the smallest, over sources, of the max event time of the
      -- source's earlier decoded events − lateness; none until every source has one.
      CREATE TABLE gated AS
        WITH m AS (SELECT *, ${maxes} FROM decoded)
        SELECT * EXCLUDE (${names}),
          CASE WHEN ${anyNull} THEN false ELSE t < least(${names}) - ${L} END AS late
        FROM m;
      CREATE TABLE ontime AS SELECT *, row_number() OVER (PARTITION BY id ORDER BY seq) > 1 AS dup
        FROM gated WHERE NOT late;
      CREATE TABLE acc AS SELECT seq, topic, j, t, (${nullChecks}) AS has_null
        FROM ontime WHERE NOT dup;
      CREATE TABLE clicks AS SELECT *, json_extract_string(j, '$.user_id') AS user_id,
          CASE WHEN json_type(j, '$.session_id') = 'VARCHAR' THEN json_extract_string(j, '$.session_id') END AS session_id,
          CASE WHEN json_type(j, '$.event') = 'VARCHAR' THEN json_extract_string(j, '$.event') END AS event,
          CASE WHEN json_type(j, '$.product_id') = 'VARCHAR' THEN json_extract_string(j, '$.product_id') END AS product_id
        FROM acc WHERE topic = 'clickstream';
      CREATE TABLE orders AS SELECT *, ${str("$.status")} AS status,
          ${str("$.payment_method")} AS payment_method,
          CASE WHEN json_type(j, '$.session_id') = 'VARCHAR' THEN json_extract_string(j, '$.session_id') END AS session_id,
          CASE WHEN json_type(j, '$.status') = 'VARCHAR' AND json_extract_string(j, '$.status') IN ('completed', 'pending')
            AND json_type(j, '$.total_amount') IN ('DOUBLE', 'BIGINT', 'UBIGINT')
            THEN round((json_extract_string(j, '$.total_amount'))::DOUBLE * 100)::BIGINT END AS cents
        FROM acc WHERE topic = 'orders';
      CREATE TABLE deliveries AS SELECT *, json_extract_string(j, '$.order_id') AS order_id, ${
      str("$.status")
    } AS status,
          CASE WHEN json_type(j, '$.current_location') = 'VARCHAR'
            AND strpos(json_extract_string(j, '$.current_location'), ', ') > 0
            THEN substr(json_extract_string(j, '$.current_location'), strpos(json_extract_string(j, '$.current_location'), ', ') + 2)
            ELSE 'unknown' END AS country
        FROM acc WHERE topic = 'delivery-status';
    `);

    const counts = await all(`
      SELECT r.topic,
        count(*)::INTEGER AS received,
        count(a.seq)::INTEGER AS accepted,
        (count(*) - count(d.seq))::INTEGER AS malformed,
        count(*) FILTER (WHERE g.late)::INTEGER AS late,
        count(*) FILTER (WHERE o.dup)::INTEGER AS duplicates,
        count(*) FILTER (WHERE a.has_null)::INTEGER AS nullFields,
        0::INTEGER AS future
      FROM raw r LEFT JOIN decoded d USING (seq) LEFT JOIN gated g USING (seq)
        LEFT JOIN ontime o USING (seq) LEFT JOIN acc a USING (seq)
      GROUP BY r.topic`);
    const zero = {
      received: 0,
      accepted: 0,
      malformed: 0,
      late: 0,
      duplicates: 0,
      nullFields: 0,
      future: 0,
    };
    const topics = Object.fromEntries(TOPICS.map((t) => [t, { ...zero }])) as BatchResult["topics"];
    const totals = { ...zero };
    for (const row of counts) {
      const { topic, ...c } = row as Record<string, number> & { topic: string };
      Object.assign(topics[topic as keyof typeof topics], c);
      for (const k of Object.keys(zero) as Array<keyof typeof zero>) totals[k] += c[k];
    }

    const events = (await all(`
      SELECT (floor(t / ${W}) * ${W})::DOUBLE AS w, topic, count(*)::INTEGER AS n FROM acc
      GROUP BY ALL`)).map((r) => ({
      window: iso(r.w as number),
      topic: r.topic as BatchResult["windows"]["events"][number]["topic"],
      events: r.n as number,
      order: TOPICS.indexOf(r.topic as typeof TOPICS[number]),
    })).sort((a, b) => a.window.localeCompare(b.window) || a.order - b.order)
      .map(({ order: _, ...r }) => r);
    const clicks = (await all(`
      SELECT (floor(t / ${W}) * ${W})::DOUBLE AS w, ${str("$.event")} AS event,
        ${str("$.device")} AS device, count(*)::INTEGER AS n
      FROM clicks GROUP BY ALL ORDER BY w, event, device`))
      .map((r) => ({
        window: iso(r.w as number),
        event: r.event as string,
        device: r.device as string,
        events: r.n as number,
      }));
    const [{ sessionSeen, productSeen }] = await all<
      { sessionSeen: boolean; productSeen: boolean }
    >(`
      SELECT count(session_id) > 0 AS "sessionSeen", count(product_id) > 0 AS "productSeen"
      FROM clicks`);
    const activity = (await all(`
      SELECT (floor(t / ${W}) * ${W})::DOUBLE AS w, count(DISTINCT user_id)::INTEGER AS users,
        count(DISTINCT session_id)::INTEGER AS sessions
      FROM clicks GROUP BY ALL ORDER BY w`))
      .map((r) => ({
        window: iso(r.w as number),
        users: r.users as number,
        sessions: sessionSeen ? r.sessions as number : null,
      }));
    const activeUsers = (await all(`
      WITH starts AS (
        SELECT user_id, session_id, unnest(range(
          (floor(t / ${SLIDE}) * ${SLIDE} - ${Math.ceil(SIZE / SLIDE) * SLIDE})::BIGINT,
          (floor(t / ${SLIDE}) * ${SLIDE} + 1)::BIGINT, ${SLIDE})) AS s, t
        FROM clicks)
      SELECT s::DOUBLE AS w, count(DISTINCT user_id)::INTEGER AS users,
        count(DISTINCT session_id)::INTEGER AS sessions
      FROM starts WHERE s > t - ${SIZE} GROUP BY ALL ORDER BY w`))
      .map((r) => ({
        window: iso(r.w as number),
        users: r.users as number,
        sessions: sessionSeen ? r.sessions as number : null,
      }));
    const revenue = (await all(`
      SELECT (floor(t / ${W}) * ${W})::DOUBLE AS w, count(cents)::INTEGER AS orders,
        coalesce(sum(cents), 0)::DOUBLE AS cents
      FROM orders GROUP BY ALL ORDER BY w`))
      .map((r) => {
        const orders = r.orders as number, cents = r.cents as number;
        return {
          window: iso(r.w as number),
          orders,
          revenue: cents / 100,
          aov: orders ? cents / orders / 100 : null,
        };
      });

    const funnelRows = await all(`
      WITH steps AS (
        SELECT session_id, event = 'page_view' AS s0, json_type(j, '$.page') = 'VARCHAR'
            AND json_extract_string(j, '$.page') = 'product_page' AS s1,
          event = 'add_to_cart' AS s2, event = 'checkout' AS s3, false AS s4
        FROM clicks WHERE session_id IS NOT NULL
        UNION ALL
        SELECT session_id, false, false, false, false, true FROM orders WHERE session_id IS NOT NULL),
      sessions AS (
        SELECT session_id, bool_or(coalesce(s0, false)) AS s0, bool_or(coalesce(s1, false)) AS s1,
          bool_or(coalesce(s2, false)) AS s2, bool_or(coalesce(s3, false)) AS s3, bool_or(s4) AS s4
        FROM steps GROUP BY session_id)
      SELECT
        count(*) FILTER (s0)::INTEGER AS r0, count(*) FILTER (s1)::INTEGER AS r1,
        count(*) FILTER (s2)::INTEGER AS r2, count(*) FILTER (s3)::INTEGER AS r3,
        count(*) FILTER (s4)::INTEGER AS r4,
        count(*) FILTER (s0)::INTEGER AS k0, count(*) FILTER (s0 AND s1)::INTEGER AS k1,
        count(*) FILTER (s0 AND s1 AND s2)::INTEGER AS k2,
        count(*) FILTER (s0 AND s1 AND s2 AND s3)::INTEGER AS k3,
        count(*) FILTER (s0 AND s1 AND s2 AND s3 AND s4)::INTEGER AS k4
      FROM sessions`);
    const f = funnelRows[0] as Record<string, number>;
    const funnel = sessionSeen
      ? FUNNEL_STEPS.map((step, k) => ({
        step,
        sessions: f[`k${k}`],
        reached: f[`r${k}`],
        conversion: f.k0 ? f[`k${k}`] / f.k0 : null,
      }))
      : [];

    const byStatus = await all<BatchResult["orders"]["byStatus"][number]>(`
      SELECT status, payment_method, count(*)::INTEGER AS orders FROM orders
      GROUP BY ALL ORDER BY status, payment_method`);
    const [tot] = await all(`
      SELECT count(*)::INTEGER AS orders, count(cents)::INTEGER AS revenue_orders,
        coalesce(sum(cents), 0)::DOUBLE AS cents FROM orders`);
    const cents = tot.cents as number, revenueOrders = tot.revenue_orders as number;

    const deliveryRows = await all<BatchResult["deliveries"]["byStatus"][number]>(`
      SELECT country, status, count(*)::INTEGER AS events FROM deliveries
      GROUP BY ALL ORDER BY country, status`);
    const timed = await all(`
      WITH per_order AS (
        SELECT order_id, min(t) FILTER (status = 'picked_up') AS p,
          min(t) FILTER (status = 'delivered') AS d,
          arg_min(country, t) FILTER (status = 'delivered') AS country
        FROM deliveries GROUP BY order_id),
      durations AS (
        SELECT country, (d - p) AS ms, row_number() OVER (PARTITION BY country ORDER BY d - p) AS rn,
          count(*) OVER (PARTITION BY country) AS n
        FROM per_order WHERE p IS NOT NULL AND d IS NOT NULL)
      SELECT country, any_value(n)::INTEGER AS n,
        max(ms) FILTER (rn = (50 * n + 99) // 100)::DOUBLE AS p50,
        max(ms) FILTER (rn = (90 * n + 99) // 100)::DOUBLE AS p90
      FROM durations GROUP BY country`);
    const countries = new Map<string, BatchResult["deliveries"]["countries"][number]>();
    for (const { country, status, events } of deliveryRows) {
      let r = countries.get(country);
      if (!r) {
        countries.set(
          country,
          r = {
            country,
            events: 0,
            delivered: 0,
            failed: 0,
            returned: 0,
            deliveredRate: null,
            failedRate: null,
            returnedRate: null,
            timed: 0,
            p50Minutes: null,
            p90Minutes: null,
          },
        );
      }
      r.events += events;
      if (status === "delivered" || status === "failed" || status === "returned") {
        r[status] += events;
      }
    }
    for (const row of timed) {
      const r = countries.get(row.country as string)!;
      r.timed = row.n as number;
      r.p50Minutes = (row.p50 as number) / 60_000;
      r.p90Minutes = (row.p90 as number) / 60_000;
    }
    for (const r of countries.values()) {
      const terminal = r.delivered + r.failed + r.returned;
      if (terminal) {
        r.deliveredRate = r.delivered / terminal;
        r.failedRate = r.failed / terminal;
        r.returnedRate = r.returned / terminal;
      }
    }

    const top = async (event: string) =>
      await all<{ product_id: string; count: number }>(`
        SELECT product_id, count(*)::INTEGER AS count FROM clicks
        WHERE event = '${event}' AND product_id IS NOT NULL
        GROUP BY ALL ORDER BY count DESC, product_id LIMIT ${o.topN}`);

    return {
      totals,
      topics,
      windows: { events, clicks, activity, activeUsers, revenue },
      funnel,
      orders: {
        byStatus,
        orders: tot.orders as number,
        revenueOrders,
        revenue: cents / 100,
        aov: revenueOrders ? cents / revenueOrders / 100 : null,
      },
      deliveries: {
        byStatus: deliveryRows,
        countries: [...countries.values()].sort((a, b) => (a.country < b.country ? -1 : 1)),
      },
      topProducts: {
        views: await top("click"),
        addToCart: await top("add_to_cart"),
        ordered: await all<{ product_id: string; count: number }>(`
          SELECT item->>'product_id' AS product_id, sum((item->>'quantity')::BIGINT)::INTEGER AS count
          FROM (SELECT unnest(json_extract(j, '$.items[*]')) AS item FROM orders
            WHERE cents IS NOT NULL AND json_type(j, '$.items') = 'ARRAY')
          WHERE json_type(item, '$.product_id') = 'VARCHAR' AND json_type(item, '$.quantity') IN ('BIGINT', 'UBIGINT')
            AND (item->>'quantity')::BIGINT > 0
          GROUP BY ALL ORDER BY count DESC, product_id LIMIT ${o.topN}`),
      },
      available: { sessions: sessionSeen, funnel: sessionSeen, productViews: productSeen },
      malformedReasons: (await all<{ topic: string; reason: string; count: number }>(`
        SELECT topic, reason, count(*)::INTEGER AS count FROM reasons WHERE reason IS NOT NULL
        GROUP BY ALL`)).map((r) => ({ ...r, topic: r.topic as typeof TOPICS[number] })).sort((
        a,
        b,
      ) =>
        TOPICS.indexOf(a.topic) - TOPICS.indexOf(b.topic) || b.count - a.count ||
        (a.reason < b.reason ? -1 : 1)
      ),
    };
  } finally {
    db.closeSync();
    instance.closeSync();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
