/**
 * Silver: the cleaned tables, built in full from bronze or extended with the rows of new raw
 * files only (what makes a run after a few new files cheap).
 *
 * - `silver.<topic>`: the better-cleaned rows (bronze columns and `event_key`, the identity), one
 *   per event: what goes to `curated/<topic>/` (without `event_key`);
 * - `silver.clickstream_original`, `silver.delivery_status_original`: the original cleaning
 *   (the original data frame's columns) that the original notebooks' analyses read;
 * - `silver.delivery_status_split` (a view): the original notebook's split of
 *   `current_location` into city and country, nulls dropped, columns reordered.
 *
 * Appending gives the same tables as a full build: a new row enters `silver.<topic>` if its
 * identity is new (or replaces the known row when it sorts before it, as a full build would
 * keep it), and an original-cleaned table only if no identical row is there yet.
 *
 * A full build reads bronze once, into `silver.<topic>`, then deletes the rows repeating an
 * identity: it ranks only the rows whose identity occurs more than once (about 1% of them), and
 * de-duplicates for the original cleaning only the rows whose key field and timestamp occur more
 * than once, not every row.
 *
 * @module
 */
import { type Topic, TOPICS } from "../schema/events.ts";
import { bronzeSelect, tableName } from "./bronze.ts";
import {
  BETTER_ORDER,
  betterCleaningSql,
  eventKeySql,
  originalCleaningSql,
  originalColumns,
  originalDuplicateKey,
  originalNotNull,
} from "./cleaning.ts";
import { type NrtDb, sqlName } from "./db.ts";
import { deliverySplitSql } from "./delivery.ts";
import { setState } from "./state.ts";

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
 * The original cleaning of `relation` as a full build runs it: identical rows share their key
 * field and timestamp, so only rows whose pair is repeated (in `dups`) can be duplicates and go
 * through DISTINCT. Same rows as {@linkcode originalCleaningSql}.
 */
function originalCleaningByDupsSql(topic: Topic, relation: string, dups: string): string {
  const columns = originalColumns(topic).map(sqlName).join(", ");
  const notNull = originalNotNull(topic);
  const key = originalDuplicateKey(topic);
  return `SELECT ${columns} FROM ${relation} ANTI JOIN ${dups} USING (${key}) WHERE ${notNull}
    UNION ALL
    SELECT DISTINCT ${columns} FROM ${relation} SEMI JOIN ${dups} USING (${key})
      WHERE ${notNull}`;
}

/**
 * Builds every silver table from the bronze views, in two steps that each read or write a
 * table once (no copy of bronze in memory):
 *
 * 1. {@linkcode loadSilver}, committed on its own: bronze's rows, all of them, into
 *    `silver.<topic>` with their identity;
 * 2. {@linkcode dedupSilver}, in the caller's transaction (with gold): the original cleanings
 *    from those rows, then the rows repeating an identity deleted from `silver.<topic>`.
 *
 * Deleting ~1% of the rows of a table written in the same transaction makes DuckDB rewrite it on
 * commit (about half of silver's time); deleted in the next transaction, they cost a note of the
 * rows gone. The original cleanings also read the committed rows: built in the transaction that
 * wrote them, they took 0.83 s of a 1M-event pass, from committed rows 0.45 s. Runs outside a
 * transaction.
 */
export async function buildSilver(db: NrtDb): Promise<void> {
  await loadSilver(db);
  await db.transaction(() => dedupSilver(db));
}

/**
 * Step 1 of {@linkcode buildSilver}, in a transaction of its own: every bronze row into
 * `silver.<topic>` with its `event_key`. Until step 2
 * commits, silver is marked unbuilt (`meta.state`), so a pass that stops in between leaves the
 * next pass a full build.
 */
export async function loadSilver(db: NrtDb): Promise<void> {
  // Silver has no row order: let DuckDB build it in parallel without keeping one (faster, and
  // less memory). Set and reset outside the transaction: a failed statement aborts it, and a
  // reset inside would fail in turn and hide the statement's error.
  await db.run("SET preserve_insertion_order = false");
  try {
    await db.transaction(async () => {
      await setState(db, "silver", null);
      await db.run("CREATE SCHEMA IF NOT EXISTS silver");
      for (const topic of TOPICS) {
        const t = tableName(topic);
        await db.run(`CREATE OR REPLACE TABLE silver.${t} AS
          SELECT *, ${eventKeySql(topic)} AS event_key FROM bronze.${t}`);
      }
    });
  } finally {
    await db.run("RESET preserve_insertion_order");
  }
}

/**
 * Step 2 of {@linkcode buildSilver}: `silver.<topic>_original` from the loaded rows (every
 * bronze row); then in `silver.<topic>`, of the rows sharing an identity, all but the one the
 * better cleaning keeps (the smallest in {@linkcode BETTER_ORDER}) deleted; only identities found
 * more than once are ranked. Creates the split view.
 */
export async function dedupSilver(db: NrtDb): Promise<void> {
  for (const topic of TOPICS) {
    const t = tableName(topic);
    if (ORIGINAL_TOPICS.includes(topic)) {
      const key = originalDuplicateKey(topic);
      await db.run(`CREATE OR REPLACE TEMP TABLE _odups_${t} AS SELECT ${key}
          FROM silver.${t} WHERE ${originalNotNull(topic)} GROUP BY ALL HAVING count(*) > 1;
        CREATE OR REPLACE TABLE silver.${t}_original AS
          ${originalCleaningByDupsSql(topic, `silver.${t}`, `_odups_${t}`)};
        DROP TABLE _odups_${t};`);
    }
    await db.run(`CREATE OR REPLACE TEMP TABLE _dups_${t} AS SELECT event_key FROM silver.${t}
        GROUP BY event_key HAVING count(*) > 1;
      DELETE FROM silver.${t} WHERE rowid IN (
        SELECT rowid FROM silver.${t} SEMI JOIN _dups_${t} USING (event_key)
        QUALIFY row_number() OVER (PARTITION BY event_key ORDER BY ${BETTER_ORDER}) > 1);
      DROP TABLE _dups_${t};`);
  }
  await createSplitView(db);
}

/** What {@linkcode appendSilver} changed in one topic's silver tables. */
export interface SilverAppend {
  /** Rows added to `silver.<topic>` (left in `_delta_<table>`). */
  added: number;
  /**
   * Rows of `silver.<topic>` replaced by a new row with the same identity that sorts before
   * them (a full build keeps the smallest): gold reading them must be rebuilt, and curated
   * rewritten, since the old rows are gone.
   */
  replaced: number;
  /** Rows added to `silver.<topic>_original` (left in `_delta_<table>_original`). */
  addedOriginal: number;
}

/** SQL: does row `n` sort strictly before row `s` in the better cleaning's order? */
function sortsBefore(n: string, s: string): string {
  const hour = (a: string) =>
    `(${a}.year::BIGINT * 1000000 + ${a}.month * 10000 + ${a}.day * 100 + ${a}.hour)`;
  return `(${hour(n)} < ${hour(s)} OR (${hour(n)} = ${hour(s)} AND ${n}."timestamp" IS NOT NULL
    AND (${s}."timestamp" IS NULL OR ${n}."timestamp" < ${s}."timestamp")))`;
}

/**
 * Appends the rows of new raw files of one topic to its silver tables, as a full build would
 * have them: a row with a new identity is added; one whose identity is known replaces the known
 * row only if it sorts before it. The rows added are left in the temporary tables
 * `_delta_<table>` (better) and `_delta_<table>_original` (original cleaning), for writing
 * `curated/` and refreshing gold.
 */
export async function appendSilver(
  db: NrtDb,
  topic: Topic,
  files: readonly string[],
): Promise<SilverAppend> {
  const t = tableName(topic);
  await db.run(`CREATE OR REPLACE TEMP TABLE _new_${t} AS ${bronzeSelect(topic, files)};
    CREATE OR REPLACE TEMP TABLE _cand_${t} AS ${betterCleaningSql(topic, `_new_${t}`)};
    CREATE OR REPLACE TEMP TABLE _known_${t} AS
      SELECT n.event_key, ${sortsBefore("n", "s")} AS earlier
      FROM silver.${t} s JOIN _cand_${t} n ON s.event_key = n.event_key;
    CREATE OR REPLACE TEMP TABLE _delta_${t} AS SELECT * FROM _cand_${t}
      ANTI JOIN (SELECT event_key FROM _known_${t} WHERE NOT earlier) k USING (event_key);`);
  const replaced = Number(
    await db.value(`SELECT count(*) FROM _known_${t} WHERE earlier`),
  );
  if (replaced > 0) {
    await db.run(`DELETE FROM silver.${t}
      WHERE event_key IN (SELECT event_key FROM _known_${t} WHERE earlier)`);
  }
  await db.run(`INSERT INTO silver.${t} SELECT * FROM _delta_${t}`);
  let addedOriginal = 0;
  if (ORIGINAL_TOPICS.includes(topic)) {
    // An identical row shares the key field and timestamp: only rows with a pair of the new
    // rows can be there already.
    const key = originalDuplicateKey(topic);
    await db.run(`CREATE OR REPLACE TEMP TABLE _delta_${t}_original AS
        ${originalCleaningSql(topic, `_new_${t}`)}
        EXCEPT
        SELECT * FROM silver.${t}_original SEMI JOIN (SELECT DISTINCT ${key} FROM _new_${t}) k
          USING (${key});
      INSERT INTO silver.${t}_original SELECT * FROM _delta_${t}_original;`);
    addedOriginal = Number(await db.value(`SELECT count(*) FROM _delta_${t}_original`));
  }
  await db.run(`DROP TABLE _new_${t}; DROP TABLE _cand_${t}; DROP TABLE _known_${t};`);
  const added = Number(await db.value(`SELECT count(*) FROM _delta_${t}`));
  return { added, replaced, addedOriginal };
}

/** Row counts of the silver tables (one query). */
export async function silverCounts(db: NrtDb): Promise<SilverCounts[]> {
  const [row] = await db.rows<Record<string, number>>(`SELECT ${
    TOPICS.flatMap((topic) => {
      const t = tableName(topic);
      return [
        `(SELECT count(*) FROM silver.${t}) AS ${t}`,
        ...(ORIGINAL_TOPICS.includes(topic)
          ? [`(SELECT count(*) FROM silver.${t}_original) AS ${t}_original`]
          : []),
      ];
    }).join(", ")
  }`);
  return TOPICS.map((topic) => {
    const t = tableName(topic);
    const silver = Number(row[t]);
    return ORIGINAL_TOPICS.includes(topic)
      ? { topic, silver, original: Number(row[`${t}_original`]) }
      : { topic, silver };
  });
}
