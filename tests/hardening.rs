//! Issue 12: hostile and odd input never corrupts, escapes, exhausts or misleads. Each test
//! runs the real binary and checks one guarantee of the README's "Reliability" section; the
//! fixtures are described in `tests/fixtures/README.md` and `tests/fixtures/reports/README.md`.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
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
