/**
 * The event-time rule's Spark translation (`databricks/_common.py`) agrees with the TypeScript
 * rule on the same inputs in every zone, run on local PySpark with ANSI mode on (Spark 4's
 * default): no input makes it fail, and every answer is the same.
 */
import assert from "node:assert/strict";
import { parseEventTimeText } from "../../lib/schema/event_time.ts";
import { runDatabricksNotebooks } from "../../lib/parity/mod.ts";
import { withTempDir } from "../_helpers.ts";
import { CHECK_ZONES, eventTimeInputs } from "../schema/_event_time_inputs.ts";

Deno.test({
  name: "Spark's event time agrees with the TypeScript rule on the same inputs, in every zone",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withTempDir(async (dir) => {
      const values = eventTimeInputs(20261127, 1500);
      await Deno.writeTextFile(`${dir}/inputs.json`, JSON.stringify(values));
      await runDatabricksNotebooks(["tests/parity/_spark_event_time.py"], {
        lakeRoot: dir,
        widgets: {
          zones: CHECK_ZONES.join(","),
          inputs: `${dir}/inputs.json`,
          results: `${dir}/results.json`,
        },
        displayRows: 0,
      });
      const results: Record<string, Array<number | null>> = JSON.parse(
        await Deno.readTextFile(`${dir}/results.json`),
      );
      assert.deepEqual(Object.keys(results), CHECK_ZONES);
      for (const zone of CHECK_ZONES) {
        const wrong = values.map((v, i) => ({ v, spark: results[zone][i] }))
          .filter(({ v, spark }) => spark !== parseEventTimeText(v, zone))
          .map(({ v, spark }) =>
            `${JSON.stringify(v)}: spark ${spark}, expected ${parseEventTimeText(v, zone)}`
          );
        assert.deepEqual(wrong.slice(0, 10), [], `${zone}: ${wrong.length} differ`);
      }
    }),
});
