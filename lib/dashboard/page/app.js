// The dashboard page: draws what the server sends, computes no metric of its own. Live panels
// come from the `live` Server-Sent Events of /api/live (one view per tick); lake panels from
// /api/lake, fetched again when the server announces a new NRT pass (`lake` event) or the filter
// changes. Charts are Observable Plot (global `Plot`, with d3 as global `d3`), served by the
// dashboard from the npm packages. The filter lives in the URL, so a link shows the same view.
/* global Plot, d3 */
"use strict";

const TOPICS = ["clickstream", "orders", "user-profiles", "delivery-status"];
const TOPIC_COLORS = ["#4e79a7", "#f28e2b", "#76b7b2", "#e15759"];
const COUNTS = [
  ["received", "records read"],
  ["accepted", "accepted"],
  ["malformed", "malformed"],
  ["late", "late"],
  ["duplicates", "duplicates"],
  ["future", "future"],
];
const QUALITY = ["malformed", "late", "duplicates", "future"];

const $ = (selector) => document.querySelector(selector);
const count = d3.format(",");
const money = d3.format(",.2f");
const percent = d3.format(".1%");

/** "2026-11-26 10:15:30 UTC" from an ISO time. */
function utc(iso) {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : "–";
}

function ago(iso) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

// ---- the filter ----------------------------------------------------------------------------

/** The filter in the page's URL: { last?, from?, to?, topics }. */
function readFilter() {
  const params = new URLSearchParams(location.search);
  const topics = params.get("topics");
  return {
    last: params.get("last") ?? undefined,
    from: params.get("from") ?? undefined,
    to: params.get("to") ?? undefined,
    topics: topics ? TOPICS.filter((t) => topics.split(",").includes(t)) : [...TOPICS],
  };
}

function filterQuery(filter) {
  const params = new URLSearchParams();
  if (filter.last) params.set("last", filter.last);
  if (filter.from) params.set("from", filter.from);
  if (filter.to) params.set("to", filter.to);
  if (filter.topics.length < TOPICS.length) params.set("topics", filter.topics.join(","));
  return params.toString();
}

let filter = readFilter();

function buildFilterForm() {
  const box = $("#topics");
  TOPICS.forEach((topic, i) => {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.value = topic;
    input.checked = filter.topics.includes(topic);
    input.addEventListener("change", onTopics);
    const swatch = document.createElement("span");
    swatch.textContent = "■ ";
    swatch.style.color = TOPIC_COLORS[i];
    label.append(input, " ", swatch, topic);
    box.append(label);
  });
  const range = $("#range");
  if (filter.from || filter.to) {
    range.value = "custom";
    $("#from").value = filter.from ? filter.from.slice(0, 16) : "";
    $("#to").value = filter.to ? filter.to.slice(0, 16) : "";
    $("#custom").hidden = false;
  } else range.value = filter.last ?? "";
  if (range.value !== (filter.last ?? "") && !(filter.from || filter.to)) {
    // A `last` the menu does not list: add it, so the menu shows what is applied.
    range.add(new Option(`last ${filter.last}`, filter.last), range.options[1]);
    range.value = filter.last;
  }
  range.addEventListener("change", onRange);
  $("#apply").addEventListener("click", onCustom);
}

function onTopics() {
  const topics = [...document.querySelectorAll("#topics input:checked")].map((i) => i.value);
  if (topics.length === 0) {
    showFilterError("Pick at least one topic.");
    return;
  }
  apply({ ...filter, topics });
}

function onRange() {
  const value = $("#range").value;
  $("#custom").hidden = value !== "custom";
  if (value === "custom") return;
  apply({ topics: filter.topics, last: value || undefined });
}

function onCustom() {
  const from = $("#from").value, to = $("#to").value;
  const iso = (v) => (v ? new Date(`${v}:00Z`).toISOString() : undefined);
  if (from && to && from >= to) {
    showFilterError("The start must be before the end.");
    return;
  }
  apply({ topics: filter.topics, from: iso(from), to: iso(to) });
}

function showFilterError(message) {
  $("#filter-error").textContent = message;
}

function apply(next) {
  filter = next;
  showFilterError("");
  const query = filterQuery(filter);
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
  connect();
  loadLake();
}

// ---- charts --------------------------------------------------------------------------------

function panel(id) {
  return document.querySelector(`[data-panel="${id}"]`);
}

function width(el) {
  return Math.max(280, Math.floor(el.querySelector(".chart").clientWidth || 420));
}

/** Replaces a panel's chart (an SVG from Plot) and note; `options` null leaves no chart. */
function draw(id, options, note = "", excluded = false) {
  const el = panel(id);
  el.classList.toggle("excluded", excluded);
  const chart = el.querySelector(".chart");
  if (options === null) chart.replaceChildren();
  else chart.replaceChildren(Plot.plot({ width: width(el), ...options }));
  el.querySelector(".note").textContent = note;
}

/** A chart that says there is nothing to draw (still an SVG, so the panel keeps its place). */
function empty(message) {
  return {
    height: 70,
    axis: null,
    marks: [Plot.text([message], { frameAnchor: "middle", fontSize: 13, fill: "#5d6678" })],
  };
}

const topicColor = { legend: true, domain: TOPICS, range: TOPIC_COLORS };

function windowEnd(view) {
  return (d) => new Date(Date.parse(d.window) + view.window);
}

function drawEvents(view) {
  if (view.events.length === 0) return draw("events", empty("no events in this range yet"));
  draw("events", {
    height: 220,
    x: { type: "utc", label: null },
    y: { label: "events", grid: true },
    color: topicColor,
    marks: [
      Plot.rectY(view.events, {
        x1: (d) => new Date(d.window),
        x2: windowEnd(view),
        y: "events",
        fill: "topic",
        insetLeft: 0.5,
        tip: true,
      }),
      Plot.ruleY([0]),
    ],
  }, `${view.window / 60000}-minute windows${view.windowsCapped ? ", latest ones" : ""}`);
}

function drawRevenue(view) {
  if (!view.topics.includes("orders")) {
    return draw("revenue", null, "orders is not in the topic filter", true);
  }
  if (view.revenue.length === 0) return draw("revenue", empty("no orders in this range yet"));
  draw(
    "revenue",
    {
      height: 200,
      x: { type: "utc", label: null },
      y: { label: "revenue", grid: true },
      marks: [
        Plot.rectY(view.revenue, {
          x1: (d) => new Date(d.window),
          x2: windowEnd(view),
          y: "revenue",
          fill: "#59a14f",
          insetLeft: 0.5,
          tip: true,
        }),
        Plot.ruleY([0]),
      ],
    },
    `completed and pending orders; total ${money(view.orders.revenue)} over ${
      count(view.orders.orders)
    } orders`,
  );
}

function drawFunnel(view) {
  const funnel = view.funnel;
  if (!funnel.available) {
    const excluded = !view.topics.includes("clickstream");
    return draw("funnel", null, funnel.reason, excluded);
  }
  const last = funnel.steps[funnel.steps.length - 1];
  draw("funnel", {
    height: 190,
    marginLeft: 95,
    marginRight: 60,
    x: { label: "sessions", grid: true },
    y: { label: null, domain: funnel.steps.map((s) => s.step) },
    marks: [
      Plot.barX(funnel.steps, { x: "sessions", y: "step", fill: "#4e79a7" }),
      Plot.text(funnel.steps, {
        x: "sessions",
        y: "step",
        text: (s) =>
          `${count(s.sessions)}${s.conversion === null ? "" : ` (${percent(s.conversion)})`}`,
        dx: 4,
        textAnchor: "start",
      }),
    ],
  }, last.conversion === null ? "" : `page view → order: ${percent(last.conversion)} of sessions`);
}

function drawDeliveries(view) {
  if (!view.topics.includes("delivery-status")) {
    return draw("deliveries", null, "delivery-status is not in the topic filter", true);
  }
  if (view.deliveries.length === 0) return draw("deliveries", empty("no delivery events yet"));
  const totals = d3.rollup(view.deliveries, (v) => d3.sum(v, (d) => d.events), (d) => d.country);
  const top = new Set([...totals].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([c]) => c));
  draw("deliveries", {
    height: 300,
    marginLeft: 110,
    x: { label: "delivery events", grid: true },
    y: { label: null },
    color: {
      legend: true,
      domain: ["picked_up", "in_transit", "delivered", "failed", "returned", "unknown"],
      scheme: "tableau10",
    },
    marks: [
      Plot.barX(view.deliveries.filter((d) => top.has(d.country)), {
        y: "country",
        x: "events",
        fill: "status",
        sort: { y: "-x" },
        tip: true,
      }),
      Plot.ruleX([0]),
    ],
  }, `the ${top.size} countries with the most events, of ${totals.size}`);
}

function drawLag(view) {
  if (view.lag.length === 0) return draw("lag", empty("no partition read yet"));
  const rows = view.lag.map((p) => ({ ...p, name: `${p.topic}/${p.partition}` }));
  const total = d3.sum(rows, (p) => p.lag);
  draw("lag", {
    height: Math.max(120, rows.length * 18 + 40),
    marginLeft: 130,
    marginRight: 50,
    // All partitions caught up: keep a visible axis (a [0, 0] domain cannot be drawn).
    x: {
      label: "records behind",
      grid: true,
      domain: [0, Math.max(10, d3.max(rows, (p) => p.lag))],
    },
    y: { label: null, domain: rows.map((p) => p.name) },
    color: topicColor,
    marks: [
      Plot.barX(rows, { y: "name", x: "lag", fill: "topic" }),
      Plot.text(rows, {
        y: "name",
        x: "lag",
        text: (p) => count(p.lag),
        dx: 4,
        textAnchor: "start",
      }),
      Plot.ruleX([0]),
    ],
  }, `${count(total)} records behind the high watermarks in all`);
}

function drawWatermark(view) {
  if (!view.watermark || !view.maxEventTime) {
    return draw("watermark", empty("no events yet"), "");
  }
  const watermark = new Date(view.watermark), max = new Date(view.maxEventTime);
  const pad = Math.max(view.lateness * 0.15, 60000);
  const marks = [
    { t: watermark, label: "watermark" },
    { t: max, label: "max event time" },
  ];
  draw(
    "watermark",
    {
      height: 110,
      marginTop: 30,
      marginLeft: 70,
      marginRight: 90,
      x: {
        type: "utc",
        label: null,
        domain: [
          new Date(Math.min(+watermark, +max) - pad),
          new Date(Math.max(+watermark, +max) + pad),
        ],
      },
      y: { axis: null, domain: [0, 1] },
      marks: [
        Plot.rectX([{ x1: watermark, x2: max }], {
          x1: "x1",
          x2: "x2",
          y1: 0.2,
          y2: 0.8,
          fill: "#f28e2b",
          fillOpacity: 0.25,
        }),
        Plot.ruleX(marks, { x: "t", stroke: (d) => d.label, strokeWidth: 2 }),
        // Text anchors are constants in Plot: one mark per label, the watermark's to the left.
        Plot.text([marks[0]], { x: "t", y: 1, text: "label", dy: -12, dx: -3, textAnchor: "end" }),
        Plot.text([marks[1]], { x: "t", y: 1, text: "label", dy: -12, dx: 3, textAnchor: "start" }),
      ],
    },
    `${utc(view.watermark)} · windows ending before it are final (lateness ${
      view.lateness / 60000
    } min)`,
  );
}

function drawQuality(view) {
  const rows = [];
  for (const { topic, counts } of view.countsByTopic) {
    for (const kind of QUALITY) {
      if (counts[kind] !== undefined) rows.push({ topic, kind, records: counts[kind] });
    }
  }
  const kinds = QUALITY.filter((k) => view.counts[k] !== undefined);
  draw("quality", {
    height: 40 + kinds.length * 30,
    marginLeft: 80,
    marginRight: 50,
    x: { label: "records", grid: true },
    y: { label: null, domain: kinds },
    color: topicColor,
    marks: [
      Plot.barX(rows, { y: "kind", x: "records", fill: "topic", tip: true }),
      Plot.text(kinds, {
        y: (k) => k,
        x: (k) => view.counts[k],
        text: (k) => count(view.counts[k]),
        dx: 4,
        textAnchor: "start",
      }),
      Plot.ruleX([0]),
    ],
  }, "skipped (malformed), too old for the watermark (late), seen before (duplicates)");
}

function drawKpis(view) {
  const tiles = [];
  for (const [key, label] of COUNTS) {
    if (view.counts[key] !== undefined) tiles.push([key, label, count(view.counts[key])]);
  }
  if (view.topics.includes("orders")) {
    tiles.push(["orders", "orders", count(view.orders.orders)]);
    tiles.push(["revenue", "revenue", money(view.orders.revenue)]);
  }
  tiles.push([
    "watermark",
    "watermark",
    view.watermark ? utc(view.watermark).slice(11) : "–",
    true,
  ]);
  const box = $("#kpis");
  box.replaceChildren(...tiles.map(([key, label, value, small]) => {
    const tile = document.createElement("div");
    tile.className = small ? "kpi small" : "kpi";
    tile.id = `kpi-${key}`;
    const l = document.createElement("div");
    l.className = "label";
    l.textContent = label;
    const v = document.createElement("div");
    v.className = "value";
    v.textContent = value;
    v.dataset.value = key in view.counts ? String(view.counts[key]) : "";
    tile.append(l, v);
    return tile;
  }));
}

function renderLive(view) {
  drawKpis(view);
  drawEvents(view);
  drawRevenue(view);
  drawFunnel(view);
  drawDeliveries(view);
  drawLag(view);
  drawWatermark(view);
  drawQuality(view);
  const gone = view.kafka.gone ?? [];
  if (view.kafka.state === "error") setStatus("error", `Kafka: ${view.kafka.message} (retrying)`);
  else if (gone.length > 0) {
    setStatus(
      "error",
      `Kafka: ${gone.join(", ")} gone from the broker (deleted?): ${
        gone.length > 1 ? "their" : "its"
      } panels stand still · updated ${utc(view.at)}`,
    );
  } else setStatus("live", `live · updated ${utc(view.at)}`);
}

// ---- lake panels ---------------------------------------------------------------------------

const LAKE_DRAW = {
  revenueByDay: (rows) => ({
    height: 220,
    // Days as categories: one bar per day the table has (a day without orders has no row).
    x: { type: "band", label: null, tickRotate: rows.length > 40 ? -45 : 0 },
    y: { label: "revenue", grid: true },
    color: { legend: true, scheme: "tableau10" },
    marks: [
      Plot.barY(rows, { x: "day", y: "revenue", fill: "payment_method", tip: true }),
      Plot.ruleY([0]),
    ],
  }),
  topProducts: (rows) => ({
    height: Math.max(140, rows.length * 16 + 40),
    marginLeft: 80,
    marginRight: 60,
    x: { label: "revenue", grid: true },
    y: { label: null, domain: rows.map((r) => r.product_id) },
    marks: [
      Plot.barX(rows, { y: "product_id", x: "revenue", fill: "#f28e2b", tip: true }),
      Plot.text(rows, {
        y: "product_id",
        x: "revenue",
        text: (r) => money(r.revenue),
        dx: 4,
        textAnchor: "start",
      }),
    ],
  }),
  deviceMix: (rows) => {
    const total = d3.sum(rows, (r) => r.count);
    return {
      height: 40 + rows.length * 30,
      marginLeft: 70,
      marginRight: 90,
      x: { label: "clickstream events", grid: true },
      y: { label: null, domain: rows.map((r) => r.device ?? "(null)") },
      marks: [
        Plot.barX(rows, { y: (r) => r.device ?? "(null)", x: "count", fill: "#76b7b2" }),
        Plot.text(rows, {
          y: (r) => r.device ?? "(null)",
          x: "count",
          text: (r) => `${count(r.count)} (${percent(total ? r.count / total : 0)})`,
          dx: 4,
          textAnchor: "start",
        }),
      ],
    };
  },
  returnsUsa: (rows) => ({
    height: 220,
    x: { type: "band", label: null, tickRotate: rows.length > 40 ? -45 : 0 },
    y: { label: "returns", grid: true },
    color: { legend: false, scheme: "tableau10" },
    marks: [
      Plot.barY(rows, { x: "day", y: "returns", fill: "city", tip: true }),
      Plot.ruleY([0]),
    ],
  }),
  deliveryTimes: (rows) => {
    const top = rows.slice(0, 15);
    return {
      height: Math.max(140, top.length * 18 + 50),
      marginLeft: 110,
      x: { label: "hours from pick-up to delivery", grid: true },
      y: { label: null, domain: top.map((r) => r.country) },
      marks: [
        Plot.ruleY(top, {
          y: "country",
          x1: "p50_hours",
          x2: "p90_hours",
          stroke: "#e15759",
          strokeWidth: 3,
        }),
        Plot.dot(top, { y: "country", x: "p50_hours", fill: "#e15759", r: 4, tip: true }),
        Plot.tickX(top, { y: "country", x: "mean_hours", stroke: "#1d2330" }),
      ],
    };
  },
};

const LAKE_NOTES = {
  revenueByDay: (rows) =>
    `${rows.length} day × payment method rows; total ${money(d3.sum(rows, (r) => r.revenue))}`,
  topProducts: (rows) => `top ${rows.length} products of completed orders`,
  deviceMix: () => "original cleaning (as the original notebook)",
  returnsUsa: (rows) => `${count(d3.sum(rows, (r) => r.returns))} returned deliveries in the USA`,
  deliveryTimes: (rows) =>
    `dot p50, bar to p90, tick mean; ${Math.min(rows.length, 15)} of ${rows.length} countries`,
};

let lakeRequest = 0;
let lastPass = null;

async function loadLake() {
  const mine = ++lakeRequest;
  let body;
  try {
    const response = await fetch(`/api/lake?${filterQuery(filter)}`);
    body = await response.json();
    if (!response.ok) throw new Error(body.error ?? response.statusText);
  } catch (error) {
    if (mine === lakeRequest) showFilterError(`Lake panels: ${error.message}`);
    return;
  }
  if (mine !== lakeRequest) return; // a newer filter's answer is on its way
  renderLake(body);
}

function renderLake(view) {
  lastPass = view.lastPass;
  showPass();
  $("#lake-source").textContent = `${view.lake} · ${
    view.source === "gold"
      ? "gold tables as the last NRT pass wrote them"
      : `rebuilt from curated rows ${view.range.from ? `from ${utc(view.range.from)} ` : ""}${
        view.range.to ? `to ${utc(view.range.to)}` : ""
      }`
  }${view.error ? ` · lake error: ${view.error}` : ""}`;
  for (const [id, p] of Object.entries(view.panels)) {
    if (!panel(id)) continue;
    if (p.rows === null) {
      const excluded = !view.topics.includes(p.topic);
      draw(id, excluded ? null : empty("not in the lake yet"), p.reason, excluded);
    } else if (p.rows.length === 0) draw(id, empty("no rows in this range"), `${p.table}: 0 rows`);
    else draw(id, LAKE_DRAW[id](p.rows), `${LAKE_NOTES[id](p.rows)} · ${p.table}`);
  }
}

function showPass() {
  $("#nrt-pass").textContent = lastPass
    ? `last NRT pass ${utc(lastPass)} (${ago(lastPass)})`
    : "no NRT pass yet: run deno task nrt";
}

// ---- connection ----------------------------------------------------------------------------

let source = null;

function setStatus(state, text) {
  $("#status").dataset.state = state;
  $("#status-text").textContent = text;
}

function connect() {
  source?.close();
  source = new EventSource(`/api/live?${filterQuery(filter)}`);
  source.addEventListener("live", (event) => renderLive(JSON.parse(event.data)));
  source.addEventListener("lake", () => loadLake());
  source.addEventListener("error", () => setStatus("connecting", "reconnecting…"));
}

async function showSource() {
  try {
    const info = await (await fetch("/api/info")).json();
    $("#source").textContent = `Kafka ${info.kafka}${
      info.topicPrefix ? ` (topics ${info.topicPrefix}*)` : ""
    } · ${info.window / 60000}-min windows, lateness ${info.lateness / 60000} min`;
  } catch {
    // The status line says when the server is away.
  }
}

buildFilterForm();
showSource();
connect();
loadLake();
setInterval(showPass, 1000);
