#!/usr/bin/env python3
"""Benchmark ptuplan's default job against a DuckDB peer in one run.

Generates the inputs (ptuplan's own deterministic sample, 30 days, with its two gpt-5.1
workloads renamed to gpt-4o-2024-11-20, a model that retires on 2027-04-14 with gpt-5.1 named
as its replacement, so that the automatic retirement scenario runs; and three of its five
deployments split in two by the timestamp's last digit, odd to `<name>-b`, so that the log has
8 deployments), installs DuckDB into a virtual
environment under target/bench when it is missing, then times each case as whole processes,
ptuplan and the peer in turn (A B A B ...), and prints medians, the pairwise ratio
ptuplan / peer, CPU seconds and peak memory.

ptuplan runs the default job as a user runs it: `compare LOG` (the decision, its window band
and the retirement scenario included), with the table on stdout (discarded) and the catalog
pinned with `--as-of` so that the figures do not move with the calendar. The peer
(bench/peer.sql) does less than ptuplan: per-token costs, per-minute sums and a minute-level
sweep of 40 PTU counts.

    python3 bench/run.py                 # every case, 5 runs each
    python3 bench/run.py --runs 3 --skip-build --cases 2m-csv,10m-csv
    python3 bench/run.py --ptuplan /path/to/other/ptuplan --skip-build   # another build

Figures depend on the machine: record them with its cores and memory (docs/benchmarks.md).
Inputs are kept in target/bench and reused: delete that directory when `sample` changes.
"""

import argparse
import gzip
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DUCKDB_VERSION = "2.0.0"
# The planning date: gpt-4o retires 2027-04-14, within the default 12-month horizon.
AS_OF = "2026-12-01"
# The sample's model and the retiring one it is renamed to (same length is not required).
RENAME = (b"gpt-5.1-2025-11-13", b"gpt-4o-2024-11-20")
# Deployments split in two (odd last timestamp digit -> `<name>-b`): 5 + 3 = 8 deployments.
SPLIT = re.compile(rb'([13579])Z(,|","deployment":")(chat-prod|rag-eu|assist)([,"])')
CASES = {
    # case: (requests, format)
    "2m-csv": (2_000_000, "csv"),
    "2m-jsonl": (2_000_000, "jsonl"),
    "2m-gzip": (2_000_000, "csv.gz"),
    "10m-csv": (10_000_000, "csv"),
}


def run(cmd, **kw):
    print("+", " ".join(str(c) for c in cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, **kw)


def timed(cmd):
    """Wall and CPU seconds and peak RSS (MiB) of one whole process; its output is discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed ({status}): {' '.join(map(str, cmd))}\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def python_with_duckdb(work):
    """A Python with the pinned DuckDB: a virtual environment of its own under target/bench."""
    venv = work / "venv"
    py = venv / "bin" / "python3"
    if not py.exists():
        run([sys.executable, "-m", "venv", str(venv)])
    probe = subprocess.run([str(py), "-c", "import duckdb; print(duckdb.__version__)"],
                           capture_output=True, text=True)
    if probe.returncode != 0 or probe.stdout.strip() != DUCKDB_VERSION:
        run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             f"duckdb=={DUCKDB_VERSION}"])
    return str(py)


def renamed(src, dst):
    """Copy `src` to `dst` with the sample's gpt-5.1 renamed to the retiring gpt-4o and three
    deployments split (SPLIT), line-safe (chunks end at a newline), gzip-compressed (level 6, one member) when `dst` ends in .gz."""
    tmp = dst.with_name(dst.name + ".part")
    opener = (lambda p: gzip.open(p, "wb", compresslevel=6)) if dst.suffix == ".gz" else (
        lambda p: open(p, "wb"))
    with open(src, "rb") as f, opener(tmp) as out:
        rest = b""
        while True:
            block = f.read(8 << 20)
            if not block:
                out.write(rewrite(rest))
                break
            block = rest + block
            cut = block.rfind(b"\n") + 1
            out.write(rewrite(block[:cut]))
            rest = block[cut:]
    tmp.rename(dst)


def rewrite(block):
    return SPLIT.sub(rb"\1Z\2\3-b\4", block.replace(*RENAME))


def log_for(ptuplan, work, case):
    """The log of one case (generated once, reused)."""
    requests, fmt = CASES[case]
    log = work / f"retiring8-{requests}.{fmt}"
    if log.exists():
        return log
    raw = work / f"sample-{requests}.{'jsonl' if fmt == 'jsonl' else 'csv'}"
    if not raw.exists():
        run([ptuplan, "sample", "--days", "30", "--requests", str(requests), "--seed", "1",
             "--out", str(raw), "--quiet"])
    renamed(raw, log)
    return log


def peer_cmd(py, log):
    sql = (ROOT / "bench" / "peer.sql").read_text()
    if ".jsonl" in log.suffixes:
        reader = "read_json"
        tokens = ("usage.prompt_tokens AS prompt_tokens, "
                  "usage.prompt_tokens_details.cached_tokens AS cached_tokens, "
                  "usage.completion_tokens AS completion_tokens")
    else:
        reader, tokens = "read_csv", "prompt_tokens, cached_tokens, completion_tokens"
    sql = sql.replace("{log}", str(log)).replace("{reader}", reader).replace("{tokens}", tokens)
    # Two threads: the cores ptuplan uses on the reference machine.
    code = ("import duckdb, sys; c = duckdb.connect(); c.execute('SET threads TO 2'); c.execute('SET enable_progress_bar = false'); "
            "print(c.execute(sys.argv[1]).fetchall())")
    return [py, "-c", code, sql]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--cases", default="2m-csv,2m-jsonl,2m-gzip,10m-csv")
    ap.add_argument("--ptuplan", default=str(ROOT / "target" / "release" / "ptuplan"))
    args = ap.parse_args()
    work = ROOT / "target" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    if not args.skip_build:
        run(["cargo", "build", "--release", "--quiet"], cwd=ROOT)
    py = python_with_duckdb(work)
    cases = args.cases.split(",")
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        sys.exit(f"unknown case(s) {', '.join(unknown)}; known: {', '.join(CASES)}")
    logs = {case: log_for(args.ptuplan, work, case) for case in cases}
    print(f"machine: {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; "
          f"{args.runs} runs per command, alternating; medians; DuckDB {DUCKDB_VERSION}, 2 threads")
    print("| case | input [MB] | ptuplan [s] | CPU [s] | peer [s] | ptuplan / peer | "
          "peak RSS [MiB] | read [MB/s] |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for case in cases:
        log = logs[case]
        ours = [args.ptuplan, "compare", str(log), "--as-of", AS_OF, "--quiet"]
        theirs = peer_cmd(py, log)
        a, cpu, rss, b = [], [], [], []
        timed(ours), timed(theirs)  # warm-up: page cache
        for _ in range(args.runs):
            wall, c, peak = timed(ours)
            a.append(wall)
            cpu.append(c)
            rss.append(peak)
            b.append(timed(theirs)[0])
        ratio = statistics.median(x / y for x, y in zip(a, b))
        if log.suffix == ".gz":
            with gzip.open(log, "rb") as f:
                size = sum(len(block) for block in iter(lambda: f.read(8 << 20), b"")) / 1e6
        else:
            size = log.stat().st_size / 1e6
        print(f"| {case} | {size:.0f} | {statistics.median(a):.2f} | {statistics.median(cpu):.2f} | "
              f"{statistics.median(b):.2f} | {ratio:.2f} | {max(rss):.0f} | "
              f"{size / statistics.median(a):.0f} |", flush=True)


if __name__ == "__main__":
    main()
