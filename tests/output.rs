//! Output people can act on (issue 14), through the real binary: the terminal summary at 100
//! columns (snapshots), no stdout line wider than that, notes and warnings on stderr only,
//! short logs saying they are projected, one OS error text per error, budget rules in percent
//! that no dropped workload can pass, `diff` warning about differing settings, completions and
//! the man page.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn ptuplan() -> Command {
    let mut cmd = Command::cargo_bin("ptuplan").expect("binary builds");
    cmd.env_remove("SOURCE_DATE_EPOCH")
        .env("PTUPLAN_AS_OF", "2026-12-01")
        .env_remove("PTUPLAN_CATALOG")
        .env_remove("PTUPLAN_REGION")
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS");
    cmd
}

/// Exit code, stdout and stderr of a run.
fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = ptuplan()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

fn widest(text: &str) -> (usize, String) {
    text.lines()
        .map(|l| (ptuplan::render::layout::display_width(l), l.to_owned()))
        .max_by_key(|(w, _)| *w)
        .unwrap_or_default()
}

#[test]
fn issue_14_summary_snapshots_at_100_columns() {
    // The bundled sample (five workloads: summary and explanations, no option tables) and a
    // PTU-heavy fixture with --details, as a pipe sees them: 100 columns, no colour.
    let (code, sample, _) = run(&["compare"]);
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("summary_sample_100_columns", sample);
    // A relative path, so that the snapshot does not hold the checkout's location.
    let (code, details, _) = run(&[
        "compare",
        "tests/fixtures/good/spill-burst.csv",
        "--bucket-window-s",
        "10",
        "--details",
        "--quiet",
    ]);
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("summary_spill_burst_details_100_columns", details);
}

#[test]
fn issue_14_no_stdout_line_is_wider_than_100_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut runs: Vec<Vec<String>> = vec![
        vec!["compare".into()],
        vec!["compare".into(), "--details".into()],
        vec!["regions".into()],
    ];
    for entry in std::fs::read_dir(fixture("good")).expect("fixtures") {
        let path = entry.expect("entry").path();
        let p = path.to_str().expect("utf-8").to_owned();
        let map: &[&str] = if p.contains("no-model") {
            &["--model-map", "chat=gpt-4o"]
        } else {
            &[]
        };
        for extra in [
            &[][..],
            &["--details"][..],
            &["--max-throttle-rate", "0"][..],
        ] {
            let mut args = vec!["compare".to_owned(), p.clone()];
            args.extend(extra.iter().chain(map).map(|s| s.to_string()));
            runs.push(args);
        }
        let mut regions = vec!["regions".to_owned(), p.clone()];
        regions.extend(map.iter().map(|s| s.to_string()));
        runs.push(regions);
    }
    // diff of two runs with different settings and dropped recommendations.
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    for (out, extra) in [(&a, vec![]), (&b, vec!["--residency", "eu"])] {
        let mut args = vec!["compare", "--format", "json", "--quiet", "--out"];
        args.push(out.to_str().expect("utf-8"));
        args.extend(extra);
        assert_eq!(run(&args).0, Some(0));
    }
    runs.push(vec![
        "diff".into(),
        a.display().to_string(),
        b.display().to_string(),
    ]);
    for args in runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        let (w, line) = widest(&stdout);
        assert!(w <= 100, "{args:?}: a line of {w} columns:\n{line}");
        assert!(
            !stdout.contains('\u{1b}'),
            "{args:?}: no colour off a terminal"
        );
    }
}

#[test]
fn issue_14_notes_and_warnings_go_to_stderr_only() {
    let tiny = fixture("good/tiny.csv");
    let tiny = tiny.to_str().expect("utf-8");
    for format in ["table", "json", "csv", "markdown"] {
        let (code, stdout, stderr) = run(&["compare", tiny, "--format", format]);
        assert_eq!(code, Some(0));
        assert!(!stdout.contains("warning:"), "{format}: {stdout}");
        assert!(
            stderr.contains("warning: chat: 50% of requests logged no max_completion_tokens"),
            "{format}: {stderr}"
        );
    }
    // --quiet silences them; the report formats keep them as data.
    let (_, stdout, stderr) = run(&["compare", tiny, "--format", "json", "--quiet"]);
    assert!(stderr.is_empty(), "{stderr}");
    let v: Value = serde_json::from_str(&stdout).expect("json");
    assert!(v["warnings"].as_array().expect("warnings").len() >= 2);
}

#[test]
fn issue_14_a_log_shorter_than_a_week_says_it_is_projected_in_every_format() {
    let tiny = fixture("good/tiny.csv");
    let tiny = tiny.to_str().expect("utf-8");
    let phrase = "the log covers only 2 min (less than 7 days)";
    let (_, table, _) = run(&["compare", tiny, "--quiet"]);
    assert!(table.contains(&format!("Note: {phrase}")), "{table}");
    let (_, md, _) = run(&["compare", tiny, "--quiet", "--format", "markdown"]);
    assert!(md.contains(phrase), "{md}");
    let (_, csv, _) = run(&["compare", tiny, "--quiet", "--format", "csv"]);
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let headers = rows.headers().expect("header").clone();
    let col = headers
        .iter()
        .position(|h| h == "projection_note")
        .expect("projection_note column");
    for row in rows.records() {
        assert!(row.expect("row")[col].starts_with(phrase));
    }
    let (_, json, _) = run(&["compare", tiny, "--quiet", "--format", "json"]);
    let v: Value = serde_json::from_str(&json).expect("json");
    assert!(v["input"]["projection_note"]
        .as_str()
        .expect("note")
        .starts_with(phrase));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("r");
    let out = out.to_str().expect("utf-8");
    assert_eq!(
        run(&["report", tiny, "--quiet", "--out-dir", out]).0,
        Some(0)
    );
    let html = std::fs::read_to_string(Path::new(out).join("report.html")).expect("html");
    assert!(html.contains(phrase));
    // Thirty days are not short: no note.
    let (_, json, _) = run(&["compare", "--quiet", "--format", "json"]);
    let v: Value = serde_json::from_str(&json).expect("json");
    assert!(v["input"]["projection_note"].is_null());
}

#[test]
fn issue_14_one_os_error_text_per_error_and_no_repeated_phrases() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.csv");
    let missing = missing.to_str().expect("utf-8");
    for args in [
        vec!["compare", missing],
        vec!["compare", "--prices", missing],
        vec!["compare", "--quota-file", missing],
        vec!["diff", missing, missing],
        vec!["compare", "--catalog", missing],
    ] {
        let (code, _, stderr) = run(&args);
        assert_eq!(code, Some(1), "{args:?}");
        assert_eq!(
            stderr.matches("No such file or directory").count(),
            1,
            "{args:?}: {stderr}"
        );
    }
    let tiny = fixture("good/tiny.csv");
    let (_, table, _) = run(&[
        "compare",
        tiny.to_str().expect("utf-8"),
        "--quiet",
        "--details",
    ]);
    // Wrapped to 100 columns: compare the words.
    let flat = table.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("(not a reasoning model)"), "{table}");
    assert!(!flat.contains("reasoning, no reasoning"));
    assert!(flat.contains("(1 request with a latency)"), "{table}");
    assert!(!flat.contains("(1 workloads)"), "{table}");
}

#[test]
fn issue_14_throttle_rate_rules_are_in_percent() {
    let burst = fixture("good/spill-burst.csv");
    let burst = burst.to_str().expect("utf-8");
    // A 0.5 threshold is 0.5%, not 50% (as before 0.2.0): said on stderr. The decision fails
    // no request, so it passes.
    let (code, _, stderr) = run(&["compare", burst, "--fail-on", "failed_pct>0.5"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("budget rule failed_pct>0.5 passed: actual 0 not > threshold 0.5"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "failed_pct is in percent (since 0.2.0, like --max-throttle-pct), so 0.5 means 0.5%"
        ),
        "{stderr}"
    );
    // The name before 0.3.0 reads the same metric, with a note naming the new one.
    let (code, _, stderr) = run(&["compare", burst, "--fail-on", "throttle_rate>2"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("note: --fail-on metric throttle_rate is deprecated and will be removed in a later version; use failed_pct"),
        "{stderr}"
    );
    assert!(
        stderr.contains("budget rule failed_pct>2 passed"),
        "{stderr}"
    );
    assert!(!stderr.contains("is in percent"), "{stderr}");
}

#[test]
fn issue_14_workloads_dropping_out_never_pass_a_cost_increase_rule() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = dir.path().join("base.json");
    let base = base.to_str().expect("utf-8");
    assert_eq!(
        run(&["compare", "--format", "json", "--quiet", "--out", base]).0,
        Some(0)
    );
    // --residency eu leaves only rag-eu with a recommendation: the total drops by 85%.
    let (code, _, stderr) = run(&[
        "compare",
        "--sample",
        "--residency",
        "eu",
        "--baseline",
        base,
        "--fail-on",
        "monthly_cost_increase_pct>10",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains(
            "4 of 5 workload(s) have no recommendation: agent, assist, chat-prod, sol-agent"
        ),
        "{stderr}"
    );
    // It warns that the settings differ from the baseline's.
    assert!(
        stderr.contains("assumptions.plan.constraints.residency null -> \"eu\""),
        "{stderr}"
    );
    // Judged anyway, like with like: rag-eu against rag-eu, the dropped ones named.
    let (code, _, stderr) = run(&[
        "compare",
        "--sample",
        "--residency",
        "eu",
        "--baseline",
        base,
        "--allow-partial-plan",
        "--fail-on",
        "monthly_cost_increase_pct>15",
        "--format",
        "json",
    ]);
    // rag-eu moves to Data Zone Standard (+10%, 273.77 -> 301.14): within 15%.
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("decided plan went from 273.77 to 301.14 USD per month"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "left out on both sides: 4 workload(s) that lost their recommendation (agent, assist, chat-prod, sol-agent)"
        ),
        "{stderr}"
    );
}

#[test]
fn issue_14_diff_warns_when_the_runs_settings_differ() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    let (a, b) = (a.to_str().expect("utf-8"), b.to_str().expect("utf-8"));
    assert_eq!(
        run(&["compare", "--format", "json", "--quiet", "--out", a]).0,
        Some(0)
    );
    let (_, _, stderr) = run(&["diff", a, a]);
    assert!(!stderr.contains("different settings"), "{stderr}");
    let mut cmd = ptuplan();
    cmd.env("PTUPLAN_AS_OF", "2026-11-01").args([
        "compare",
        "--format",
        "json",
        "--quiet",
        "--max-throttle-rate",
        "2",
        "--out",
        b,
    ]);
    assert!(cmd.output().expect("runs").status.success());
    let (code, _, stderr) = run(&["diff", a, b]);
    assert_eq!(code, Some(0));
    for change in [
        "catalog.in_force_on \"2026-12-01\" -> \"2026-11-01\"",
        "assumptions.plan.max_throttle_rate 1% -> 2%",
    ] {
        assert!(stderr.contains(change), "{change}: {stderr}");
    }
    let (_, json, _) = run(&["diff", a, b, "--format", "json"]);
    let v: Value = serde_json::from_str(&json).expect("json");
    assert_eq!(
        v["settings_changes"].as_array().expect("changes").len(),
        2,
        "{v}"
    );
    let (_, md, _) = run(&["diff", a, b, "--format", "markdown"]);
    assert!(md.contains("> **Warning:** the two reports were made with different settings"));
}

#[test]
fn issue_14_completions_and_man_pages_come_from_the_cli() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let (code, script, _) = run(&["completions", shell]);
        assert_eq!(code, Some(0), "{shell}");
        for word in ["compare", "fail-on", "details", "allow-partial-plan"] {
            assert!(script.contains(word), "{shell}: {word}");
        }
    }
    // bash loads it and registers the completion.
    let (_, script, _) = run(&["completions", "bash"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ptuplan.bash");
    std::fs::write(&path, script).expect("write");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && complete -p ptuplan",
            path.display()
        ))
        .output()
        .expect("bash runs");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("ptuplan"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, page, _) = run(&["man"]);
    assert_eq!(code, Some(0));
    assert!(
        page.starts_with(".ie") || page.contains(".TH ptuplan 1"),
        "{page}"
    );
    assert!(page.contains("compare"));
    let man_dir = dir.path().join("man1");
    let (code, _, stderr) = run(&["man", "--out-dir", man_dir.to_str().expect("utf-8")]);
    assert_eq!(code, Some(0), "{stderr}");
    let compare = std::fs::read_to_string(man_dir.join("ptuplan-compare.1")).expect("page");
    assert!(compare.contains("max\\-throttle\\-rate"), "{compare}");
    assert!(man_dir.join("ptuplan.1").is_file());
    assert!(man_dir.join("ptuplan-report.1").is_file());
}
