-- The DuckDB peer of `ptuplan compare`: it does less than ptuplan (per-token costs per workload
-- and deployment type, per-minute weighted demand, and a minute-level sweep of 40 PTU counts
-- per workload), so a ratio ptuplan / peer below 1 means ptuplan does more in less time.
-- Placeholders filled by bench/run.py: {log} (a CSV or JSON Lines file), {reader}
-- (read_csv or read_json) and {tokens} (the token columns, flat in CSV, nested in `usage` in
-- JSON Lines).
WITH log AS (
    SELECT deployment, model, region,
           epoch_ms(CAST("timestamp" AS TIMESTAMP)) // 60000 AS minute,
           {tokens}, status
    FROM {reader}('{log}')
    WHERE status IS NULL OR (status >= 200 AND status < 300)
),
prices(kind, input_usd_per_1m, cached_usd_per_1m, output_usd_per_1m) AS (
    VALUES ('global-standard', 2.00, 0.50, 8.00),
           ('data-zone-standard', 2.20, 0.55, 8.80),
           ('regional-standard', 2.20, 0.55, 8.80),
           ('global-batch', 1.00, 0.25, 4.00),
           ('data-zone-batch', 1.10, 0.275, 4.40)
),
totals AS (
    SELECT deployment, model, region,
           sum(prompt_tokens - coalesce(cached_tokens, 0)) AS uncached,
           sum(coalesce(cached_tokens, 0)) AS cached,
           sum(completion_tokens) AS completion
    FROM log GROUP BY ALL
),
costs AS (
    SELECT t.deployment, t.model, t.region, p.kind,
           (t.uncached * p.input_usd_per_1m + t.cached * p.cached_usd_per_1m
            + t.completion * p.output_usd_per_1m) / 1e6 AS cost_usd
    FROM totals t CROSS JOIN prices p
),
minutes AS (
    SELECT deployment, model, region, minute,
           sum(prompt_tokens - coalesce(cached_tokens, 0)) + 4 * sum(completion_tokens) AS weighted
    FROM log GROUP BY ALL
),
counts AS (SELECT 15 + 5 * range AS ptus FROM range(40)),
sweep AS (
    SELECT m.deployment, m.model, m.region, c.ptus,
           count(*) FILTER (WHERE m.weighted > c.ptus * 3000) AS minutes_over
    FROM minutes m CROSS JOIN counts c GROUP BY ALL
)
SELECT (SELECT count(*) FROM costs) AS cost_rows,
       (SELECT sum(cost_usd) FROM costs) AS total_cost_usd,
       (SELECT max(weighted) FROM minutes) AS peak_minute,
       (SELECT sum(minutes_over) FROM sweep) AS minutes_over;
