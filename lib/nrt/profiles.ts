/**
 * User-profile gold tables (TABLES.md "user-profiles"), over the better-cleaned profiles: the
 * latest profile per user, action counts, the preferred-category mix, and revenue per preferred
 * category (joined with completed orders).
 *
 * @module
 */
import type { GoldTable } from "./_gold.ts";

/**
 * The latest profile of each user in `relation` (rows of `silver.user_profiles`), unordered: the
 * latest event time, ties broken by the greatest event_id, then (for records without one, such
 * as the original producers') by the greatest values of the other fields, so the choice never
 * depends on row order.
 */
function latestSql(relation: string): string {
  return `SELECT user_id, "timestamp", action, details.email AS email, details.name AS name,
      details.preferred_category AS preferred_category
    FROM ${relation}
    WHERE user_id IS NOT NULL AND event_time IS NOT NULL AND details IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY user_id ORDER BY event_time DESC,
      event_id DESC NULLS LAST, "timestamp" DESC, action DESC NULLS LAST,
      details.email DESC NULLS LAST, details.name DESC NULLS LAST,
      details.preferred_category DESC NULLS LAST) = 1`;
}

/** User-profile gold tables. */
export const PROFILES_GOLD: GoldTable[] = [
  {
    name: "profiles_latest",
    topic: "user-profiles",
    cleaning: "better",
    sql: `${latestSql("silver.user_profiles")} ORDER BY user_id`,
    // Only the users with new profile rows are looked at again.
    refresh: `CREATE OR REPLACE TEMP TABLE _users AS
        SELECT DISTINCT user_id FROM _delta_user_profiles WHERE user_id IS NOT NULL;
      CREATE OR REPLACE TABLE gold.profiles_latest AS SELECT * FROM (
        SELECT * FROM gold.profiles_latest ANTI JOIN _users USING (user_id)
        UNION ALL ${
      latestSql("(SELECT * FROM silver.user_profiles SEMI JOIN _users USING (user_id))")
    })
      ORDER BY user_id;
      DROP TABLE _users;`,
  },
  {
    name: "profile_action_counts",
    topic: "user-profiles",
    cleaning: "better",
    sql: `SELECT action, count(*) AS count FROM silver.user_profiles WHERE action IS NOT NULL
      GROUP BY action ORDER BY count DESC, action`,
  },
  {
    name: "preferred_category_mix",
    topic: "user-profiles",
    cleaning: "better",
    sql: `SELECT preferred_category, count(*) AS users,
        count(*)::DOUBLE / sum(count(*)) OVER () AS share
      FROM gold.profiles_latest WHERE preferred_category IS NOT NULL
      GROUP BY preferred_category ORDER BY users DESC, preferred_category`,
  },
  {
    name: "revenue_by_preferred_category",
    topic: "user-profiles",
    inputs: ["user-profiles", "orders"],
    cleaning: "better",
    sql: `SELECT p.preferred_category, count(DISTINCT o.user_id) AS customers, count(*) AS orders,
        round(sum(o.total_amount), 2) AS revenue
      FROM silver.orders o JOIN gold.profiles_latest p ON o.user_id = p.user_id
      WHERE o.status = 'completed' AND o.user_id IS NOT NULL AND o.total_amount IS NOT NULL
        AND p.preferred_category IS NOT NULL
      GROUP BY p.preferred_category ORDER BY revenue DESC, p.preferred_category`,
  },
];
