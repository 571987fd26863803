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

and the terminal, byte for byte, on a pseudo-terminal of several widths (60, 80, 100, 140, 220
columns; without colour, and with colour at 100): `compare` on the sample and on the log, with
and without `--details`, and with `--scale 2` and `--migrate` (the what-if sections); `regions`,
`diff` of two reports, `calibrate` and `catalog show`; and the table written to a pipe. Last,
`report --out-dir` on the sample and on the log with `--scale 2`: every file (HTML, Markdown,
JSON, CSV, charts) byte for byte.

    python3 bench/identical.py [--terminal-only] OLD_BINARY NEW_BINARY

The old binary's outputs are kept under target/bench/identical-cache/<its sha256>/, so that
checking a series of new builds against one base runs the base once. `--terminal-only` skips
the JSON/CSV/Markdown cases of `compare`.

Exit status 0 when every pair is identical, 1 otherwise (the differing cases are listed).
"""

import hashlib
import os
import pty
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import tty
from fcntl import ioctl
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


WIDTHS = (60, 80, 100, 140, 220)


def on_terminal(binary, args, columns, colour, rows=50):
    """stdout of `binary args` run on a pseudo-terminal of `columns` x `rows` (raw mode: the
    bytes as written); stderr is discarded. NO_COLOR is set unless `colour`."""
    master, slave = pty.openpty()
    ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    tty.setraw(slave)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    if not colour:
        env["NO_COLOR"] = "1"
    chunks = []

    def read():
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read)
    reader.start()
    proc = subprocess.run([binary, *args], stdout=slave, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    reader.join()
    os.close(master)
    if proc.returncode not in (0, 3):
        sys.exit(f"failed ({proc.returncode}): {binary} {' '.join(args)}\n"
                 f"{proc.stderr.decode(errors='replace')}")
    return b"".join(chunks)


def calibration_log(path):
    """A PTU deployment's log with 429s (a seeded leaky bucket of 5 s at 50 PTU), for
    `calibrate`."""
    import random
    rng = random.Random(7)
    rows = ["timestamp,deployment,model,region,prompt_tokens,completion_tokens,"
            "max_completion_tokens,status"]
    start, t, level, last = 1_790_000_000_000, 0, 0.0, 0
    capacity_per_ms = 50 * 3000 / 60_000
    arrivals = []
    while t < 30 * 60_000:
        t += 600 + rng.randrange(1800)
        arrivals.append((t, 500 + rng.randrange(2500), 100 + rng.randrange(300)))
    for burst in range(15):
        at = burst * 120_000 + 30_000 + rng.randrange(60_000)
        for k in range(18):
            arrivals.append((at + k * 37, 800 + rng.randrange(2000), 100 + rng.randrange(300)))
    arrivals.sort()
    for t, prompt, mx in arrivals:
        level = max(0.0, level - (t - last) * capacity_per_ms)
        last = t
        cost = prompt + 4 * mx
        ok = level + cost <= capacity_per_ms * 5000
        if ok:
            level += cost
        rows.append(f"{(start + t) / 1000},ptu-prod,gpt-4.1,eastus2,{prompt},"
                    f"{mx if ok else 0},{mx},{200 if ok else 429}")
    path.write_text("\n".join(rows) + "\n")


def terminal_cases(log, inputs, old):
    """(name, args, columns or None for a pipe, colour) of every terminal case; the inputs
    made for `diff` and `calibrate` go to `inputs` (a fixed folder: `diff` prints the paths)."""
    sample = ["--sample", "--as-of", AS_OF, "--quiet"]
    big = [log, "--as-of", AS_OF, "--quiet"]
    cases = []
    for w in WIDTHS:
        for details in ([], ["--details"]):
            d = " --details" if details else ""
            cases.append((f"compare sample{d} @{w}", ["compare", *sample, *details], w, False))
            cases.append((f"compare log{d} @{w}", ["compare", *big, *details], w, False))
        cases.append((f"regions sample @{w}", ["regions", *sample], w, False))
    for w in (60, 100, 220):
        cases.append((f"catalog show @{w}", ["catalog", "show", "--as-of", AS_OF], w, False))
        cases.append((f"compare log --scale 2 --details @{w}",
                      ["compare", *big, "--scale", "2", "--details"], w, False))
        cases.append((f"compare log --migrate @{w}",
                      ["compare", *big, "--migrate", "gpt-5.4-mini=gpt-5.1"], w, False))
        cases.append((f"compare sample --growth-pct 10 @{w}",
                      ["compare", *sample, "--growth-pct", "10"], w, False))
    cases.append(("compare sample --details colour @100",
                  ["compare", *sample, "--details"], 100, True))
    cases.append(("compare log --details colour @140",
                  ["compare", *big, "--details"], 140, True))
    cases.append(("compare sample --details pipe", ["compare", *sample, "--details"], None, False))
    # diff: two reports written once by the old binary.
    inputs.mkdir(parents=True, exist_ok=True)
    base, new = inputs / "diff-base.json", inputs / "diff-new.json"
    subprocess.run([old, "compare", *sample, "--format", "json", "--out", str(base)], check=True,
                   capture_output=True)
    subprocess.run([old, "compare", *sample, "--batch-eligible", "--flex-eligible",
                    "--min-span-days", "1", "--format", "json", "--out", str(new)], check=True,
                   capture_output=True)
    other = inputs / "diff-log.json"
    subprocess.run([old, "compare", *big, "--format", "json", "--out", str(other)], check=True,
                   capture_output=True)
    for w in WIDTHS:
        cases.append((f"diff @{w}", ["diff", str(base), str(new)], w, False))
        cases.append((f"diff sample log @{w}", ["diff", str(base), str(other)], w, False))
    cal = inputs / "ptu-prod.csv"
    calibration_log(cal)
    for w in (60, 100, 220):
        cases.append((f"calibrate @{w}", ["calibrate", str(cal), "--deployment", "ptu-prod",
                                          "--type", "global-provisioned", "--ptus", "50",
                                          "--quiet"], w, False))
    return cases


def cached(old, key, make):
    """The old binary's output for `key`, from the cache or made now."""
    digest = hashlib.sha256(Path(old).read_bytes()).hexdigest()[:16]
    path = bench.ROOT / "target" / "bench" / "identical-cache" / digest / (
        hashlib.sha256(key.encode()).hexdigest()[:24])
    if path.exists():
        return path.read_bytes()
    data = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def terminal_output(binary, args, columns, colour):
    if columns is not None:
        return on_terminal(binary, args, columns, colour)
    proc = subprocess.run([binary, *args], capture_output=True)
    if proc.returncode not in (0, 3):
        sys.exit(f"failed ({proc.returncode}): {binary} {' '.join(args)}")
    return proc.stdout


def out_dir_files(binary, args, dest):
    subprocess.run([binary, "report", *args, "--quiet", "--out-dir", str(dest)], check=True,
                   capture_output=True)
    files = {}
    for f in sorted(dest.rglob("*")):
        if f.is_file():
            files[str(f.relative_to(dest))] = f.read_bytes()
    return files


def check_terminal(old, new, log, differ):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        inputs = bench.ROOT / "target" / "bench" / "identical-inputs"
        for name, args, columns, colour in terminal_cases(log, inputs, old):
            # The key holds the inputs made here too: a changed input is a new case.
            made = [hashlib.sha256(Path(a).read_bytes()).hexdigest()
                    for a in args if a.startswith(str(inputs))]
            key = f"terminal {name}: {' '.join(args)} {' '.join(made)}"
            before = cached(old, key, lambda: terminal_output(old, args, columns, colour))
            after = terminal_output(new, args, columns, colour)
            same = before == after
            print(f"{'identical' if same else 'DIFFERENT'}: {name} ({len(after)} bytes)",
                  flush=True)
            if not same:
                differ.append(name)
        for name, args in (("sample", ["--sample", "--as-of", AS_OF]),
                           ("log --scale 2", [log, "--as-of", AS_OF, "--scale", "2"])):
            after = out_dir_files(new, args, tmp / "new" / name.replace(" ", "_"))
            before_dir = tmp / "old" / name.replace(" ", "_")
            before = out_dir_files(old, args, before_dir)
            names = sorted(set(before) | set(after))
            bad = [n for n in names if before.get(n) != after.get(n)]
            print(f"{'identical' if not bad else 'DIFFERENT'}: report --out-dir {name} "
                  f"({len(after)} files{': ' + ', '.join(bad) if bad else ''})", flush=True)
            if bad:
                differ.append(f"report --out-dir {name}")


def main():
    argv = sys.argv[1:]
    terminal_only = "--terminal-only" in argv
    argv = [a for a in argv if a != "--terminal-only"]
    if len(argv) != 2:
        sys.exit(__doc__)
    old, new = argv
    work = bench.ROOT / "target" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    log = str(log_for_check(new, work))
    differ = []
    check_terminal(old, new, log, differ)
    if terminal_only:
        if differ:
            sys.exit(f"different: {', '.join(differ)}")
        return
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
