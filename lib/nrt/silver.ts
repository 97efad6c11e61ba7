/**
 * Silver: the cleaned tables, built in full from bronze or extended with the rows of new raw
 * files only (what makes a run after a few new files cheap).
 *
 * - `silver.<topic>`: the better-cleaned rows (bronze columns), one per event_id: what goes to
 *   `curated/<topic>/`;
 * - `silver.clickstream_original`, `silver.delivery_status_original`: the original cleaning
 *   (bronze columns) that the original notebooks' analyses read;
 * - `silver.delivery_status_split` (a view): the original notebook's split of
 *   `current_location` into city and country, nulls dropped, columns reordered.
 *
 * Appending gives the same tables as a full build: a new row enters `silver.<topic>` only if its
 * event_id is new, and an original-cleaned table only if no identical row is there yet.
 *
 * @module
 */
import { type Topic, TOPICS } from "../schema/events.ts";
import { bronzeSelect, tableName } from "./bronze.ts";
import { betterCleaningSql, originalCleaningSql } from "./cleaning.ts";
import type { NrtDb } from "./db.ts";
import { deliverySplitSql } from "./delivery.ts";

/** Topics whose original cleaning is kept as a silver table (the original notebooks'). */
export const ORIGINAL_TOPICS: readonly Topic[] = ["clickstream", "delivery-status"];

/** Rows per silver table. */
export interface SilverCounts {
  topic: Topic;
  /** Better-cleaned rows (`silver.<topic>`). */
  silver: number;
  /** Original-cleaned rows, for clickstream and delivery-status. */
  original?: number;
}

async function createSplitView(db: NrtDb): Promise<void> {
  await db.run(
    `CREATE OR REPLACE VIEW silver.delivery_status_split AS ${
      deliverySplitSql("silver.delivery_status_original")
    }`,
  );
}

/**
 * Builds every silver table from the bronze views. Each topic's bronze is read once (into a
 * temporary table), then both cleanings run over it.
 */
export async function buildSilver(db: NrtDb): Promise<void> {
  await db.run("CREATE SCHEMA IF NOT EXISTS silver");
  for (const topic of TOPICS) {
    const t = tableName(topic);
    await db.run(`CREATE OR REPLACE TEMP TABLE _bronze_${t} AS SELECT * FROM bronze.${t}`);
    await db.run(
      `CREATE OR REPLACE TABLE silver.${t} AS ${betterCleaningSql(topic, `_bronze_${t}`)}`,
    );
    if (ORIGINAL_TOPICS.includes(topic)) {
      await db.run(
        `CREATE OR REPLACE TABLE silver.${t}_original AS ${
          originalCleaningSql(topic, `_bronze_${t}`)
        }`,
      );
    }
    await db.run(`DROP TABLE _bronze_${t}`);
  }
  await createSplitView(db);
}

/**
 * Appends the rows of new raw files of one topic to its silver tables. The better-cleaned rows
 * that were added are left in the temporary table `_delta_<table>` (for writing `curated/`).
 * Returns how many rows were added to `silver.<topic>`.
 */
export async function appendSilver(
  db: NrtDb,
  topic: Topic,
  files: readonly string[],
): Promise<number> {
  const t = tableName(topic);
  await db.run(`CREATE OR REPLACE TEMP TABLE _new_${t} AS ${bronzeSelect(topic, files)}`);
  await db.run(`CREATE OR REPLACE TEMP TABLE _delta_${t} AS
    SELECT n.* FROM (${betterCleaningSql(topic, `_new_${t}`)}) n
    ANTI JOIN silver.${t} s ON s.event_id = n.event_id`);
  await db.run(`INSERT INTO silver.${t} SELECT * FROM _delta_${t}`);
  if (ORIGINAL_TOPICS.includes(topic)) {
    await db.run(`INSERT INTO silver.${t}_original
      ${originalCleaningSql(topic, `_new_${t}`)}
      EXCEPT
      SELECT s.* FROM silver.${t}_original s
      SEMI JOIN (SELECT DISTINCT event_id FROM _new_${t}) n
        ON s.event_id IS NOT DISTINCT FROM n.event_id`);
  }
  await db.run(`DROP TABLE _new_${t}`);
  return Number(await db.value(`SELECT count(*) FROM _delta_${t}`));
}

/** Row counts of the silver tables. */
export async function silverCounts(db: NrtDb): Promise<SilverCounts[]> {
  const out: SilverCounts[] = [];
  for (const topic of TOPICS) {
    const t = tableName(topic);
    const silver = Number(await db.value(`SELECT count(*) FROM silver.${t}`));
    const original = ORIGINAL_TOPICS.includes(topic)
      ? Number(await db.value(`SELECT count(*) FROM silver.${t}_original`))
      : undefined;
    out.push({ topic, silver, ...(original === undefined ? {} : { original }) });
  }
  return out;
}
