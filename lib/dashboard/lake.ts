/**
 * The lake panels: the near-real-time gold tables, read through DuckDB from a local mirror of the
 * lake (as Power BI read the original project's `analysis/` folder).
 *
 * - **Without a time range** each panel shows its gold table as the last NRT pass wrote it to
 *   `analysis/parquet/<table>/` (by `deno task nrt` or the Databricks notebooks): revenue by day
 *   (`orders_revenue_by_day`), top products (`orders_top_products`), device mix
 *   (`clickstream_by_device`), returns in the USA per day and city (`returns_usa`), delivery times
 *   by country (`delivery_time_by_country`).
 * - **With a time range** the same tables are built by lib/nrt's own definitions
 *   (`GOLD_TABLES`, `buildGold`) over the silver rows the NRT pass wrote to `curated/`, restricted
 *   to events whose `timestamp` lies in the range; the original cleaning (device mix, US returns)
 *   is lib/nrt's `originalCleaningSql` over those rows. Over a range that holds every event, this
 *   gives the gold tables themselves (a test checks it).
 * - **Topics**: a panel whose topic is not selected carries no rows, only the reason.
 *
 * The time of the last NRT pass is the newest file time in `analysis/parquet/`. `refresh()`
 * mirrors what changed (and `curated/` once a range was asked for); queries and refreshes run one
 * at a time, so a query never reads a half-updated mirror.
 *
 * @module
 */
import type { LakeStorage } from "../lake/storage.ts";
import {
  bronzeColumnNames,
  buildGold,
  deliverySplitSql,
  emptyBronzeSelect,
  GOLD_TABLES,
  NrtDb,
  originalCleaningSql,
  sqlString,
  tableName,
} from "../nrt/mod.ts";
import { isoOrNull } from "../realtime/mod.ts";
import { type Topic, TOPICS } from "../schema/events.ts";
import { type Filter, filterKey, hasRange, resolveRange, type TimeRange } from "./filter.ts";
import { mirrorFolder } from "./mirror.ts";

/** One lake panel: its gold table and the query drawing it (over `gold.<table>`). */
export interface LakePanelSpec {
  id: string;
  topic: Topic;
  /** The gold table it shows. */
  table: string;
  /** Gold tables to build for it over a range, in build order (default `[table]`). */
  builds?: readonly string[];
  /** The rows it draws, from `gold.<table>`. */
  sql: string;
}

/** The lake panels, in page order. */
export const LAKE_PANELS: readonly LakePanelSpec[] = [
  {
    id: "revenueByDay",
    topic: "orders",
    table: "orders_revenue_by_day",
    sql: `SELECT day, payment_method, orders, revenue FROM gold.orders_revenue_by_day
      ORDER BY day, payment_method`,
  },
  {
    id: "topProducts",
    topic: "orders",
    table: "orders_top_products",
    builds: ["order_items", "orders_top_products"],
    sql: `SELECT product_id, units, revenue, orders FROM gold.orders_top_products
      ORDER BY revenue DESC, product_id`,
  },
  {
    id: "deviceMix",
    topic: "clickstream",
    table: "clickstream_by_device",
    sql: `SELECT device, count FROM gold.clickstream_by_device ORDER BY count DESC, device`,
  },
  {
    id: "returnsUsa",
    topic: "delivery-status",
    table: "returns_usa",
    sql: `SELECT substr("timestamp", 1, 10) AS day, city, count(*) AS returns
      FROM gold.returns_usa GROUP BY ALL ORDER BY day, city`,
  },
  {
    id: "deliveryTimes",
    topic: "delivery-status",
    table: "delivery_time_by_country",
    sql: `SELECT country, deliveries, p50_hours, p90_hours, mean_hours
      FROM gold.delivery_time_by_country ORDER BY deliveries DESC, country`,
  },
];

/** A panel's rows, or why it has none. */
export interface LakePanel {
  topic: Topic;
  table: string;
  rows: Array<Record<string, unknown>> | null;
  /** Why `rows` is null. */
  reason?: string;
}

/** Everything the lake panels draw, JSON-ready. */
export interface LakeView {
  /** Clock time the view was built (ISO). */
  at: string;
  /** The lake, safe to print. */
  lake: string;
  /** The newest file time of `analysis/parquet/` (ISO): the last NRT pass that wrote. */
  lastPass: string | null;
  /** `gold` (the tables as written) or `curated` (lib/nrt's definitions over the range's rows). */
  source: "gold" | "curated";
  range: { from: string | null; to: string | null };
  topics: Topic[];
  panels: Record<string, LakePanel>;
}

/** Options of {@linkcode LakePanels}. */
export interface LakePanelsOptions {
  /** The lake to read (closed by the caller). */
  lake: LakeStorage;
  /** The mirror and DuckDB's work folder. */
  dir: string;
  /** `KAFKA_TOPIC_PREFIX`: the curated folders are `curated/<prefix><topic>/`. @default "" */
  topicPrefix?: string;
  /** How long a view of a `last` range is reused, ms. @default 10000 */
  cacheMs?: number;
  /** Wall clock, epoch ms. @default Date.now */
  now?: () => number;
}

/** Reads the lake panels (see the module doc). */
export class LakePanels {
  readonly #lake: LakeStorage;
  readonly #dir: string;
  readonly #prefix: string;
  readonly #cacheMs: number;
  readonly #now: () => number;
  #queue: Promise<unknown> = Promise.resolve();
  #version = 0;
  #lastPass: number | null = null;
  #curated = false;
  readonly #cache = new Map<string, { at: number; view: LakeView }>();

  constructor(options: LakePanelsOptions) {
    this.#lake = options.lake;
    this.#dir = options.dir;
    this.#prefix = options.topicPrefix ?? "";
    this.#cacheMs = options.cacheMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Goes up by one each time the mirror changes. */
  get version(): number {
    return this.#version;
  }

  /** The last NRT pass (epoch ms), null before any. */
  get lastPass(): number | null {
    return this.#lastPass;
  }

  /** Runs `fn` after everything queued before it. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Mirrors what changed in the lake; returns whether anything did. */
  refresh(): Promise<boolean> {
    return this.#serial(() => this.#refresh());
  }

  async #refresh(): Promise<boolean> {
    const analysis = await mirrorFolder(this.#lake, "analysis/parquet/", this.#dir);
    this.#lastPass = analysis.newest;
    let changed = analysis.changed;
    if (this.#curated) {
      changed = (await mirrorFolder(this.#lake, "curated/", this.#dir)).changed || changed;
    }
    if (changed) {
      this.#version++;
      this.#cache.clear();
    }
    return changed;
  }

  /** The lake view for one filter. */
  view(filter: Filter): Promise<LakeView> {
    return this.#serial(async () => {
      const key = filterKey(filter);
      const now = this.#now();
      const hit = this.#cache.get(key);
      if (hit && (filter.last === undefined || now - hit.at < this.#cacheMs)) return hit.view;
      if (hasRange(filter) && !this.#curated) {
        this.#curated = true;
        await this.#refresh();
      }
      const view = await this.#build(filter, resolveRange(filter, now), now);
      if (this.#cache.size >= 32) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(key, { at: now, view });
      return view;
    });
  }

  async #build(filter: Filter, range: TimeRange, now: number): Promise<LakeView> {
    const ranged = hasRange(filter);
    const db = await NrtDb.open({ workDir: `${this.#dir}/duckdb` });
    try {
      await db.run("SET TimeZone = 'UTC'; CREATE SCHEMA gold; CREATE SCHEMA silver");
      const panels = LAKE_PANELS.filter((p) => filter.topics.includes(p.topic));
      const present = ranged
        ? await this.#buildRange(db, panels, range)
        : await this.#goldViews(db, panels);
      const out: Record<string, LakePanel> = {};
      for (const p of LAKE_PANELS) {
        const base = { topic: p.topic, table: p.table };
        if (!filter.topics.includes(p.topic)) {
          out[p.id] = { ...base, rows: null, reason: `${p.topic} is not in the topic filter` };
        } else if (!present.has(p.table)) {
          out[p.id] = {
            ...base,
            rows: null,
            reason: `analysis/parquet/${p.table}/ is not in the lake yet: run deno task nrt`,
          };
        } else out[p.id] = { ...base, rows: await db.rows(p.sql) };
      }
      return {
        at: new Date(now).toISOString(),
        lake: this.#lake.description,
        lastPass: isoOrNull(this.#lastPass),
        source: ranged ? "curated" : "gold",
        range: { from: isoOrNull(range.from), to: isoOrNull(range.to) },
        topics: [...filter.topics],
        panels: out,
      };
    } finally {
      db.close();
    }
  }

  /** Views `gold.<table>` over the mirrored analysis files; returns the tables present. */
  async #goldViews(db: NrtDb, panels: readonly LakePanelSpec[]): Promise<Set<string>> {
    const present = new Set<string>();
    for (const p of panels) {
      const glob = `${this.#dir}/analysis/parquet/${p.table}/*.parquet`;
      if (!(await hasFiles(db, glob))) continue;
      await db.run(
        `CREATE VIEW gold.${p.table} AS SELECT * FROM read_parquet(${sqlString(glob)})`,
      );
      present.add(p.table);
    }
    return present;
  }

  /**
   * Silver views over the mirrored curated rows in `range`, then lib/nrt's gold tables of the
   * panels built over them; returns the tables built (all the panels need, once NRT has run).
   */
  async #buildRange(
    db: NrtDb,
    panels: readonly LakePanelSpec[],
    range: TimeRange,
  ): Promise<Set<string>> {
    if (this.#lastPass === null) return new Set();
    const time = `epoch_ms(TRY_CAST("timestamp" AS TIMESTAMPTZ))`;
    const where = [
      range.from !== undefined ? `${time} >= ${range.from}` : "",
      range.to !== undefined ? `${time} < ${range.to}` : "",
    ].filter(Boolean).join(" AND ") || "true";
    for (const topic of TOPICS) {
      const glob = `${this.#dir}/curated/${this.#prefix}${topic}/**/*.parquet`;
      const columns = bronzeColumnNames(topic).map((c) => `"${c}"`).join(", ");
      const select = (await hasFiles(db, glob))
        ? `SELECT ${columns} FROM read_parquet(${sqlString(glob)}, hive_partitioning = true,
            hive_types = {'year': INTEGER, 'month': INTEGER, 'day': INTEGER}) WHERE ${where}`
        : emptyBronzeSelect(topic);
      await db.run(`CREATE VIEW silver.${tableName(topic)} AS ${select}`);
    }
    await db.run(`CREATE VIEW silver.clickstream_original AS
        ${originalCleaningSql("clickstream", "silver.clickstream")};
      CREATE VIEW silver.delivery_status_original AS
        ${originalCleaningSql("delivery-status", "silver.delivery_status")};
      CREATE VIEW silver.delivery_status_split AS
        ${deliverySplitSql("silver.delivery_status_original")};`);
    const names = new Set(panels.flatMap((p) => p.builds ?? [p.table]));
    await buildGold(db, GOLD_TABLES.filter((g) => names.has(g.name)));
    return new Set(panels.map((p) => p.table));
  }
}

async function hasFiles(db: NrtDb, glob: string): Promise<boolean> {
  return Number(await db.value(`SELECT count(*) FROM glob(${sqlString(glob)})`)) > 0;
}
