#!/usr/bin/env python3
"""Benchmark ptuplan against a DuckDB peer in one run.

Generates the inputs (ptuplan's own deterministic sample), installs DuckDB into a virtual
environment under target/bench when it is missing, then times each case as whole processes,
ptuplan and the peer in turn (A B A B ...), and prints medians, the pairwise ratio
ptuplan / peer, and peak memory. The peer (bench/peer.sql) does less than ptuplan: per-token
costs, per-minute sums and a minute-level sweep of 40 PTU counts.

    python3 bench/run.py                 # 2M and 10M requests, 5 runs each
    python3 bench/run.py --runs 3 --skip-build --cases 2m-csv,10m-csv

Figures depend on the machine: record them with its cores and memory (README, Benchmarks).
Inputs are kept in target/bench and reused: delete that directory when `sample` changes (a
log of an older sample replays other models, and retiring ones add what-if scenarios).
"""

import argparse
import gzip
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DUCKDB_VERSION = "1.1.3"


def run(cmd, **kw):
    print("+", " ".join(str(c) for c in cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, **kw)


def timed(cmd):
    """Wall seconds and peak RSS (MiB) of one whole process; its output is discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed ({status}): {' '.join(map(str, cmd))}\n{err}")
    return wall, usage.ru_maxrss / 1024.0


def python_with_duckdb(work):
    try:
        import duckdb  # noqa: F401

        return sys.executable
    except ImportError:
        pass
    venv = work / "venv"
    py = venv / "bin" / "python3"
    if not py.exists():
        run([sys.executable, "-m", "venv", str(venv)])
        run([str(py), "-m", "pip", "install", "--quiet", f"duckdb=={DUCKDB_VERSION}"])
    return str(py)


def inputs(ptuplan, work, requests):
    """The logs of every case (generated once, reused while their size matches)."""
    files = {}
    big = work / f"sample-{requests}.csv"
    if not big.exists():
        run([ptuplan, "sample", "--days", "30", "--requests", str(requests), "--seed", "1",
             "--out", str(big), "--quiet"])
    files["10m-csv"] = big
    two = work / "sample-2000000.csv"
    if not two.exists():
        run([ptuplan, "sample", "--days", "30", "--requests", "2000000", "--seed", "1",
             "--out", str(two), "--quiet"])
    files["2m-csv"] = two
    two_jsonl = work / "sample-2000000.jsonl"
    if not two_jsonl.exists():
        run([ptuplan, "sample", "--days", "30", "--requests", "2000000", "--seed", "1",
             "--out", str(two_jsonl), "--quiet"])
    files["2m-jsonl"] = two_jsonl
    gz = work / f"sample-{requests}.csv.gz"
    if not gz.exists():
        with open(big, "rb") as src, gzip.open(gz, "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    files["10m-gzip"] = gz
    return files


def peer_cmd(py, log):
    sql = (ROOT / "bench" / "peer.sql").read_text()
    if log.suffix == ".jsonl":
        reader = "read_json"
        tokens = ("usage.prompt_tokens AS prompt_tokens, "
                  "usage.prompt_tokens_details.cached_tokens AS cached_tokens, "
                  "usage.completion_tokens AS completion_tokens")
    else:
        reader, tokens = "read_csv", "prompt_tokens, cached_tokens, completion_tokens"
    sql = sql.replace("{log}", str(log)).replace("{reader}", reader).replace("{tokens}", tokens)
    return [py, "-c", f"import duckdb, sys; print(duckdb.connect().execute(sys.argv[1]).fetchall())", sql]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--requests", type=int, default=10_000_000)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--cases", default="2m-csv,2m-jsonl,10m-csv,10m-gzip")
    ap.add_argument("--ptuplan", default=str(ROOT / "target" / "release" / "ptuplan"))
    args = ap.parse_args()
    work = ROOT / "target" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    if not args.skip_build:
        run(["cargo", "build", "--release", "--quiet"], cwd=ROOT)
    py = python_with_duckdb(work)
    files = inputs(args.ptuplan, work, args.requests)
    print(f"machine: {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; "
          f"{args.runs} runs per command, alternating; medians")
    print("| case | ptuplan [s] | peer [s] | ptuplan / peer | ptuplan peak RSS [MiB] | input [MB] |")
    print("|---|---:|---:|---:|---:|---:|")
    for case in args.cases.split(","):
        log = files[case]
        ours = [args.ptuplan, "compare", str(log), "--format", "json", "--out", "/dev/null", "--quiet"]
        theirs = peer_cmd(py, log)
        a, b, rss = [], [], []
        timed(ours), timed(theirs)  # warm-up: page cache
        for _ in range(args.runs):
            wall, peak = timed(ours)
            a.append(wall)
            rss.append(peak)
            b.append(timed(theirs)[0])
        ratio = statistics.median(x / y for x, y in zip(a, b))
        size = (files["10m-csv"] if case == "10m-gzip" else log).stat().st_size / 1e6
        extra = f" ({size / statistics.median(a):.0f} MB/s decompressed)" if case.endswith("gzip") else ""
        print(f"| {case}{extra} | {statistics.median(a):.2f} | {statistics.median(b):.2f} | "
              f"{ratio:.2f} | {statistics.median(rss):.0f} | {size:.0f} |")


if __name__ == "__main__":
    main()
