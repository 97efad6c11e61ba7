/**
 * Every gold table of `lib/nrt/TABLES.md` computed independently, in plain TypeScript over the
 * parsed events (no SQL), to check the DuckDB tables against.
 */
import { recordTime } from "../../lib/lake/layout.ts";
import { FIELDS, ORIGINAL_FIELDS, type Topic, TOPICS } from "../../lib/schema/events.ts";
import { parseEventTime } from "../../lib/schema/event_time.ts";

/**
 * A bronze row: contract fields (null when missing), partition columns, and `_t`, the event
 * time (epoch ms, null when the timestamp has none).
 */
export type Row = Record<string, unknown> & {
  year: number;
  month: number;
  day: number;
  hour: number;
  _t: number | null;
};

/** Bronze rows per topic from simulated records (non-JSON values skipped, as the sink does). */
export function bronzeFromRecords(
  records: Iterable<{ topic: string; value: string; timestamp: number }>,
  zone = "UTC",
): Record<Topic, Row[]> {
  const out = Object.fromEntries(TOPICS.map((t) => [t, [] as Row[]])) as Record<Topic, Row[]>;
  for (const r of records) {
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(r.value);
    } catch {
      continue;
    }
    const d = new Date(Math.floor(recordTime(v, r.timestamp, zone) / 3_600_000) * 3_600_000);
    const row: Row = {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      _t: parseEventTime(v.timestamp, zone),
    };
    const topic = r.topic as Topic;
    for (const f of FIELDS[topic]) row[f] = v[f] ?? null;
    if (topic === "user-profiles" && row.details) {
      const det = row.details as Record<string, unknown>;
      row.details = {
        email: det.email ?? null,
        name: det.name ?? null,
        preferred_category: det.preferred_category ?? null,
      };
    }
    out[topic].push(row);
  }
  return out;
}

/** The original data frame's columns: the original fields and the partition columns. */
const originalColumns = (
  topic: Topic,
) => [...ORIGINAL_FIELDS[topic], "year", "month", "day", "hour"];

/**
 * Original cleaning over the original data frame's columns only: rows projected to them, no
 * null in any, then distinct rows.
 */
export function originalClean(topic: Topic, rows: Row[]): Row[] {
  const seen = new Set<string>();
  const out: Row[] = [];
  const columns = originalColumns(topic);
  for (const row of rows) {
    if (columns.some((f) => row[f] === null)) continue;
    const k = JSON.stringify(columns.map((f) => row[f]));
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(Object.fromEntries(columns.map((c) => [c, row[c]])) as Row);
  }
  return out;
}

const partKey = (r: Row) =>
  [r.year, r.month, r.day, r.hour].map((n) => String(n).padStart(4, "0")).join("") +
  String(r.timestamp);

/**
 * Better cleaning: one row per identity (event_id, else the content of every other contract
 * field), the smallest partition + timestamp kept.
 */
export function betterClean(topic: Topic, rows: Row[]): Row[] {
  const best = new Map<string, Row>();
  const content = FIELDS[topic].filter((f) => f !== "event_id");
  for (const row of rows) {
    const id = row.event_id !== null
      ? `id:${row.event_id}`
      : `content:${JSON.stringify(content.map((f) => row[f]))}`;
    const b = best.get(id);
    if (!b || partKey(row) < partKey(b)) best.set(id, row);
  }
  return [...best.values()];
}

function countBy(
  rows: Array<Record<string, unknown>>,
  dim: string,
): Array<Record<string, unknown>> {
  const counts = new Map<unknown, number>();
  for (const r of rows) counts.set(r[dim], (counts.get(r[dim]) ?? 0) + 1);
  return [...counts].map(([value, count]) => ({ [dim]: value, count }));
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function split(loc: string): { city: string; country: string | null } {
  const i = loc.indexOf(", ");
  if (i < 0) return { city: loc, country: null };
  const parts = loc.split(", ");
  return { city: parts[0], country: parts[1] };
}

/** Every gold table, by name. */
export function expectedGold(
  bronze: Record<Topic, Row[]>,
): Record<string, Array<Record<string, unknown>>> {
  const gold: Record<string, Array<Record<string, unknown>>> = {};

  // clickstream
  const clickOriginal = originalClean("clickstream", bronze.clickstream);
  for (const dim of ["device", "event", "page", "referrer", "year", "month", "day"]) {
    gold[`clickstream_by_${dim}`] = countBy(clickOriginal, dim);
  }
  gold.device_tablet = clickOriginal.filter((r) => r.device === "tablet");
  const click = betterClean("clickstream", bronze.clickstream);
  const hours = new Map<
    string,
    { r: Row; events: number; users: Set<unknown>; sessions: Set<unknown> }
  >();
  for (const r of click) {
    const k = `${r.year}-${r.month}-${r.day}-${r.hour}`;
    const h = hours.get(k) ?? { r, events: 0, users: new Set(), sessions: new Set() };
    h.events++;
    if (r.user_id !== null) h.users.add(r.user_id);
    if (r.session_id !== null) h.sessions.add(r.session_id);
    hours.set(k, h);
  }
  // An hour without any session_id has sessions "not available" (null), not 0.
  gold.clickstream_hourly_traffic = [...hours.values()].map((h) => ({
    year: h.r.year,
    month: h.r.month,
    day: h.r.day,
    hour: h.r.hour,
    events: h.events,
    users: h.users.size,
    sessions: h.sessions.size || null,
  }));
  const orders = betterClean("orders", bronze.orders);
  const orderSessions = new Set<unknown>(orders.map((o) => o.session_id).filter((s) => s !== null));
  const steps: Array<[string, (r: Row) => boolean]> = [
    ["page_view", (r) => r.event === "page_view"],
    ["product_page", (r) => r.page === "product_page"],
    ["add_to_cart", (r) => r.event === "add_to_cart"],
    ["checkout", (r) => r.event === "checkout"],
    ["order", (r) => orderSessions.has(r.session_id)],
  ];
  const stepSessions = steps.map(([, test]) =>
    new Set(click.filter((r) => r.session_id !== null && test(r)).map((r) => r.session_id)).size
  );
  // Without any session_id the funnel is "not available": no rows.
  const anySession = click.some((r) => r.session_id !== null);
  gold.clickstream_funnel = anySession
    ? steps.map(([step], i) => ({
      step_order: i + 1,
      step,
      sessions: stepSessions[i],
      rate: stepSessions[0] ? stepSessions[i] / stepSessions[0] : null,
    }))
    : [];

  // orders
  type Item = { product_id: string; quantity: number; price: number };
  const items = orders.filter((o) => o.items !== null).flatMap((o) =>
    (o.items as Item[]).map((it) => ({
      order_id: o.order_id,
      user_id: o.user_id,
      timestamp: o.timestamp,
      payment_method: o.payment_method,
      status: o.status,
      product_id: it.product_id,
      quantity: it.quantity,
      price: it.price,
      line_total: round2(it.quantity * it.price),
    }))
  );
  gold.order_items = items;
  const completed = orders.filter((o) => o.status === "completed");
  const byDay = new Map<string, { day: string; payment_method: unknown; amounts: number[] }>();
  for (const o of completed) {
    if (o._t === null || o.payment_method === null || o.total_amount === null) continue;
    const day = new Date(o._t).toISOString().slice(0, 10);
    const k = `${day}|${o.payment_method}`;
    const g = byDay.get(k) ?? { day, payment_method: o.payment_method, amounts: [] };
    g.amounts.push(o.total_amount as number);
    byDay.set(k, g);
  }
  gold.orders_revenue_by_day = [...byDay.values()].map((g) => ({
    day: g.day,
    payment_method: g.payment_method,
    orders: g.amounts.length,
    revenue: round2(sum(g.amounts)),
  }));
  const products = new Map<string, { units: number; totals: number[]; orders: Set<unknown> }>();
  for (const it of items) {
    if (it.status !== "completed" || it.product_id === null) continue;
    const p = products.get(it.product_id) ?? { units: 0, totals: [], orders: new Set() };
    p.units += it.quantity;
    p.totals.push(it.line_total);
    p.orders.add(it.order_id);
    products.set(it.product_id, p);
  }
  gold.orders_top_products = [...products].map(([product_id, p]) => ({
    product_id,
    units: p.units,
    revenue: round2(sum(p.totals)),
    orders: p.orders.size,
  })).sort((a, b) =>
    b.revenue - a.revenue ||
    (a.product_id < b.product_id ? -1 : a.product_id > b.product_id ? 1 : 0)
  ).slice(0, 20);
  const withStatus = orders.filter((o) => o.status !== null);
  const n = (s: string) => orders.filter((o) => o.status === s).length;
  const completedAmounts = completed.map((o) => o.total_amount).filter((x) =>
    x !== null
  ) as number[];
  gold.orders_summary = [{
    orders: withStatus.length,
    completed: n("completed"),
    pending: n("pending"),
    canceled: n("canceled"),
    cancel_rate: n("canceled") / withStatus.length,
    revenue: round2(sum(completedAmounts)),
    aov: sum(completedAmounts) / n("completed"),
  }];

  // user-profiles
  const profiles = betterClean("user-profiles", bronze["user-profiles"]);
  const latest = new Map<string, Row>();
  // Later event time, then greater event_id (a present one before none), then greater values.
  const after = (p: Row, b: Row): boolean => {
    if (p._t !== b._t) return p._t! > b._t!;
    if (p.event_id !== b.event_id) {
      return b.event_id === null ||
        (p.event_id !== null && String(p.event_id) > String(b.event_id));
    }
    const pd = p.details as Record<string, unknown>, bd = b.details as Record<string, unknown>;
    const tie = [[p.timestamp, b.timestamp], [p.action, b.action], [pd.email, bd.email], [
      pd.name,
      bd.name,
    ], [pd.preferred_category, bd.preferred_category]];
    for (const [x, y] of tie) {
      if (x === y) continue;
      return y === null || (x !== null && String(x) > String(y));
    }
    return false;
  };
  for (const p of profiles) {
    if (p.user_id === null || p._t === null || p.details === null) continue;
    const b = latest.get(p.user_id as string);
    if (!b || after(p, b)) latest.set(p.user_id as string, p);
  }
  gold.profiles_latest = [...latest.values()].map((p) => {
    const d = p.details as Record<string, unknown>;
    return {
      user_id: p.user_id,
      timestamp: p.timestamp,
      action: p.action,
      email: d.email,
      name: d.name,
      preferred_category: d.preferred_category,
    };
  });
  gold.profile_action_counts = countBy(profiles.filter((p) => p.action !== null), "action");
  const withCategory = gold.profiles_latest.filter((p) => p.preferred_category !== null);
  gold.preferred_category_mix = countBy(withCategory as Row[], "preferred_category").map((r) => ({
    preferred_category: r.preferred_category,
    users: r.count,
    share: (r.count as number) / withCategory.length,
  }));
  const categoryOf = new Map(gold.profiles_latest.map((p) => [p.user_id, p.preferred_category]));
  const rev = new Map<unknown, { users: Set<unknown>; amounts: number[] }>();
  for (const o of completed) {
    if (o.user_id === null || o.total_amount === null) continue;
    const cat = categoryOf.get(o.user_id);
    if (cat === undefined || cat === null) continue;
    const g = rev.get(cat) ?? { users: new Set(), amounts: [] };
    g.users.add(o.user_id);
    g.amounts.push(o.total_amount as number);
    rev.set(cat, g);
  }
  gold.revenue_by_preferred_category = [...rev].map(([preferred_category, g]) => ({
    preferred_category,
    customers: g.users.size,
    orders: g.amounts.length,
    revenue: round2(sum(g.amounts)),
  }));

  // delivery-status
  const splitRows = originalClean("delivery-status", bronze["delivery-status"]).map((r) => {
    const { city, country } = split(r.current_location as string);
    return {
      delivery_person_id: r.delivery_person_id,
      order_id: r.order_id,
      status: r.status,
      city,
      country,
      timestamp: r.timestamp,
      year: r.year,
      month: r.month,
      day: r.day,
      hour: r.hour,
    } as Record<string, unknown>;
  }).filter((r) => Object.values(r).every((v) => v !== null));
  gold.returns_usa = splitRows.filter((r) => r.status === "returned" && r.country === "USA");
  for (const dim of ["status", "country", "year", "month", "day"]) {
    gold[`delivery_by_${dim}`] = countBy(splitRows, dim);
  }
  const picked = new Map<string, number>();
  const delivered = new Map<string, { ts: number; country: string }>();
  for (const r of betterClean("delivery-status", bronze["delivery-status"])) {
    if (r.order_id === null || r._t === null || r.status === null) continue;
    if (r.current_location === null) continue;
    const { country } = split(r.current_location as string);
    if (country === null) continue;
    const id = r.order_id as string;
    const ts = r._t;
    if (r.status === "picked_up" && (!picked.has(id) || ts < picked.get(id)!)) picked.set(id, ts);
    if (r.status === "delivered") {
      const d = delivered.get(id);
      if (!d || ts < d.ts || (ts === d.ts && country < d.country)) {
        delivered.set(id, { ts, country });
      }
    }
  }
  const times = new Map<string, number[]>();
  for (const [id, d] of delivered) {
    const p = picked.get(id);
    if (!p) continue;
    const h = (d.ts - p) / 3_600_000;
    if (!(h > 0)) continue;
    times.set(d.country, [...(times.get(d.country) ?? []), h]);
  }
  gold.delivery_time_by_country = [...times].map(([country, hs]) => {
    const sorted = [...hs].sort((a, b) => a - b);
    return {
      country,
      deliveries: hs.length,
      p50_hours: quantile(sorted, 0.5),
      p90_hours: quantile(sorted, 0.9),
      mean_hours: sum(hs) / hs.length,
    };
  });
  return gold;
}

/** Rows made comparable: sorted by their JSON, numbers kept (compare with a tolerance). */
export function canonical(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const norm = (r: Record<string, unknown>) =>
    JSON.stringify(
      Object.keys(r).sort().map((
        k,
      ) => [k, typeof r[k] === "number" ? Number((r[k] as number).toFixed(6)) : r[k]]),
    );
  return [...rows].sort((a, b) => (norm(a) < norm(b) ? -1 : norm(a) > norm(b) ? 1 : 0));
}

/** Asserts two tables equal as sets of rows, numbers within 1e-9 (relative for large ones). */
export function tablesMatch(
  name: string,
  actual: Array<Record<string, unknown>>,
  expected: Array<Record<string, unknown>>,
): string | null {
  if (actual.length !== expected.length) {
    return `${name}: ${actual.length} rows, expected ${expected.length}`;
  }
  const a = canonical(actual);
  const e = canonical(expected);
  for (let i = 0; i < a.length; i++) {
    const keys = Object.keys(e[i]);
    if (Object.keys(a[i]).sort().join() !== [...keys].sort().join()) {
      return `${name}: columns ${Object.keys(a[i])}, expected ${keys}`;
    }
    for (const k of keys) {
      const x = a[i][k];
      const y = e[i][k];
      if (typeof x === "number" && typeof y === "number") {
        if (Math.abs(x - y) > 1e-9 * Math.max(1, Math.abs(y))) {
          return `${name}: row ${i} ${k} = ${x}, expected ${y}`;
        }
      } else if (JSON.stringify(x) !== JSON.stringify(y)) {
        return `${name}: row ${i} ${k} = ${JSON.stringify(x)}, expected ${JSON.stringify(y)}`;
      }
    }
  }
  return null;
}
