//! Issue 12: hostile and odd input never corrupts, escapes, exhausts or misleads. Each test
//! runs the real binary and checks one guarantee of the README's "Reliability" section; the
//! fixtures are described in `tests/fixtures/README.md` and `tests/fixtures/reports/README.md`.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// The binary with an environment that cannot change its output.
fn ptuplan() -> Command {
    let mut cmd = Command::cargo_bin("ptuplan").expect("binary builds");
    cmd.env_remove("SOURCE_DATE_EPOCH")
        .env_remove("PTUPLAN_CATALOG")
        .env_remove("PTUPLAN_REGION")
        .env_remove("PTUPLAN_PRICES")
        .env_remove("PTUPLAN_OVERRIDES")
        .env("NO_COLOR", "1");
    cmd
}

/// The catalog's files in `data/`, for copies of the catalog.
const DATA_FILES: [&str; 7] = [
    "deployment_types.yaml",
    "models.yaml",
    "pricing.yaml",
    "regions.yaml",
    "standard.yaml",
    "network.yaml",
    "meters.yaml",
];

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("output is UTF-8")
}

/// No control character but the line break, and no bidi override, anywhere in `text`.
fn assert_no_hazard(what: &str, text: &str) {
    let bad = text.char_indices().find(|(_, c)| {
        (c.is_control() && *c != '\n')
            || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    });
    if let Some((i, c)) = bad {
        let from = text[..i].char_indices().rev().nth(40).map_or(0, |(j, _)| j);
        panic!("{what}: raw {c:?} at byte {i}, after {:?}", &text[from..i]);
    }
}

fn run_ok(args: &[&str]) -> (String, String) {
    let out = ptuplan().args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (text(&out.stdout), text(&out.stderr))
}

/// Guarantee 3: names with blank lines, `|`, markup, ANSI/OSC sequences, C1 and bidi controls
/// and spreadsheet formulas are escaped in every sink: table, Markdown, JSON, CSV, the report
/// files (Markdown, HTML, SVG), `regions`, `diff`, and error messages on stderr.
#[test]
fn issue_12_names_are_escaped_for_every_sink() {
    let log = fixture("reports/escapes.csv");
    let log = log.to_str().expect("utf-8 path");
    for format in ["table", "markdown", "json", "csv"] {
        let (stdout, stderr) = run_ok(&["compare", log, "--format", format]);
        assert_no_hazard(&format!("compare --format {format}"), &stdout);
        assert_no_hazard("compare stderr", &stderr);
        let shown = if format == "json" {
            "\\u001b[31mred"
        } else {
            "\\u{1b}[31mred"
        };
        assert!(stdout.contains(shown), "{format}: shown escaped");
    }
    let (md, _) = run_ok(&["compare", log, "--format", "markdown", "--quiet"]);
    let headings: Vec<&str> = md.lines().filter(|l| l.starts_with('#')).collect();
    assert!(
        headings.iter().all(|h| !h.contains("Injected")),
        "a name started a Markdown block: {headings:?}"
    );
    assert!(!md.contains("<img"), "raw HTML from a name");

    let (json, _) = run_ok(&["compare", log, "--format", "json", "--quiet"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON parses");
    let names: Vec<&str> = v["workloads"]
        .as_array()
        .expect("workloads")
        .iter()
        .map(|w| w["deployment"].as_str().expect("name"))
        .collect();
    assert!(
        names.contains(
            &"\u{1b}[31mred\u{1b}[0m\u{1b}]8;;http://evil.example\u{7}link\u{1b}]8;;\u{7}"
        ),
        "JSON keeps the exact name: {names:?}"
    );

    let (csv_text, _) = run_ok(&["compare", log, "--format", "csv", "--quiet"]);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let deployments: Vec<String> = reader
        .records()
        .map(|r| r.expect("CSV row")[0].to_owned())
        .collect();
    assert!(deployments
        .iter()
        .all(|d| !d.starts_with('=') && !d.starts_with('@')));
    assert!(deployments.contains(&"'=HYPERLINK(\"http://evil.example\")".to_owned()));

    let dir = TempDir::new().expect("temp dir");
    let out_dir = dir.path().join("r");
    run_ok(&[
        "report",
        log,
        "--quiet",
        "--out-dir",
        out_dir.to_str().expect("utf-8"),
    ]);
    for entry in walk(&out_dir) {
        let name = entry.display().to_string();
        if entry.extension().is_some_and(|e| e == "png") {
            continue;
        }
        let body = fs::read_to_string(&entry).expect("text file");
        assert_no_hazard(&name, &body);
        if entry.extension().is_some_and(|e| e == "svg") {
            roxmltree::Document::parse(&body)
                .unwrap_or_else(|e| panic!("{name} is not well-formed XML: {e}"));
        }
    }
    let html = fs::read_to_string(out_dir.join("report.html")).expect("html");
    let main = &html[html.find("<main>").expect("main")..html.find("</main>").expect("/main") + 7];
    roxmltree::Document::parse(main).expect("the HTML body is well-formed");
    assert!(!html.contains("<img"));
    let report_md = fs::read_to_string(out_dir.join("report.md")).expect("md");
    assert!(report_md
        .lines()
        .filter(|l| l.starts_with('#'))
        .all(|h| !h.contains("Injected")));

    for format in ["table", "markdown", "json", "csv"] {
        let (stdout, _) = run_ok(&["regions", log, "--format", format, "--quiet"]);
        assert_no_hazard(&format!("regions --format {format}"), &stdout);
    }
    let json = out_dir.join("report.json");
    let json = json.to_str().expect("utf-8");
    for format in ["table", "markdown", "json"] {
        let (stdout, _) = run_ok(&["diff", json, json, "--format", format]);
        assert_no_hazard(&format!("diff --format {format}"), &stdout);
    }

    let name = "\u{1b}[31mred\u{1b}[0m\u{1b}]8;;http://evil.example\u{7}link\u{1b}]8;;\u{7}";
    for extra in [&[][..], &["--format", "json"][..]] {
        let mut args = vec!["calibrate", log, "--deployment", name];
        args.extend(["--type", "global-provisioned", "--ptus", "15"]);
        args.extend(extra);
        let (stdout, stderr) = run_ok(&args);
        assert_no_hazard(&format!("calibrate {extra:?}"), &stdout);
        assert_no_hazard("calibrate stderr", &stderr);
    }

    // Error messages: an unknown model named with an escape sequence.
    let bad = dir.path().join("bad.csv");
    fs::write(
        &bad,
        "timestamp,model,region,prompt_tokens,completion_tokens\n2026-03-01T10:00:00Z,\"gpt\u{1b}]0;pwned\u{7}\nx\",eastus2,1,1\n",
    )
    .expect("write");
    let out = ptuplan().arg("compare").arg(&bad).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_no_hazard("error message", &stderr);
    assert!(
        stderr.contains("unknown model `gpt\\u{1b}]0;pwned\\u{7}\\nx`"),
        "{stderr}"
    );
}

/// Every file below `dir`, sorted.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A log of `rows` gpt-4o rows one minute apart from 2026-03-01 (after `header`, if any), each
/// written by `row(minute timestamp, prompt, completion)` and passed through `edit` (with its
/// index), with `line_end` after every line.
fn log_of(
    header: Option<&str>,
    rows: usize,
    line_end: &str,
    row: impl Fn(&str, usize, usize) -> String,
    edit: impl Fn(usize, String) -> String,
) -> Vec<u8> {
    let mut lines: Vec<String> = header.map(str::to_owned).into_iter().collect();
    for i in 0..rows {
        let at = format!(
            "2026-03-{:02}T{:02}:{:02}:00Z",
            1 + i / 1440,
            i / 60 % 24,
            i % 60
        );
        lines.push(edit(i, row(&at, 100 + i % 7, 10 + i % 3)));
    }
    let mut text = lines.join(line_end);
    text.push_str(line_end);
    text.into_bytes()
}

/// The rows of [`log_of`] as CSV.
fn csv_log(rows: usize, line_end: &str, edit: impl Fn(usize, String) -> String) -> Vec<u8> {
    let header = "timestamp,deployment,model,region,prompt_tokens,completion_tokens";
    let row = |at: &str, p: usize, c: usize| format!("{at},chat,gpt-4o,eastus2,{p},{c}");
    log_of(Some(header), rows, line_end, row, edit)
}

/// The same rows as JSON Lines.
fn jsonl_log(rows: usize, line_end: &str, edit: impl Fn(usize, String) -> String) -> Vec<u8> {
    let row = |at: &str, p: usize, c: usize| {
        format!(
            "{{\"timestamp\":\"{at}\",\"deployment\":\"chat\",\"model\":\"gpt-4o\",\"region\":\"eastus2\",\"usage\":{{\"prompt_tokens\":{p},\"completion_tokens\":{c}}}}}"
        )
    };
    log_of(None, rows, line_end, row, edit)
}

/// `compare --format json` on `path` with `threads` reading threads (every file qualifies for
/// parallel reading): exit code, stdout, stderr.
fn compare_with_threads(
    path: &Path,
    threads: u32,
    extra: &[&str],
) -> (Option<i32>, String, String) {
    let out = ptuplan()
        .arg("compare")
        .arg(path)
        .args(["--format", "json", "--quiet", "--parallel-min-bytes", "1"])
        .args(["--threads", &threads.to_string()])
        .args(extra)
        .output()
        .expect("runs");
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// Guarantee 4: a NUL byte or invalid UTF-8 in a name is caught wherever it is in the file
/// (here after 300 KB of good rows), in CSV and JSON Lines, by one thread or several, and the
/// error names the line; `--skip-invalid` skips exactly those rows.
#[test]
fn issue_12_nul_and_invalid_utf8_are_caught_anywhere_in_the_file() {
    let dir = TempDir::new().expect("temp dir");
    let rows = 8000;
    let bad_at = 7500; // line 7502 in CSV (header first), 7501 in JSON Lines
                       // The bad row's `chat` replaced with `to`.
    let at = |to: &'static str| {
        move |i: usize, r: String| {
            if i == bad_at {
                r.replacen("chat", to, 1)
            } else {
                r
            }
        }
    };
    let cases: Vec<(&str, Vec<u8>, u64, &str)> = vec![
        (
            "nul.csv",
            csv_log(rows, "\n", at("ch\0at")),
            7502,
            "field `row`: contains a NUL byte",
        ),
        (
            "nul.jsonl",
            jsonl_log(rows, "\n", at("ch\0at")),
            7501,
            "field `row`: contains a NUL byte",
        ),
        (
            "escaped-nul.jsonl",
            jsonl_log(rows, "\n", at("ch\\u0000at")),
            7501,
            "field `deployment`: contains a NUL character",
        ),
        (
            "utf8.csv",
            csv_log(rows, "\n", |_, r| r),
            7502,
            "field `deployment`: not valid UTF-8",
        ),
        (
            "utf8.jsonl",
            jsonl_log(rows, "\n", |_, r| r),
            7501,
            "invalid unicode code point",
        ),
    ];
    for (name, mut bytes, line, phrase) in cases {
        if name.starts_with("utf8") {
            // Replace the deployment name of the bad row with bytes that are not UTF-8.
            let text = String::from_utf8(bytes.clone()).expect("utf-8");
            let start: usize = text
                .split_inclusive('\n')
                .take(line as usize - 1)
                .map(str::len)
                .sum();
            let at = start + text[start..].find("chat").expect("name");
            bytes[at..at + 4].copy_from_slice(b"c\xffa\xfe");
        }
        let text = String::from_utf8_lossy(&bytes);
        let offset: usize = text
            .split_inclusive('\n')
            .take(line as usize - 1)
            .map(str::len)
            .sum();
        assert!(
            offset > 256 * 1024,
            "{name}: the bad row is beyond the first 256 KiB"
        );
        let path = dir.path().join(name);
        fs::write(&path, &bytes).expect("write");
        for threads in [1, 4] {
            let (code, _, stderr) = compare_with_threads(&path, threads, &[]);
            assert_eq!(code, Some(1), "{name} threads {threads}: {stderr}");
            assert!(
                stderr.contains(&format!("{name}:{line}: ")) && stderr.contains(phrase),
                "{name} threads {threads}: {stderr}"
            );
            let (code, stdout, stderr) = compare_with_threads(&path, threads, &["--skip-invalid"]);
            assert_eq!(code, Some(0), "{name}: {stderr}");
            let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
            assert_eq!(v["input"]["skipped"], 1, "{name}");
            assert_eq!(v["input"]["records"], rows as u64 - 1, "{name}");
            assert!(v["input"]["skipped_examples"][0]
                .as_str()
                .is_some_and(|e| e.contains(&format!(":{line}: "))));
        }
    }
    // A NUL in the first line is a binary file, not a log.
    let path = dir.path().join("binary.csv");
    fs::write(&path, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").expect("write");
    ptuplan()
        .arg("compare")
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("binary"));
}

/// Guarantee 6: the same bytes give the same output (or the same error) whatever `--threads`,
/// for every line ending (LF, CRLF, CR only, mixed), CSV and JSON Lines, strict and with
/// `--skip-invalid`, with a bad row and a row far outside the log's span.
#[test]
fn issue_12_results_never_depend_on_threads() {
    let dir = TempDir::new().expect("temp dir");
    let endings = [
        ("lf", "\n"),
        ("crlf", "\r\n"),
        ("cr", "\r"),
        ("mixed", "mixed"),
    ];
    for (label, ending) in endings {
        for jsonl in [false, true] {
            let edit = |i: usize, r: String| match i {
                700 => r.replacen("100", "-5", 1).replacen("101", "-5", 1),
                1500 => r.replacen("2026-03-02", "2019-01-01", 1),
                _ => r,
            };
            let mut bytes = if jsonl {
                jsonl_log(3000, "\n", edit)
            } else {
                csv_log(3000, "\n", edit)
            };
            bytes = match ending {
                "mixed" => {
                    // Every third line end CRLF, every third CR.
                    let mut out = Vec::new();
                    let mut n = 0;
                    for b in bytes {
                        if b == b'\n' {
                            n += 1;
                            match n % 3 {
                                0 => out.extend_from_slice(b"\r\n"),
                                1 => out.push(b'\r'),
                                _ => out.push(b'\n'),
                            }
                        } else {
                            out.push(b);
                        }
                    }
                    out
                }
                e => String::from_utf8(bytes)
                    .expect("utf-8")
                    .replace('\n', e)
                    .into_bytes(),
            };
            let path = dir.path().join(format!(
                "log-{label}.{}",
                if jsonl { "jsonl" } else { "csv" }
            ));
            fs::write(&path, &bytes).expect("write");
            for extra in [&[][..], &["--skip-invalid"][..]] {
                let one = compare_with_threads(&path, 1, extra);
                for threads in [2, 3, 4] {
                    assert_eq!(
                        compare_with_threads(&path, threads, extra),
                        one,
                        "{} {extra:?}: --threads {threads} differs from --threads 1",
                        path.display()
                    );
                }
                if extra.is_empty() {
                    assert_eq!(one.0, Some(1));
                    let line = if jsonl { 701 } else { 702 };
                    assert!(one.2.contains(&format!(":{line}: field `")), "{}", one.2);
                } else {
                    assert_eq!(one.0, Some(0), "{}", one.2);
                    let v: serde_json::Value = serde_json::from_str(&one.1).expect("json");
                    assert_eq!(v["input"]["skipped"], 2);
                    assert_eq!(v["input"]["records"], 2998);
                    assert_eq!(v["input"]["start"], "2026-03-01T00:00:00Z");
                }
            }
        }
    }
}

/// Guarantee 6: a stray row decides nothing. Strict, the error names the stray row's line
/// wherever it is; with `--skip-invalid` the report equals the one of the log without it.
#[test]
fn issue_12_a_stray_row_never_decides_the_span() {
    let dir = TempDir::new().expect("temp dir");
    let clean = dir.path().join("clean.csv");
    fs::write(&clean, csv_log(500, "\n", |_, r| r)).expect("write");
    let (_, expected, _) = compare_with_threads(&clean, 1, &[]);
    let mut expected: serde_json::Value = serde_json::from_str(&expected).expect("json");
    for stray_at in [0usize, 250, 499] {
        let path = dir.path().join(format!("stray-{stray_at}.csv"));
        fs::write(
            &path,
            csv_log(500, "\n", |i, r| {
                if i == stray_at {
                    format!("{r}\n1999-12-31T23:00:00Z,chat,gpt-4o,eastus2,100,10")
                } else {
                    r
                }
            }),
        )
        .expect("write");
        let line = stray_at + 3;
        let (code, _, stderr) = compare_with_threads(&path, 1, &[]);
        assert_eq!(code, Some(1));
        assert!(
            stderr.contains(&format!(
                "stray-{stray_at}.csv:{line}: field `timestamp`: 1999-12-31T23:00:00Z lies outside"
            )),
            "{stderr}"
        );
        let (code, got, _) = compare_with_threads(&path, 1, &["--skip-invalid"]);
        assert_eq!(code, Some(0));
        let mut got: serde_json::Value = serde_json::from_str(&got).expect("json");
        assert_eq!(got["input"]["skipped"], 1);
        for v in [&mut got, &mut expected] {
            let input = v["input"].as_object_mut().expect("input");
            for key in ["files", "skipped", "skipped_examples", "readers"] {
                input.remove(key);
            }
            v.as_object_mut().expect("report").remove("warnings");
        }
        assert_eq!(
            got, expected,
            "skipping the stray row leaves the clean report"
        );
    }
}

/// Guarantee 8: an interrupted run leaves no spool file behind. The run reads stdin, which the
/// test keeps open after enough rows to spill several runs; once they are on disk the test
/// sends the signal. The exit status is the signal's (a shell sees an interrupted command).
#[cfg(unix)]
#[test]
fn issue_12_spool_files_are_removed_on_sigint_and_sigterm() {
    use std::io::Write;
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    for (signal, number) in [("INT", 2), ("TERM", 15)] {
        let tmp = TempDir::new().expect("temp dir");
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ptuplan"))
            .args(["compare", "-", "--quiet", "--spool-chunk-events", "2"])
            .env("TMPDIR", tmp.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawns");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(&csv_log(10, "\n", |_, r| r))
            .expect("write");
        stdin.flush().expect("flush");
        // Wait (bounded) until the spool has spilled several runs (of 2 events, 56 bytes each)
        // into its one temp file in the run's directory.
        let spilled = || {
            walk(tmp.path())
                .iter()
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("spool-"))
                })
                .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
                .sum::<u64>()
        };
        let mut waited = 0;
        while spilled() < 3 * 2 * 56 {
            assert!(waited < 600, "no spool files appeared");
            std::thread::sleep(std::time::Duration::from_millis(100));
            waited += 1;
        }
        let status = std::process::Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let status = child.wait().expect("waits");
        drop(stdin);
        assert_eq!(
            status.signal(),
            Some(number),
            "killed by SIG{signal}: {status:?}"
        );
        let left: Vec<PathBuf> = fs::read_dir(tmp.path())
            .expect("tmp")
            .map(|e| e.expect("entry").path())
            .collect();
        assert!(left.is_empty(), "SIG{signal} left {left:?}");
    }
}

/// Run `args` and expect a refusal to overwrite `input`, which must keep its bytes.
fn assert_refused(args: &[&std::ffi::OsStr], input: &Path) {
    let before = fs::read(input).expect("input exists");
    let out = ptuplan().args(args).output().expect("runs");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains("refusing to write"), "{args:?}: {stderr}");
    assert_eq!(
        fs::read(input).expect("input"),
        before,
        "{args:?} changed the input"
    );
}

/// Guarantee 1: no output replaces an input, by its own name, another spelling, a symlink or
/// a hard link: `--out` of every command, and every file of the report directory.
#[test]
fn issue_12_outputs_never_overwrite_inputs() {
    let dir = TempDir::new().expect("temp dir");
    let d = dir.path();
    let log = d.join("usage.csv");
    fs::copy(fixture("good/tiny.csv"), &log).expect("copy");
    let os = |p: &Path| p.as_os_str().to_owned();
    let s = |t: &str| std::ffi::OsString::from(t);
    let mut names = vec![log.clone(), d.join(".").join("usage.csv")];
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&log, d.join("link.csv")).expect("symlink");
        names.push(d.join("link.csv"));
    }
    fs::hard_link(&log, d.join("hard.csv")).expect("hard link");
    names.push(d.join("hard.csv"));
    for out in &names {
        for cmd in ["compare", "regions"] {
            assert_refused(&[&s(cmd), &os(&log), &s("--out"), &os(out)], &log);
        }
    }
    // Overrides, prices, baseline and catalog files are inputs too.
    let overrides = d.join("overrides.yaml");
    fs::copy(fixture("prices/overrides.yaml"), &overrides).expect("copy");
    assert_refused(
        &[
            &s("compare"),
            &os(&log),
            &s("--overrides"),
            &os(&overrides),
            // A YAML name needs the format named (JSON is YAML).
            &s("--format"),
            &s("json"),
            &s("--out"),
            &os(&overrides),
        ],
        &overrides,
    );
    let baseline = d.join("base.json");
    fs::copy(fixture("reports/base.json"), &baseline).expect("copy");
    assert_refused(
        &[
            &s("compare"),
            &os(&log),
            &s("--baseline"),
            &os(&baseline),
            &s("--out"),
            &os(&baseline),
        ],
        &baseline,
    );
    let new = fixture("reports/new.json");
    assert_refused(
        &[
            &s("diff"),
            &os(&baseline),
            &os(&new),
            &s("--out"),
            &os(&baseline),
        ],
        &baseline,
    );
    let catalog = d.join("catalog");
    fs::create_dir(&catalog).expect("dir");
    for name in DATA_FILES {
        fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("data")
                .join(name),
            catalog.join(name),
        )
        .expect("copy");
    }
    let models = catalog.join("models.yaml");
    assert_refused(
        &[
            &s("catalog"),
            &s("show"),
            &s("--catalog"),
            &os(&catalog),
            &s("--out"),
            &os(&models),
        ],
        &models,
    );
    assert_refused(
        &[
            &s("compare"),
            &os(&log),
            &s("--catalog"),
            &os(&catalog),
            &s("--format"),
            &s("json"),
            &s("--out"),
            &os(&catalog.join("pricing.yaml")),
        ],
        &catalog.join("pricing.yaml"),
    );
    assert_refused(
        &[
            &s("catalog"),
            &s("refresh"),
            &s("--catalog"),
            &os(&catalog),
            &s("--endpoint"),
            &s("http://127.0.0.1:9/never-contacted"),
            &s("--out"),
            &os(&catalog.join("regions.yaml")),
        ],
        &catalog.join("regions.yaml"),
    );
    // The report directory: a log or a baseline named like a report file inside it.
    let reports = d.join("reports");
    fs::create_dir(&reports).expect("dir");
    let inside = reports.join("options.csv");
    fs::copy(fixture("good/tiny.csv"), &inside).expect("copy");
    assert_refused(
        &[&s("report"), &os(&inside), &s("--out-dir"), &os(&reports)],
        &inside,
    );
    let previous = reports.join("report.json");
    fs::copy(fixture("reports/base.json"), &previous).expect("copy");
    assert_refused(
        &[
            &s("report"),
            &os(&log),
            &s("--baseline"),
            &os(&previous),
            &s("--out-dir"),
            &os(&reports),
        ],
        &previous,
    );
}

/// Guarantee 2: the report directory is replaced as a whole. A symlink inside it is never
/// followed out: one in the way of a report file is refused (issue 19: not a file ptuplan
/// wrote), a `charts` link too; charts of the previous run that this run does not write are
/// removed, other files are kept; a run killed at any moment leaves every file complete,
/// either the previous run's or the new one's.
#[cfg(unix)]
#[test]
fn issue_12_report_directory_is_written_as_a_whole() {
    use std::os::unix::fs::symlink;
    let dir = TempDir::new().expect("temp dir");
    let d = dir.path();
    let reports = d.join("reports");
    fs::create_dir(&reports).expect("dir");
    let outside = d.join("outside.md");
    fs::write(&outside, "precious").expect("write");
    symlink(&outside, reports.join("report.md")).expect("symlink");
    let hostile = fixture("reports/hostile.csv");
    ptuplan()
        .arg("report")
        .arg(&hostile)
        .arg("--quiet")
        .arg("--out-dir")
        .arg(&reports)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a symbolic link"));
    assert_eq!(fs::read_to_string(&outside).expect("outside"), "precious");
    fs::remove_file(reports.join("report.md")).expect("remove the link");
    ptuplan()
        .arg("report")
        .arg(&hostile)
        .arg("--quiet")
        .arg("--out-dir")
        .arg(&reports)
        .assert()
        .success();
    assert_eq!(fs::read_to_string(&outside).expect("outside"), "precious");
    assert!(fs::read_to_string(reports.join("report.md"))
        .expect("md")
        .starts_with("# ptuplan cost report"));
    let charts = |r: &Path| -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(r.join("charts"))
            .expect("charts")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    // Token mix and the scenario chart (gpt-4o retires: the retirement scenario), then five
    // charts per workload (the band chart first), each as SVG and PNG.
    assert_eq!(charts(&reports).len(), 24);
    fs::write(reports.join("README.md"), "user file").expect("write");
    // A run on one workload: the other workload's charts go, the user's file stays.
    let one = d.join("one.csv");
    let body = fs::read_to_string(&hostile).expect("fixture");
    let kept: Vec<&str> = body.lines().filter(|l| !l.contains(",a|b,")).collect();
    fs::write(&one, kept.join("\n") + "\n").expect("write");
    ptuplan()
        .arg("report")
        .arg(&one)
        .arg("--out-dir")
        .arg(&reports)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "removed 10 the previous run wrote",
        ));
    assert!(
        charts(&reports).iter().all(|c| !c.contains("-02-")),
        "{:?}",
        charts(&reports)
    );
    assert_eq!(
        fs::read_to_string(reports.join("README.md")).expect("kept"),
        "user file"
    );
    let manifest = fs::read_to_string(reports.join("manifest.txt")).expect("manifest");
    assert_eq!(
        manifest.lines().filter(|l| !l.starts_with('#')).count(),
        14 + 5
    );
    assert!(manifest.starts_with("# ptuplan report manifest v2\n"));

    // Killed while it writes: every file is complete, the old version or the new one.
    let names = [
        "report.md",
        "report.json",
        "options.csv",
        "report.html",
        "manifest.txt",
    ];
    let old: Vec<Vec<u8>> = names
        .iter()
        .map(|n| fs::read(reports.join(n)).expect("old"))
        .collect();
    let fresh = d.join("fresh");
    ptuplan()
        .arg("report")
        .arg(&hostile)
        .arg("--quiet")
        .arg("--out-dir")
        .arg(&fresh)
        .assert()
        .success();
    let new: Vec<Vec<u8>> = names
        .iter()
        .map(|n| fs::read(fresh.join(n)).expect("new"))
        .collect();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ptuplan"))
        .arg("report")
        .arg(&hostile)
        .arg("--quiet")
        .arg("--out-dir")
        .arg(&reports)
        .spawn()
        .expect("spawns");
    let staging = || {
        fs::read_dir(d).expect("dir").any(|e| {
            e.expect("entry")
                .file_name()
                .to_string_lossy()
                .contains(".ptuplan-tmp-")
        })
    };
    for _ in 0..20_000 {
        if staging() || child.try_wait().expect("wait").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let _ = child.kill();
    let _ = child.wait();
    for (i, n) in names.iter().enumerate() {
        let now = fs::read(reports.join(n)).expect("still there");
        assert!(
            now == old[i] || now == new[i],
            "{n} is neither the old nor the new version"
        );
    }
    for c in charts(&reports) {
        let len = fs::metadata(reports.join("charts").join(&c))
            .expect("chart")
            .len();
        assert!(len > 0, "charts/{c} is empty");
    }

    // charts/ as a link out of the directory is refused, and nothing is written there.
    let elsewhere = d.join("elsewhere");
    fs::create_dir(&elsewhere).expect("dir");
    let linked = d.join("linked");
    fs::create_dir(&linked).expect("dir");
    symlink(&elsewhere, linked.join("charts")).expect("symlink");
    ptuplan()
        .arg("report")
        .arg(&hostile)
        .arg("--out-dir")
        .arg(&linked)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is a symbolic link; refusing to follow it",
        ));
    assert_eq!(fs::read_dir(&elsewhere).expect("dir").count(), 0);
}

/// Guarantee 5: every flag and generator is bounded: an out-of-range value is a usage error
/// (exit status 2) with the range in the message, never an abort or a silent clamp.
#[test]
fn issue_12_flags_and_generators_are_bounded() {
    let dir = TempDir::new().expect("temp dir");
    let out = dir.path().join("s.csv");
    let out = out.to_str().expect("utf-8");
    let log = fixture("good/tiny.csv");
    let log = log.to_str().expect("utf-8");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["sample", "--requests", "18446744073709551615", "--out", out],
            "1..=1000000000",
        ),
        (
            vec!["sample", "--requests", "0", "--out", out],
            "1..=1000000000",
        ),
        (vec!["sample", "--days", "401", "--out", out], "1..=400"),
        (
            vec!["sample", "--start", "9999-12-31", "--out", out],
            "out of range",
        ),
        (
            vec!["sample", "--start", "1969-12-31", "--out", out],
            "out of range",
        ),
        (
            vec!["compare", log, "--max-retries", "4294967295"],
            "0..=100",
        ),
        (
            vec!["compare", log, "--reserve", "4294967295"],
            "from 0 to 1000000",
        ),
        (
            vec!["compare", log, "--missing-max-tokens", "4294967295"],
            "from 1 to 1000000",
        ),
        (vec!["compare", log, "--threads", "0"], "1..=64"),
        (vec!["compare", log, "--sweep-points", "65"], "2..=64"),
        (
            vec!["compare", log, "--bucket-window-s", "1e300"],
            "between 0.1 and 3600",
        ),
        (
            vec!["compare", log, "--max-throttle-pct", "NaN"],
            "`NaN` is not a number",
        ),
        (
            vec!["compare", log, "--fail-on", "monthly_cost_usd>1e999"],
            "not a finite number",
        ),
        (
            vec!["catalog", "refresh", "--max-attempts", "11", "--out", out],
            "1..=10",
        ),
    ];
    for (args, phrase) in cases {
        let o = ptuplan().args(&args).output().expect("runs");
        let stderr = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(phrase), "{args:?}: {stderr}");
        assert!(!Path::new(out).exists(), "{args:?} wrote output");
    }
    // At the edge of the accepted range the generated log is still one the readers accept.
    ptuplan()
        .args([
            "sample",
            "--days",
            "1",
            "--requests",
            "3",
            "--start",
            "9998-12-01",
            "--quiet",
            "--out",
            out,
        ])
        .assert()
        .success();
    ptuplan()
        .args(["compare", out, "--quiet"])
        .assert()
        .success();
}

/// Guarantee 9: conflicts are errors, never a silent choice: two discounts (or quotes,
/// availability facts, capacity limits) for one scope, a deployment mapped twice, and a
/// `--model-map` entry that names no deployment of the log or that the model column overrides.
#[test]
fn issue_12_conflicts_are_errors() {
    let dir = TempDir::new().expect("temp dir");
    let tiny = fixture("good/tiny.csv");
    let cases = [
        ("discounts:\n  - percent: 5\n  - percent: 10\n", "overrides.yaml:3: a second discount for all (the first is at"),
        (
            "discounts:\n  - model: gpt-4o\n    percent: 5\n  - model: gpt-4o\n    percent: 7\n",
            "overrides.yaml:4: a second discount for gpt-4o per-token",
        ),
        (
            "capacity:\n  - deployment_type: global-provisioned\n    region: eastus2\n    max_ptus: 100\n  - deployment_type: global-provisioned\n    region: EastUS2\n    max_ptus: 50\n",
            "a second capacity limit for global-provisioned in eastus2",
        ),
        (
            "availability:\n  - deployment_type: global-provisioned\n    region: eastus2\n    available: true\n  - deployment_type: global-provisioned\n    region: eastus2\n    available: false\n",
            "a second availability entry for every model global-provisioned in eastus2",
        ),
        (
            "quotes:\n  - deployment_type: global-provisioned\n    region: eastus2\n    usd_per_ptu_hour: 0.9\n    source: q1\n    as_of: 2026-01-01\n  - deployment_type: global-provisioned\n    region: eastus2\n    usd_per_ptu_hour: 0.8\n    source: q2\n    as_of: 2026-01-01\n",
            "a second quote for global-provisioned in eastus2",
        ),
    ];
    for (yaml, phrase) in cases {
        let path = dir.path().join("overrides.yaml");
        fs::write(&path, yaml).expect("write");
        ptuplan()
            .arg("compare")
            .arg(&tiny)
            .arg("--overrides")
            .arg(&path)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(phrase));
    }
    let no_model = fixture("good/tiny-no-model.csv");
    for (log, maps, phrase) in [
        (
            &no_model,
            vec!["chat=gpt-4o", "chat=gpt-4.1"],
            "maps deployment `chat` twice, to `gpt-4o` and to `gpt-4.1`",
        ),
        (
            &no_model,
            vec!["chat=gpt-4o", "chta=gpt-4o"],
            "--model-map chta=gpt-4o: no row of the log has deployment `chta`",
        ),
        (
            &tiny,
            vec!["chat=gpt-4.1"],
            "--model-map chat=gpt-4.1: the log's model column gives `gpt-4o` for deployment `chat`",
        ),
    ] {
        let mut cmd = ptuplan();
        cmd.arg("compare").arg(log);
        for m in maps {
            cmd.args(["--model-map", m]);
        }
        cmd.assert()
            .code(2)
            .stderr(predicate::str::contains(phrase));
    }
    // Agreeing with the model column (versioned or not), or repeating an entry, is fine.
    ptuplan()
        .arg("compare")
        .arg(&tiny)
        .args([
            "--quiet",
            "--model-map",
            "chat=gpt-4o",
            "--model-map",
            "chat=gpt-4o",
        ])
        .assert()
        .success();
}

/// A copy of the bundled catalog in `dir`, with `pricing.yaml` passed through `edit`.
fn catalog_copy(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let catalog = dir.join("catalog");
    fs::create_dir_all(&catalog).expect("dir");
    for name in DATA_FILES {
        let text = fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("data")
                .join(name),
        )
        .expect("data file");
        let text = if name == "pricing.yaml" {
            edit(text)
        } else {
            text
        };
        fs::write(catalog.join(name), text).expect("write");
    }
    catalog
}

/// Guarantee 10: absurd figures fail validation in the catalog, a prices file and an
/// overrides file alike, through one shared check; a catalog with holes never yields a $0
/// plan, and a budget rule fails when some workloads have no recommendation.
#[test]
fn issue_12_absurd_figures_fail_and_holes_never_pass_a_budget() {
    let dir = TempDir::new().expect("temp dir");
    let tiny = fixture("good/tiny.csv");
    // The catalog.
    for (figure, phrase) in [
        (
            "1e300",
            "`input_usd_per_1m` 1e300 USD per 1M tokens is above the sanity bound of 1000",
        ),
        (
            ".inf",
            "`input_usd_per_1m` must be a positive number, got inf",
        ),
        (
            "-2.5",
            "`input_usd_per_1m` must be a positive number, got -2.5",
        ),
    ] {
        let catalog = catalog_copy(&dir.path().join(figure), |t| {
            t.replacen(
                "input_usd_per_1m: 2.5\n",
                &format!("input_usd_per_1m: {figure}\n"),
                1,
            )
        });
        ptuplan()
            .args(["catalog", "validate", "--catalog"])
            .arg(&catalog)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(phrase));
    }
    // Explicitly marked, a figure above the bound is accepted (never a non-finite one).
    let marked = catalog_copy(&dir.path().join("marked"), |t| {
        t.replacen(
            "input_usd_per_1m: 2.5\n",
            "input_usd_per_1m: 2500.0\n    accept_outlier: \"test: a deliberately dear model\"\n",
            1,
        )
    });
    ptuplan()
        .args(["catalog", "validate", "--catalog"])
        .arg(&marked)
        .assert()
        .success();
    // A prices file.
    let prices = dir.path().join("prices.yaml");
    fs::write(
        &prices,
        "as_of: 2026-05-01\nendpoint: http://127.0.0.1/x\ntoken_prices: []\nptu_prices:\n  - deployment_type: global-provisioned\n    regions: [eastus2]\n    usd_per_ptu_hour: 1.0e9\n    reservation_1_month_usd_per_ptu: 260.0\n    reservation_1_year_usd_per_ptu: 2652.0\n    source: s\n    as_of: 2026-05-01\n",
    )
    .expect("write");
    ptuplan()
        .arg("compare")
        .arg(&tiny)
        .arg("--prices")
        .arg(&prices)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("prices.yaml:5: ptu_prices[0]").and(predicate::str::contains(
                "`usd_per_ptu_hour` 1e9 USD per PTU-hour is above the sanity bound of 100",
            )),
        );
    // An overrides file: a quote and a currency rate.
    let overrides = dir.path().join("overrides.yaml");
    fs::write(
        &overrides,
        "currency:\n  code: EUR\n  per_usd: 1e12\nquotes:\n  - deployment_type: global-provisioned\n    region: eastus2\n    usd_per_ptu_hour: 5000.0\n    reservation_1_month_usd_per_ptu: 260.0\n    reservation_1_year_usd_per_ptu: 2652.0\n    source: q\n    as_of: 2026-01-01\n",
    )
    .expect("write");
    ptuplan()
        .arg("compare")
        .arg(&tiny)
        .arg("--overrides")
        .arg(&overrides)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("overrides.yaml:5: `usd_per_ptu_hour` 5000 USD per PTU-hour is above the sanity bound")
                .and(predicate::str::contains("`per_usd` 1e12 per USD is above the sanity bound")),
        );

    // A catalog with no per-token price for gpt-4o...
    let holes = catalog_copy(&dir.path().join("holes"), |t| {
        let mut out = String::new();
        let mut skip = false;
        for line in t.lines() {
            if line.starts_with("  - ") {
                skip = line == "  - model: gpt-4o";
            } else if !line.starts_with("    ") {
                skip = false;
            }
            if !skip {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    });
    // ...and no PTU deployment offered in the log's region (sales facts).
    let unavailable = dir.path().join("unavailable.yaml");
    fs::write(
        &unavailable,
        ["global", "data-zone", "regional"]
            .map(|t| format!("  - deployment_type: {t}-provisioned\n    region: eastus2\n    available: false\n"))
            .iter()
            .fold("availability:\n".to_owned(), |acc, e| acc + e),
    )
    .expect("write");
    let out = ptuplan()
        .arg("compare")
        .arg(&tiny)
        .arg("--catalog")
        .arg(&holes)
        .arg("--overrides")
        .arg(&unavailable)
        .args(["--fail-on", "monthly_cost_usd>1000"])
        .output()
        .expect("runs");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(3),
        "a budget rule fails on an incomplete plan: {stderr}"
    );
    assert!(
        stdout.contains("No decided plan: none of the 1 workload(s) has an eligible option"),
        "{stdout}"
    );
    assert!(!stdout.contains("0.00 USD per month"), "{stdout}");
    assert!(stderr.contains("monthly_cost_usd>1000 breached: the plan is incomplete (1 of 1 workload(s) have no recommendation: chat)"), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(
        &ptuplan()
            .arg("compare")
            .arg(&tiny)
            .arg("--catalog")
            .arg(&holes)
            .arg("--overrides")
            .arg(&unavailable)
            .args(["--format", "json", "--quiet"])
            .output()
            .expect("runs")
            .stdout,
    )
    .expect("json");
    assert_eq!(v["summary"]["complete"], false);
    assert_eq!(v["summary"]["workloads_without_recommendation"], 1);
    assert!(v["workloads"][0]["recommended"].is_null());
    ptuplan()
        .arg("compare")
        .arg(&tiny)
        .arg("--catalog")
        .arg(&holes)
        .arg("--overrides")
        .arg(&unavailable)
        .args([
            "--quiet",
            "--fail-on",
            "monthly_cost_usd>1000",
            "--allow-partial-plan",
        ])
        .assert()
        .success();
}

/// A JSON Lines value of the wrong kind names its field by path, read by one thread or
/// several: `deployment` holding an object, `usage.prompt_tokens` an array, `usage` or a
/// details object an array (which serde alone would read by position), a repeated detail key.
#[test]
fn issue_22_a_jsonl_value_of_the_wrong_kind_names_its_field() {
    let dir = TempDir::new().expect("temp dir");
    let cases = [
        (
            "\"deployment\":\"chat\"",
            "\"deployment\":{\"a\":1}",
            "field `deployment`: invalid JSON: invalid type: map, expected a string",
        ),
        (
            "\"prompt_tokens\":",
            "\"prompt_tokens\":[1],\"x\":",
            "field `usage.prompt_tokens`: invalid JSON: invalid type: sequence",
        ),
        // An array where an object belongs is refused, never read by position.
        (
            "\"usage\":{",
            "\"usage\":[100,20],\"u\":{",
            "field `usage`: invalid JSON: invalid type: sequence, expected an object",
        ),
        // So is a details array: `[1920, 0]` is not 1,920 cached and 0 cache-write tokens.
        (
            "\"prompt_tokens\":",
            "\"prompt_tokens_details\":[1920,0],\"prompt_tokens\":",
            "field `usage.prompt_tokens_details`: invalid JSON: invalid type: sequence, expected an object",
        ),
        (
            "\"completion_tokens\":",
            "\"completion_tokens_details\":{\"reasoning_tokens\":1,\"reasoning_tokens\":2},\"completion_tokens\":",
            "field `usage.completion_tokens_details.reasoning_tokens`: invalid JSON: duplicate field `reasoning_tokens`",
        ),
        (
            "\"model\":",
            "\"deployment\":\"x\",\"model\":",
            "field `deployment`: invalid JSON: duplicate field `deployment`",
        ),
    ];
    for (from, to, want) in cases {
        let bytes = jsonl_log(3000, "\n", |i, r| {
            if i == 2500 {
                r.replacen(from, to, 1)
            } else {
                r
            }
        });
        let path = dir.path().join("kind.jsonl");
        std::fs::write(&path, bytes).expect("write");
        for threads in [1, 2] {
            let (code, _, stderr) = compare_with_threads(&path, threads, &[]);
            assert_eq!(code, Some(1), "{stderr}");
            assert!(stderr.contains(":2501: "), "{stderr}");
            assert!(stderr.contains(want), "{threads} threads: {stderr}");
        }
    }
}

// Findings of a new user's walkthrough and of a hostile test of the flags (2026-12-07): usage
// errors exit 2, inputs are never overwritten or read without a bound, and what the plan cannot
// price or size is said.

fn tiny() -> PathBuf {
    fixture("good/tiny.csv")
}

/// `tiny()` rewritten by `edit`, as `name` in `dir`.
fn tiny_edited(dir: &TempDir, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let path = dir.path().join(name);
    let text = std::fs::read_to_string(tiny()).expect("read");
    std::fs::write(&path, edit(text)).expect("write");
    path
}

#[test]
fn bad_flag_and_environment_values_are_usage_errors() {
    let log = tiny();
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "--migrate",
                "gpt-4o=gpt-5.1",
                "--migrate-factors",
                "prompt=1e-9",
            ],
            "prompt=1e-9: the factor must be at least 0.01",
        ),
        (
            &["--generated-at", "yesterday"],
            "--generated-at `yesterday`",
        ),
        (&["--residency", "mars"], "--residency mars"),
        (
            &["--quota-tpm", "gpt-9=5000000"],
            "quota for unknown model `gpt-9`",
        ),
        (
            &["--move-region", "mars"],
            "--move-region: unknown region `mars`",
        ),
    ];
    for (flags, says) in cases {
        ptuplan()
            .arg("compare")
            .arg(&log)
            .args(["--as-of", "2026-12-01"])
            .args(flags)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    }
    ptuplan()
        .arg("compare")
        .arg(&log)
        .env("SOURCE_DATE_EPOCH", "abc")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "SOURCE_DATE_EPOCH `abc` is not Unix seconds",
        ));
}

#[test]
fn a_workload_whose_requests_all_failed_is_named() {
    let dir = TempDir::new().expect("dir");
    let text = std::fs::read_to_string(tiny()).expect("tiny");
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    let status = header
        .split(',')
        .position(|c| c == "status")
        .expect("a status column");
    let mut out = format!("{header}\n");
    for line in lines {
        let mut cells: Vec<&str> = line.split(',').collect();
        cells[status] = "429";
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    let log = dir.path().join("failed.csv");
    std::fs::write(&log, out).expect("write");
    ptuplan()
        .arg("compare")
        .arg(&log)
        .args(["--as-of", "2026-12-01"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "of its logged requests failed (no 2xx status)",
        ));
}

#[test]
fn a_date_before_the_models_prices_is_said() {
    // gpt-5.1's prices are in force from its release (2025-11); gpt-4o's have no start.
    let dir = TempDir::new().expect("dir");
    let log = dir.path().join("new-model.csv");
    let text = std::fs::read_to_string(tiny()).expect("tiny");
    std::fs::write(&log, text.replace(",gpt-4o,", ",gpt-5.1,")).expect("write");
    ptuplan()
        .arg("compare")
        .arg(&log)
        .args(["--as-of", "2020-01-01"])
        .assert()
        .stderr(predicate::str::contains(
            "is in force on 2020-01-01 (the run's --as-of)",
        ));
    ptuplan()
        .arg("compare")
        .arg(&log)
        .args(["--as-of", "2026-12-01"])
        .assert()
        .success()
        .stderr(predicate::str::contains("no per-token price").not());
}

#[test]
fn the_quota_file_is_never_overwritten() {
    let dir = TempDir::new().expect("dir");
    let quota = dir.path().join("q.yaml");
    let text = "quotas:\n  - {model: gpt-5.1, tpm: 100000}\n";
    std::fs::write(&quota, text).expect("write");
    ptuplan()
        .arg("compare")
        .arg(tiny())
        .args(["--as-of", "2026-12-01", "--format", "json", "--quota-file"])
        .arg(&quota)
        .arg("--out")
        .arg(&quota)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("it is the input"));
    assert_eq!(std::fs::read_to_string(&quota).expect("kept"), text);
}

#[cfg(unix)]
#[test]
fn settings_and_report_files_are_read_within_a_bound() {
    let dir = TempDir::new().expect("dir");
    let report = dir.path().join("r.json");
    ptuplan()
        .arg("compare")
        .arg(tiny())
        .args(["--as-of", "2026-12-01", "--format", "json", "--out"])
        .arg(&report)
        .assert()
        .success();
    ptuplan()
        .args(["diff", "/dev/zero"])
        .arg(&report)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("longer than 256 MiB"));
    for flag in ["--scenarios", "--overrides", "--quota-file", "--prices"] {
        ptuplan()
            .arg("compare")
            .arg(tiny())
            .args(["--as-of", "2026-12-01", flag, "/dev/zero"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("longer than 64 MiB"));
    }
}

#[cfg(target_os = "linux")]
#[test]
fn completions_on_a_full_device_are_an_error_not_a_panic() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("ptuplan"))
        .args(["completions", "bash"])
        .stdout(full)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("writing the completion script"), "{stderr}");
}

/// Two instructions that disagree about what a file holds are refused, not settled silently:
/// CSV written into `x.json`, a sample log written as CSV into `s.parquet`. Nothing is written.
#[test]
fn an_output_named_for_another_format_is_refused() {
    let dir = TempDir::new().expect("tmp");
    let out = dir.path().join("plan.json");
    ptuplan()
        .arg("compare")
        .arg(tiny())
        .args(["--as-of", "2026-12-01", "--format", "csv", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "names a json file, but --format csv writes csv",
        ));
    assert!(!out.exists());
    // FOCUS is CSV, and Markdown is text: no conflict; with the format named, a name no format
    // owns is the user's choice.
    for (name, format) in [
        ("focus.csv", "focus"),
        ("plan.txt", "markdown"),
        ("plan.out", "json"),
    ] {
        ptuplan()
            .arg("compare")
            .arg(tiny())
            .args([
                "--as-of",
                "2026-12-01",
                "--quiet",
                "--format",
                format,
                "--out",
            ])
            .arg(dir.path().join(name))
            .assert()
            .success();
    }
    // Nor a compressed, Parquet, JSON Lines, YAML, HTML or TSV name for an output written as
    // plain text (tester35 F6: these got the terminal table).
    for name in [
        "plan.json.gz",
        "plan.csv.gz",
        "plan.parquet",
        "plan.ndjson",
        "plan.xml",
        "plan.html",
        "plan.tsv",
        "plan.arrow",
    ] {
        ptuplan()
            .arg("compare")
            .arg(tiny())
            .args(["--as-of", "2026-12-01", "--out"])
            .arg(dir.path().join(name))
            .assert()
            .code(2)
            .stderr(predicate::str::contains("would be misread"));
        assert!(!dir.path().join(name).exists());
    }
    // The terminal table is not Markdown, and an extension no format owns is not guessed.
    for (name, format, said) in [
        (
            "plan.md",
            Some("table"),
            "names a markdown file, but --format table",
        ),
        ("plan.v2", None, "no format is named `.v2`"),
        ("plan.yaml", None, "no format is named `.yaml`"),
        // A file named only for its format is named for it (tester36).
        (".json", Some("csv"), "names a json file, but --format csv"),
        (".gz", None, "would be misread"),
    ] {
        let mut cmd = ptuplan();
        cmd.arg("compare")
            .arg(tiny())
            .args(["--as-of", "2026-12-01"]);
        if let Some(f) = format {
            cmd.args(["--format", f]);
        }
        cmd.arg("--out")
            .arg(dir.path().join(name))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(said));
        assert!(!dir.path().join(name).exists());
    }
    let parquet = dir.path().join("s.parquet");
    ptuplan()
        .args(["sample", "--requests", "10", "--out"])
        .arg(&parquet)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sample writes CSV or JSON Lines"));
    assert!(!parquet.exists());
}

/// A log dated before Azure OpenAI existed was misread: it is said, with the date. A token
/// column mapped as the timestamp (a Unix time below 1e8, 1970) is refused with its line.
#[test]
fn a_log_from_before_azure_openai_is_said() {
    ptuplan()
        .arg("compare")
        .arg(tiny())
        .args([
            "--as-of",
            "2026-12-01",
            "--columns",
            "timestamp=prompt_tokens,deployment=deployment,model=model,region=region,prompt_tokens=prompt_tokens,completion_tokens=completion_tokens",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "tiny.csv:2: field `timestamp`: `1000` is too small for a Unix time",
        ));
    let dir = TempDir::new().expect("tmp");
    let old = tiny_edited(&dir, "old.csv", |t| {
        t.replace(",2026-", ",2019-").replace("\n2026-", "\n2019-")
    });
    ptuplan()
        .arg("compare")
        .arg(&old)
        .args(["--as-of", "2026-12-01"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("the log starts at 2019-")
                .and(predicate::str::contains("before Azure OpenAI existed")),
        );
    ptuplan()
        .arg("compare")
        .arg(tiny())
        .args(["--as-of", "2026-12-01"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("before Azure OpenAI")
                .not()
                .and(predicate::str::contains("after today").not()),
        );
    // And one dated decades ahead (tester35 L1): the same rows, forty years on.
    let ahead = tiny_edited(&dir, "ahead.csv", |t| {
        t.replace(",2026-", ",2066-").replace("\n2026-", "\n2066-")
    });
    ptuplan()
        .arg("compare")
        .arg(&ahead)
        .args(["--as-of", "2026-12-01"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("the log ends at 2066-")
                .and(predicate::str::contains("after today")),
        );
}

/// `--focus-scenario` naming no scenario lists the run's, and says the automatic retirement
/// scenario is there only when a workload retires (tester35 L1: it was listed as if certain,
/// and naming it then failed as "dropped").
#[test]
fn an_unknown_focus_scenario_lists_what_the_run_can_have() {
    ptuplan()
        .arg("compare")
        .arg(tiny())
        .args(["--as-of", "2026-12-01", "--format", "focus", "--focus-scenario", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--focus-scenario nope: no such scenario; this run has baseline, retirement (only if a workload of the log retires)",
        ));
    // Naming it where nothing retires is a usage error too (it was exit 1).
    let dir = TempDir::new().expect("tmp");
    let log = tiny_edited(&dir, "terra.csv", |t| {
        t.replace(",gpt-4o-2024-11-20,", ",gpt-4o,")
            .replace(",gpt-4o,", ",gpt-5.6-terra,")
    });
    ptuplan()
        .arg("compare")
        .arg(&log)
        .args(["--as-of", "2026-12-01"])
        .args(["--format", "focus", "--focus-scenario", "retirement"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the scenario was dropped"));
}

/// A scenario of the user's named like an automatic one used to replace it without a word.
#[test]
fn the_automatic_scenarios_names_are_kept() {
    let dir = TempDir::new().expect("tmp");
    let file = dir.path().join("s.yaml");
    fs::write(&file, "- name: retirement\n  transforms:\n    - scale: 2\n").expect("write");
    ptuplan()
        .arg("compare")
        .arg(tiny())
        .args(["--as-of", "2026-12-01", "--scenarios"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "scenario name `retirement` is kept for the automatic scenario",
        ));
    ptuplan()
        .arg("compare")
        .arg(tiny())
        .args([
            "--as-of",
            "2026-12-01",
            "--scale",
            "2",
            "--scenario-name",
            "Forecast",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("scenario name `Forecast` is kept"));
}

/// A rate for USD other than 1 would scale every figure while still saying USD.
#[test]
fn a_usd_rate_other_than_one_is_refused() {
    let dir = TempDir::new().expect("tmp");
    let file = dir.path().join("o.yaml");
    fs::write(
        &file,
        "currency:\n  code: USD\n  per_usd: 0.9\n  source: \"test\"\n  as_of: 2026-12-01\n",
    )
    .expect("write");
    ptuplan()
        .arg("compare")
        .arg(tiny())
        .args(["--as-of", "2026-12-01", "--overrides"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "o.yaml:1: currency USD with per_usd 0.9",
        ));
}

/// An environment variable set to the empty string is named, not the flag it stands for (the
/// user typed no `--catalog`); a flag typed empty is still the flag's error.
#[test]
fn an_empty_environment_variable_is_named_not_its_flag() {
    for (var, flag) in [
        ("PTUPLAN_CATALOG", "`--catalog`"),
        ("PTUPLAN_AS_OF", "`--as-of`"),
        ("PTUPLAN_OVERRIDES", "`--overrides`"),
    ] {
        ptuplan()
            .args(["compare", "--sample", "--quiet"])
            .env(var, "")
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "the environment variable {var} is set but empty, and it gives {flag} its value"
            )))
            // As clap's own errors under a subcommand: no top-level usage line.
            .stderr(predicate::str::contains("Usage:").not());
    }
    ptuplan()
        .args(["compare", "--sample", "--quiet", "--as-of="])
        .env("PTUPLAN_AS_OF", "")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "invalid value '' for '--as-of <DATE>'",
        ));
}
