/** Reading an NRT work folder's tables back, for tests that compare passes with a full run. */
import { GOLD_TABLES, NrtDb, queryRows } from "../../lib/nrt/mod.ts";

/** Every silver table (both cleanings) and every gold table of the database in `workDir`. */
export async function nrtTables(
  workDir: string,
): Promise<Record<string, Array<Record<string, unknown>>>> {
  const db = await NrtDb.open({ path: `${workDir}/nrt.duckdb`, workDir });
  try {
    const out: Record<string, Array<Record<string, unknown>>> = {};
    for (
      const t of [
        "clickstream",
        "orders",
        "user_profiles",
        "delivery_status",
        "clickstream_original",
        "delivery_status_original",
      ]
    ) {
      out[`silver.${t}`] = await queryRows(db, `SELECT * FROM silver.${t}`);
    }
    for (const { name } of GOLD_TABLES) {
      out[name] = await queryRows(db, `SELECT * FROM gold.${name}`);
    }
    return out;
  } finally {
    db.close();
  }
}
