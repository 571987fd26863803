-- ptuplan: pre-aggregate a per-request usage table to the per-second canonical aggregate
-- (one row per second x deployment x model x region), for Spark SQL on Databricks or Synapse.
--
-- Input: a table or view `usage_log` with ptuplan's per-request columns (rename yours in a
-- view first): timestamp (TIMESTAMP, UTC), deployment, model, region, prompt_tokens,
-- cached_tokens, cache_write_tokens, completion_tokens, reasoning_tokens, max_completion_tokens
-- (may be NULL), status (HTTP status; NULL = success).
-- Output: ptuplan's aggregate columns (max_tokens_sum / max_tokens_requests let the replay
-- charge each second's admission estimates exactly); write it as CSV or Parquet and run
--   ptuplan compare per-second.parquet
-- At most 86,400 rows per deployment and day (2.6M per 30-day month), whatever the request
-- count. Set spark.sql.session.timeZone=UTC so bucket_start is written in UTC.
--
-- The same SELECT runs unchanged on DuckDB (CI tests it there: queries/check_per_second.py).
SELECT
  date_trunc('SECOND', timestamp) AS bucket_start,
  'second' AS bucket,
  deployment,
  model,
  region,
  count(*) AS requests,
  sum(CASE WHEN status IS NULL OR status BETWEEN 200 AND 299 THEN prompt_tokens ELSE 0 END) AS prompt_tokens,
  sum(CASE WHEN status IS NULL OR status BETWEEN 200 AND 299 THEN cached_tokens ELSE 0 END) AS cached_tokens,
  sum(CASE WHEN status IS NULL OR status BETWEEN 200 AND 299 THEN cache_write_tokens ELSE 0 END) AS cache_write_tokens,
  sum(CASE WHEN status IS NULL OR status BETWEEN 200 AND 299 THEN completion_tokens ELSE 0 END) AS completion_tokens,
  sum(CASE WHEN status IS NULL OR status BETWEEN 200 AND 299 THEN reasoning_tokens ELSE 0 END) AS reasoning_tokens,
  count_if(status = 429) AS status_429,
  count_if(status BETWEEN 400 AND 499 AND status <> 429) AS status_4xx,
  count_if(status >= 500 OR (status >= 100 AND status < 200) OR (status >= 300 AND status < 400)) AS status_5xx,
  max(CASE WHEN status IS NULL OR status BETWEEN 200 AND 299 THEN max_completion_tokens END) AS max_tokens_max,
  coalesce(sum(CASE WHEN status IS NULL OR status BETWEEN 200 AND 299 THEN max_completion_tokens END), 0) AS max_tokens_sum,
  count_if((status IS NULL OR status BETWEEN 200 AND 299) AND max_completion_tokens IS NOT NULL) AS max_tokens_requests
FROM usage_log
GROUP BY date_trunc('SECOND', timestamp), deployment, model, region
ORDER BY bucket_start, deployment, model, region
