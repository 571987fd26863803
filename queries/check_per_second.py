#!/usr/bin/env python3
"""CI check of queries/spark-per-second.sql on a generated log, run on DuckDB (the twin).

1. `ptuplan sample` writes a per-request log (several workloads, bursts, failed requests).
2. DuckDB runs the Spark SQL file unchanged over a view `usage_log` of that log and writes
   the per-second aggregate as CSV and as Parquet.
3. ptuplan replays the raw log and both aggregates. Per-token costs must agree exactly (within
   LONG_CONTEXT_SHARE for workloads with long-context requests); the
   PTU count of every provisioned option must agree within the documented tolerance
   (TOLERANCE below, also in queries/README.md).

Usage: check_per_second.py PTUPLAN_BINARY [WORKDIR]. Needs `duckdb` (pip, pinned in .ci/run).
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

# PTU counts from per-second aggregates may differ from per-request ones by at most one
# scale increment of the type, or 10% of the per-request count, whichever is larger: arrivals
# inside a second are redrawn (Poisson) and sizes inside a second are averaged.
TOLERANCE_SHARE = 0.10
# Per-token costs agree exactly, except for workloads with long-context requests (prompt above
# the model's threshold): averaged into a bucket, such a request cannot be told apart, so their
# cost may differ by at most this share (the aggregate's granularity_note says so).
LONG_CONTEXT_SHARE = 0.05

HERE = Path(__file__).resolve().parent


def compare(ptuplan, log):
    out = subprocess.run(
        [ptuplan, "compare", str(log), "--format", "json", "--quiet"],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout)


def main():
    ptuplan = sys.argv[1]
    work = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp())
    work.mkdir(parents=True, exist_ok=True)
    raw = work / "raw.csv"
    subprocess.run(
        [ptuplan, "sample", "--quiet", "--days", "1", "--requests", "200000", "--seed", "11", "--out", str(raw)],
        check=True,
    )
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    # The log's columns as the query expects them (the only DuckDB-specific part).
    con.execute(
        f"""CREATE VIEW usage_log AS SELECT
              CAST(timestamp AS TIMESTAMPTZ)::TIMESTAMP AS timestamp, deployment, model, region,
              prompt_tokens, cached_tokens, cache_write_tokens, completion_tokens,
              reasoning_tokens, max_completion_tokens, status
            FROM read_csv('{raw}', header = true)"""
    )
    sql = (HERE / "spark-per-second.sql").read_text()
    agg_csv, agg_parquet = work / "per-second.csv", work / "per-second.parquet"
    con.execute(f"COPY ({sql}) TO '{agg_csv}' (HEADER)")
    con.execute(f"COPY ({sql}) TO '{agg_parquet}' (FORMAT PARQUET, COMPRESSION SNAPPY)")
    rows = con.execute(f"SELECT count(*) FROM '{agg_parquet}'").fetchone()[0]
    requests = con.execute("SELECT count(*) FROM usage_log").fetchone()[0]
    print(f"per-second aggregate: {rows} rows from {requests} requests")

    base = compare(ptuplan, raw)
    failures = []
    for agg in (agg_csv, agg_parquet):
        report = compare(ptuplan, agg)
        if report["input"]["granularity"] != "second":
            failures.append(f"{agg.name}: granularity {report['input']['granularity']}")
        for wa, wb in zip(base["workloads"], report["workloads"]):
            name = f"{agg.name} {wa['deployment']}"
            for key in ("requests", "failed_requests", "prompt_tokens", "cached_tokens", "completion_tokens", "reasoning_tokens"):
                if wa[key] != wb[key]:
                    failures.append(f"{name}: {key} {wa[key]} != {wb[key]}")
            options = {o["id"]: o for o in wb["options"]}
            for oa in wa["options"]:
                ob = options[oa["id"]]
                if oa["billing"] == "per-token":
                    if wa["long_context_requests"] == 0:
                        if oa["cost_usd"] != ob["cost_usd"]:
                            failures.append(f"{name} {oa['id']}: cost {oa['cost_usd']} != {ob['cost_usd']}")
                    elif oa["cost_usd"] is not None and ob["cost_usd"] is not None:
                        # A long-context request is decided by its own prompt, which a bucket
                        # averages away: the cost may move, by at most LONG_CONTEXT_SHARE.
                        share = abs(oa["cost_usd"] - ob["cost_usd"]) / max(oa["cost_usd"], 1e-9)
                        status = "ok" if share <= LONG_CONTEXT_SHARE else "OUT OF TOLERANCE"
                        print(f"{name} {oa['id']}: {wa['long_context_requests']} long-context requests, cost {share:.2%} apart ({status})")
                        if share > LONG_CONTEXT_SHARE:
                            failures.append(f"{name} {oa['id']}: cost {oa['cost_usd']} vs {ob['cost_usd']}")
                        if "long-context" not in report["input"]["granularity_note"]:
                            failures.append(f"{agg.name}: granularity_note does not name long-context prices")
                elif oa["ptus"] is not None and ob["ptus"] is not None:
                    sizing = wa["sizing"].get(oa["deployment_type"], {})
                    curve = [p["ptus"] for p in sizing.get("curve", [])]
                    step = min((b - a for a, b in zip(curve, curve[1:])), default=1)
                    allowed = max(step, TOLERANCE_SHARE * oa["ptus"])
                    diff = abs(oa["ptus"] - ob["ptus"])
                    status = "ok" if diff <= allowed else "OUT OF TOLERANCE"
                    print(f"{name} {oa['id']}: {oa['ptus']} PTU per request, {ob['ptus']} per second ({status})")
                    if diff > allowed:
                        failures.append(f"{name} {oa['id']}: {oa['ptus']} vs {ob['ptus']} PTU (allowed {allowed:g})")
        if len(base["workloads"]) != len(report["workloads"]):
            failures.append(f"{agg.name}: {len(report['workloads'])} workloads, expected {len(base['workloads'])}")
    if failures:
        print("\n".join(failures), file=sys.stderr)
        print(f"0 passed, {len(failures)} failed")
        return 1
    print("per-second aggregate check: 1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
