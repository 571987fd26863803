#!/usr/bin/env python3
"""Check that two builds of ptuplan write byte-identical reports: the speed work's contract.

Runs both builds on the same inputs and compares `compare --format json` (report.json),
`--format csv` (options.csv) and `--format markdown` byte for byte:

- the bundled sample (`--sample`);
- a generated log with a retiring model (bench/run.py's 2M CSV when it exists, else a 200,000
  request log made the same way), so that the automatic retirement scenario runs;
- the same log with explicit scenarios (`--scale 2`, `--migrate`), `--threads 1`, and small
  spool chunks (many spilled runs);
- the same log as JSON Lines and as gzip, when bench/run.py has written them.

    python3 bench/identical.py OLD_BINARY NEW_BINARY

Exit status 0 when every pair is identical, 1 otherwise (the differing cases are listed).
"""

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402

AS_OF = bench.AS_OF


def log_for_check(ptuplan, work):
    big = work / "retiring8-2000000.csv"
    if big.exists():
        return big
    small = work / "retiring8-200000.csv"
    if not small.exists():
        raw = work / "sample-200000.csv"
        if not raw.exists():
            bench.run([ptuplan, "sample", "--days", "30", "--requests", "200000", "--seed", "1",
                       "--out", str(raw), "--quiet"])
        bench.renamed(raw, small)
    return small


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    old, new = sys.argv[1], sys.argv[2]
    work = bench.ROOT / "target" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    log = str(log_for_check(new, work))
    cases = {
        "sample": ["--sample"],
        "log": [log],
        "log --threads 1": [log, "--threads", "1"],
        "log small spool chunks": [log, "--spool-chunk-events", "5000"],
        "log --scale 2": [log, "--scale", "2"],
        "log --migrate": [log, "--migrate", "gpt-5.4-mini=gpt-5.1"],
        "log --on-throttle retry": [log, "--on-throttle", "retry"],
    }
    # The same log as JSON Lines and gzip (bench/run.py writes them), when they exist: the
    # other readers' paths.
    for name, suffix in (("jsonl", ".jsonl"), ("gzip", ".csv.gz")):
        other = Path(log).with_name(Path(log).name.replace(".csv", suffix))
        if other.exists():
            cases[name] = [str(other)]
    differ = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in cases.items():
            for fmt in ("json", "csv", "markdown"):
                outs = []
                for tag, binary in (("old", old), ("new", new)):
                    out = Path(tmp) / f"{tag}.{fmt}"
                    cmd = [binary, "compare", *args, "--as-of", AS_OF, "--quiet",
                           "--format", fmt, "--out", str(out)]
                    proc = subprocess.run(cmd, capture_output=True)
                    if proc.returncode not in (0, 3):
                        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n"
                                 f"{proc.stderr.decode(errors='replace')}")
                    outs.append(out.read_bytes())
                same = outs[0] == outs[1]
                print(f"{'identical' if same else 'DIFFERENT'}: {name} ({fmt}, {len(outs[1])} bytes)",
                      flush=True)
                if not same:
                    differ.append(f"{name} ({fmt})")
    if differ:
        sys.exit(f"different: {', '.join(differ)}")


if __name__ == "__main__":
    main()
