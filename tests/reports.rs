//! Integration tests of `report`, `diff` and `--fail-on`: run the real binary on
//! `tests/fixtures/reports/` (see its README) and check exit codes, key stderr phrases and the
//! files written. `example_reports_are_up_to_date` regenerates `reports/` and fails on drift.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reports")
        .join(name)
}

/// The binary with an environment that cannot change its output.
fn ptuplan() -> Command {
    let mut cmd = Command::cargo_bin("ptuplan").expect("binary builds");
    cmd.env_remove("SOURCE_DATE_EPOCH")
        // Prices in time and lifecycles: every run is "as of" the catalog's December 2026.
        .env("PTUPLAN_AS_OF", "2026-12-01")
        .env_remove("PTUPLAN_CATALOG")
        .env_remove("PTUPLAN_REGION")
        .env("NO_COLOR", "1");
    cmd
}

/// `report` on the hostile fixture into a fresh directory.
fn report_hostile(extra: &[&str]) -> (TempDir, assert_cmd::assert::Assert) {
    let dir = TempDir::new().expect("temp dir");
    let assert = ptuplan()
        .arg("report")
        .arg(fixture("hostile.csv"))
        .arg("--out-dir")
        .arg(dir.path())
        .args(extra)
        .assert();
    (dir, assert)
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A small well-formedness check: every tag closes in order, no stray `<` or `&`.
fn assert_well_formed_xml(name: &str, text: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = text.trim();
    if let Some(after) = rest.strip_prefix("<?xml") {
        rest = &after[after.find("?>").expect("xml declaration ends") + 2..];
    }
    while let Some(start) = rest.find('<') {
        let content = &rest[..start];
        for (i, _) in content.match_indices('&') {
            let entity = &content[i..content[i..].find(';').map_or(content.len(), |e| i + e + 1)];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&apos;"].contains(&entity),
                "{name}: stray `&` in `{content}`"
            );
        }
        let end = rest[start..].find('>').expect("tag ends") + start;
        let tag = &rest[start + 1..end];
        assert!(!tag.contains('<'), "{name}: `<` inside tag `{tag}`");
        if let Some(closing) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("{name}: stray </{closing}>"));
            assert_eq!(
                open,
                closing.trim(),
                "{name}: <{open}> closed by </{closing}>"
            );
        } else if !tag.ends_with('/') {
            let elem = tag.split_whitespace().next().unwrap_or("").to_owned();
            stack.push(elem);
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "{name}: unclosed {stack:?}");
    assert!(
        rest.trim().is_empty(),
        "{name}: text after the root element"
    );
}

#[test]
fn report_writes_every_file_and_each_parses() {
    let (dir, assert) = report_hostile(&[]);
    assert
        .success()
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("wrote 29 files"));
    let d = dir.path();

    let json: serde_json::Value =
        serde_json::from_str(&read(&d.join("report.json"))).expect("report.json parses");
    assert_eq!(json["schema_version"], 5);
    assert_eq!(json["workloads"].as_array().map(Vec::len), Some(2));
    assert!(json["workloads"][0]["input_tpm_per_ptu"].is_number());

    let mut csv = csv::Reader::from_path(d.join("options.csv")).expect("options.csv opens");
    let headers = csv.headers().expect("header row").clone();
    assert_eq!(&headers[0], "deployment");
    let rows: Vec<csv::StringRecord> = csv.records().collect::<Result<_, _>>().expect("rows");
    assert!(rows.len() >= 2 * 8, "one row per workload x option");
    assert!(rows.iter().any(|r| &r[0] == "<script>alert(1)</script>"));

    let md = read(&d.join("report.md"));
    assert!(md.starts_with("# ptuplan cost report"));
    assert!(md.contains("<details><summary>"));

    let charts: Vec<PathBuf> = fs::read_dir(d.join("charts"))
        .expect("charts/")
        .map(|e| e.expect("entry").path())
        .collect();
    let svgs: Vec<&PathBuf> = charts
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    let pngs: Vec<&PathBuf> = charts
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    // Token mix, the scenario chart (gpt-4o retires: the retirement scenario), then the band,
    // cost, demand, cost-vs-PTU and heatmap per workload.
    assert_eq!(svgs.len(), 12);
    assert_eq!(pngs.len(), 12);
    for png_path in &pngs {
        let bytes = fs::read(png_path).expect("png reads");
        assert!(
            bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{}",
            png_path.display()
        );
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("PNG header decodes");
        let mut buf = vec![0; reader.output_buffer_size().expect("size")];
        let info = reader.next_frame(&mut buf).expect("PNG frame decodes");
        assert_eq!(info.width, 1100);
        assert!(
            buf.iter().any(|&b| b < 100),
            "the PNG has dark pixels (text)"
        );
    }
    for svg_path in &svgs {
        assert_well_formed_xml(&svg_path.display().to_string(), &read(svg_path));
    }
    let expect = [
        (
            "token-mix.svg",
            vec![
                "Token mix per workload",
                "uncached input",
                "cached input",
                "visible output",
                "reasoning",
                "Share of tokens [%]",
            ],
        ),
        (
            "cost-02-a-b.svg",
            vec![
                "a|b (gpt-4o): monthly cost by option",
                "decided",
                "not eligible (see table)",
                "Monthly cost [USD/month]",
            ],
        ),
        (
            "demand-02-a-b.svg",
            vec![
                "peak demand per hour vs PTU capacity",
                "busiest minute of each hour",
                "provisioned, 15 PTU",
                "Weighted demand [tokens/min]",
            ],
        ),
        (
            "cost-vs-ptu-02-a-b.svg",
            vec![
                "monthly cost vs PTU count",
                "global-provisioned, hourly",
                "1-year reserved",
                "cost-optimal count (hourly)",
                "smallest count within target",
                "Deployed PTUs",
            ],
        ),
        (
            "heatmap-02-a-b.svg",
            vec![
                "mean use of",
                "cost-optimal",
                "Hour of day [UTC]",
                "Weekday",
                "Mon",
            ],
        ),
    ];
    // The scenario chart names the scenarios; the escaped names stay escaped.
    let scenarios_svg = read(&d.join("charts").join("scenarios.svg"));
    for n in [
        "Monthly cost by scenario",
        "baseline",
        "retirement",
        "Cost [USD/mo]",
    ] {
        assert!(scenarios_svg.contains(n), "scenarios.svg lacks `{n}`");
    }
    assert!(!scenarios_svg.contains("<script>"));
    let focus = read(&d.join("focus.csv"));
    assert!(focus.starts_with("BilledCost,BillingAccountId,"));
    for (file, needles) in expect {
        let svg = read(&d.join("charts").join(file));
        for n in needles {
            assert!(svg.contains(n), "{file} lacks `{n}`");
        }
    }

    let html = read(&d.join("report.html"));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<svg").count(), 12, "every chart is inline");
    assert!(!html.contains("<script"), "no scripts");
    for external in ["<link", "src=", "href=", "url(", "@import"] {
        assert!(
            !html.contains(external),
            "no external requests: found `{external}`"
        );
    }
    assert_well_formed_xml("report.html body", {
        let start = html.find("<main>").expect("main");
        let end = html.find("</main>").expect("/main") + "</main>".len();
        &html[start..end]
    });
}

#[test]
fn hostile_names_are_escaped_in_html_markdown_and_svg() {
    let (dir, assert) = report_hostile(&["--quiet"]);
    assert.success().stderr(predicate::str::is_empty());
    let d = dir.path();
    let html = read(&d.join("report.html"));
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("<td>a|b</td>"));

    let md = read(&d.join("report.md"));
    assert!(!md.contains("<script>"));
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(md.contains("a\\|b"));
    // Every table row has as many unescaped cell separators as its header.
    let mut columns = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            columns = None;
            continue;
        }
        let seps = line.replace("\\|", "").matches('|').count();
        match columns {
            None => columns = Some(seps),
            Some(n) => assert_eq!(seps, n, "broken table row: {line}"),
        }
    }

    let svg = read(&d.join("charts/cost-01-script-alert-1-script.svg"));
    assert!(!svg.contains("<script"));
    assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[test]
fn fail_on_monthly_cost_breach_exits_3_and_still_writes_reports() {
    let (dir, assert) = report_hostile(&["--fail-on", "monthly_cost_usd>1"]);
    assert.code(3).stderr(predicate::str::contains(
        "budget rule monthly_cost_usd>1 breached: actual",
    ));
    for f in ["report.md", "report.json", "options.csv", "report.html"] {
        assert!(
            dir.path().join(f).is_file(),
            "{f} written despite the breach"
        );
    }
    let md = read(&dir.path().join("report.md"));
    assert!(md.contains("## Budget rules"));
    assert!(md.contains("**FAILED**: monthly\\_cost\\_usd&gt;1 breached"));
}

#[test]
fn fail_on_rules_that_hold_not_exit_0() {
    let (_dir, assert) = report_hostile(&[
        "--fail-on",
        "monthly_cost_usd > 1e9",
        "--fail-on",
        "failed_pct>0.01",
        "--fail-on",
        "workloads_without_recommendation>=1",
    ]);
    assert.success().stderr(predicate::str::contains(
        "note: budget rule failed_pct>0.01 passed",
    ));
}

#[test]
fn fail_on_failed_pct_compares_the_worst_recommended_option() {
    // Per-token recommendations throttle nothing: 0 >= 0 holds.
    ptuplan()
        .args([
            "compare",
            "--quiet",
            "--format",
            "csv",
            "--fail-on",
            "failed_pct>=0",
        ])
        .arg(fixture("hostile.csv"))
        .assert()
        .code(3)
        .stdout(predicate::str::starts_with("deployment,model,region"))
        .stderr(predicate::str::contains(
            "failed_pct>=0 breached: actual 0 >= threshold 0",
        ));
}

#[test]
fn fail_on_increase_against_a_baseline() {
    let (dir, _) = report_hostile(&["--quiet"]);
    let baseline = dir.path().join("report.json");
    // Same input: no increase.
    ptuplan()
        .args([
            "compare",
            "--quiet",
            "--fail-on",
            "monthly_cost_increase_pct>10",
        ])
        .arg(fixture("hostile.csv"))
        .arg("--baseline")
        .arg(&baseline)
        .assert()
        .success();
    // Batch halves the cost: a decrease beyond 10% trips a `<` rule, in USD and percent.
    ptuplan()
        .args(["compare", "--quiet", "--batch-eligible"])
        .args(["--fail-on", "monthly_cost_increase_pct<-10"])
        .args(["--fail-on", "monthly_cost_increase_usd<0"])
        .arg(fixture("hostile.csv"))
        .arg("--baseline")
        .arg(&baseline)
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("monthly_cost_increase_pct<-10 breached").and(
                predicate::str::contains("monthly_cost_increase_usd<0 breached"),
            ),
        );
}

#[test]
fn fail_on_increase_without_baseline_is_a_usage_error() {
    ptuplan()
        .args(["compare", "--fail-on", "monthly_cost_increase_pct>10"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass --baseline OLD.json"));
}

#[test]
fn bad_fail_on_expressions_are_usage_errors() {
    for (expr, phrase) in [
        ("monthly_cost_usd=5", "unsupported comparison `=`"),
        ("monthly_cost>5", "did you mean `monthly_cost_usd`?"),
        (
            "monthly_cost_usd>five",
            "threshold `five` is not a finite number",
        ),
        ("5000", "is not METRIC OP NUMBER"),
    ] {
        ptuplan()
            .args([
                "report",
                "--out-dir",
                "unused-never-written",
                "--fail-on",
                expr,
            ])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(phrase));
    }
    assert!(!Path::new("unused-never-written").exists());
}

#[test]
fn diff_of_two_known_reports() {
    let out = ptuplan()
        .args(["diff", "--format", "json"])
        .arg(fixture("base.json"))
        .arg(fixture("new.json"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let d: serde_json::Value = serde_json::from_slice(&out).expect("diff JSON parses");
    assert_eq!(d["summary"]["base_monthly_cost_usd"], 1300.0);
    assert_eq!(d["summary"]["new_monthly_cost_usd"], 3575.0);
    assert_eq!(d["summary"]["monthly_cost_delta_usd"], 2275.0);
    assert_eq!(d["summary"]["monthly_cost_delta_pct"], 175.0);
    let rows = d["workloads"].as_array().expect("workloads");
    let summary: Vec<(&str, &str)> = rows
        .iter()
        .map(|w| {
            (
                w["deployment"].as_str().unwrap_or(""),
                w["change"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("chat-prod", "changed"),
            ("rag-eu", "unchanged"),
            ("agent", "added"),
            ("old-batch", "removed")
        ]
    );
    let chat = &rows[0];
    assert_eq!(chat["base"]["recommended"], "global-standard");
    assert_eq!(
        chat["new"]["recommended"],
        "global-provisioned/reserved-1-year"
    );
    assert_eq!(chat["ptus_delta"], 15);
    assert_eq!(chat["monthly_cost_delta_usd"], 2325.0);
    assert_eq!(chat["monthly_cost_delta_pct"], 232.5);

    ptuplan()
        .arg("diff")
        .arg(fixture("base.json"))
        .arg(fixture("new.json"))
        .assert()
        .success()
        .stdout(
            // 100 columns: the option wraps after its type, the total line at a space.
            predicate::str::contains("global-provisioned/")
                .and(predicate::str::contains("reserved-1-year (15"))
                .and(predicate::str::contains("+2,325.00"))
                .and(predicate::str::contains("+232.5%"))
                .and(predicate::str::contains(
                    "Total recommended monthly cost: 1,300.00 -> 3,575.00 USD (+2,275.00 USD, +175.0%); 1 added, 1",
                ))
                .and(predicate::str::contains("removed, 1 changed, 1 unchanged")),
        );
    ptuplan()
        .args(["diff", "--format", "markdown"])
        .arg(fixture("base.json"))
        .arg(fixture("new.json"))
        .assert()
        .success()
        .stdout(
            predicate::str::contains("## Changes against the baseline").and(
                predicate::str::contains("| old-batch | gpt-4o-mini | eastus2 | removed |"),
            ),
        );
}

#[test]
fn diff_names_the_file_it_cannot_read() {
    ptuplan()
        .arg("diff")
        .arg(fixture("malformed.json"))
        .arg(fixture("new.json"))
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("malformed.json is not valid JSON (line 1")
                .and(predicate::str::contains("column")),
        );
    ptuplan()
        .arg("diff")
        .arg(fixture("base.json"))
        .arg(fixture("schema-v99.json"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "schema-v99.json has schema_version 99; this ptuplan reads schema_version 1 to 5",
        ));
    ptuplan()
        .arg("diff")
        .arg(fixture("base.json"))
        .arg(fixture("hostile.csv"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("hostile.csv is not valid JSON"));
}

#[test]
fn report_baseline_puts_the_diff_at_the_top_of_the_markdown() {
    let (dir, _) = report_hostile(&["--quiet"]);
    let baseline = dir.path().join("baseline.json");
    fs::copy(dir.path().join("report.json"), &baseline).expect("copy");
    let out = TempDir::new().expect("temp dir");
    ptuplan()
        .arg("report")
        .arg(fixture("hostile.csv"))
        .args(["--quiet", "--batch-eligible", "--out-dir"])
        .arg(out.path())
        .arg("--baseline")
        .arg(&baseline)
        .assert()
        .success();
    let md = read(&out.path().join("report.md"));
    let diff_at = md
        .find("## Changes against the baseline")
        .expect("diff section");
    let summary_at = md
        .find("| Deployment | Model | Region | Decision")
        .expect("summary");
    assert!(diff_at < summary_at, "the diff comes first");
    assert!(md.contains("| changed | global-standard | global-batch |"));
    let html = read(&out.path().join("report.html"));
    assert!(html.contains("Changes against the baseline"));
}

/// `reports/` is the example report of the bundled sample. Regenerate it with
/// `cargo run --release -- report --out-dir reports --as-of 2026-12-01` when this fails.
#[test]
fn example_reports_are_up_to_date() {
    let out = TempDir::new().expect("temp dir");
    ptuplan()
        .args(["report", "--quiet", "--out-dir"])
        .arg(out.path())
        .assert()
        .success();
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports");
    let mut files = vec![
        PathBuf::from("report.md"),
        PathBuf::from("report.json"),
        PathBuf::from("options.csv"),
        PathBuf::from("focus.csv"),
        PathBuf::from("report.html"),
    ];
    let mut charts: Vec<PathBuf> = fs::read_dir(out.path().join("charts"))
        .expect("charts/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .map(|p| Path::new("charts").join(p.file_name().expect("name")))
        .collect();
    charts.sort();
    files.extend(charts);
    let mut stale = Vec::new();
    for f in &files {
        let fresh = read(&out.path().join(f));
        match fs::read_to_string(committed.join(f)) {
            Ok(old) if old == fresh => {}
            _ => stale.push(f.display().to_string()),
        }
    }
    for f in &files {
        if f.extension().is_some_and(|e| e == "svg") {
            let png = committed.join(f).with_extension("png");
            assert!(png.is_file(), "{} is missing", png.display());
        }
    }
    // The committed manifest is signed, lists what a fresh run writes, and each file's digest
    // is that of the committed file (so the next `report --out-dir reports` may replace it).
    // Its bytes are not compared: they hold the PNGs' digests.
    let names_of = |dir: &Path| -> Vec<String> {
        match ptuplan::render::manifest::read(
            &dir.join("manifest.txt"),
            ptuplan::render::outdir::is_report_name,
        ) {
            Ok(ptuplan::render::manifest::Previous::Signed(files)) => {
                for (name, digest) in &files {
                    let now = ptuplan::render::manifest::digest_of_file(&dir.join(name))
                        .expect("readable");
                    if now != Some(*digest) {
                        return vec![format!("{name} (digest differs from manifest.txt)")];
                    }
                }
                files.into_keys().collect()
            }
            other => vec![format!("manifest.txt ({other:?})")],
        }
    };
    let listed = names_of(&committed);
    if listed != names_of(out.path()) {
        stale.push("manifest.txt".to_owned());
    }
    let mut present = Vec::new();
    for entry in fs::read_dir(&committed).expect("reports/") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            for chart in fs::read_dir(&path).expect("charts/") {
                let name = chart.expect("entry").file_name();
                present.push(format!("charts/{}", name.to_string_lossy()));
            }
        } else if path.file_name().is_some_and(|n| n != "manifest.txt") {
            present.push(
                path.file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    present.sort();
    for p in &present {
        if !listed.contains(p) {
            stale.push(format!("{p} (not written by this run)"));
        }
    }
    assert!(
        stale.is_empty(),
        "reports/ is out of date ({}); regenerate it with `cargo run --release -- report --out-dir reports --as-of 2026-12-01`",
        stale.join(", ")
    );
}

/// Issue 13: `--charts N` draws per-workload charts for the N costliest workloads only, says
/// which have none, and the charts drawn do not depend on the thread count.
#[test]
fn issue_13_charts_n_draws_the_costliest_workloads_and_lists_the_rest() {
    let out = TempDir::new().expect("temp dir");
    ptuplan()
        .args(["report", "--charts", "2", "--threads", "2", "--out-dir"])
        .arg(out.path())
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "Per-workload charts are drawn for the 2 workload(s) with the highest recommended monthly cost; 3 workload(s)",
        ));
    let json: serde_json::Value =
        serde_json::from_str(&read(&out.path().join("report.json"))).expect("json");
    let workloads = json["workloads"].as_array().expect("workloads");
    assert_eq!(workloads.len(), 5, "the bundled sample has five workloads");
    let cost = |w: &serde_json::Value| {
        w["options"]
            .as_array()
            .expect("options")
            .iter()
            .find(|o| o["id"] == w["recommended"])
            .and_then(|o| o["monthly_cost_usd"].as_f64())
            .unwrap_or(0.0)
    };
    let mut by_cost: Vec<(usize, f64)> = workloads.iter().map(cost).enumerate().collect();
    by_cost.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let charts_dir = out.path().join("charts");
    let mut charted: Vec<usize> = fs::read_dir(&charts_dir)
        .expect("charts/")
        .filter_map(|e| {
            let name = e.expect("entry").file_name().to_string_lossy().into_owned();
            let rest = name.strip_prefix("cost-")?.strip_suffix(".svg")?;
            if rest.starts_with("vs-") {
                return None;
            }
            Some(rest[..2].parse::<usize>().expect("index") - 1)
        })
        .collect();
    charted.sort_unstable();
    let mut expected: Vec<usize> = by_cost.iter().take(2).map(|(i, _)| *i).collect();
    expected.sort_unstable();
    assert_eq!(charted, expected, "the two costliest workloads are charted");
    let md = read(&out.path().join("report.md"));
    let third = workloads[by_cost[2].0]["deployment"]
        .as_str()
        .expect("name");
    assert!(md.contains("have tables but no charts"), "{md}");
    assert!(md.contains(third), "the uncharted workloads are named");

    // One thread draws the same files.
    let one = TempDir::new().expect("temp dir");
    ptuplan()
        .args([
            "report",
            "--quiet",
            "--charts",
            "2",
            "--threads",
            "1",
            "--out-dir",
        ])
        .arg(one.path())
        .assert()
        .success();
    for entry in fs::read_dir(&charts_dir).expect("charts/") {
        let name = entry.expect("entry").file_name();
        assert_eq!(
            fs::read(charts_dir.join(&name)).expect("chart"),
            fs::read(one.path().join("charts").join(&name)).expect("same chart with 1 thread"),
            "{name:?} depends on --threads"
        );
    }

    // `--charts 0`: no per-workload chart; a bad value is a usage error.
    let none = TempDir::new().expect("temp dir");
    ptuplan()
        .args(["report", "--quiet", "--charts", "0", "--out-dir"])
        .arg(none.path())
        .assert()
        .success();
    let names: Vec<String> = fs::read_dir(none.path().join("charts"))
        .expect("charts/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("token-mix") || n.starts_with("scenarios")),
        "{names:?}"
    );
    ptuplan()
        .args(["report", "--charts", "some"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("neither `all` nor a number"));
}

/// A run compared against its own JSON has changed by exactly nothing: the costs read back
/// are the costs written (serde_json's float_roundtrip), so "no increase" gates pass.
#[test]
fn issue_14_a_run_against_its_own_report_has_not_increased() {
    let dir = TempDir::new().expect("temp dir");
    let base = dir.path().join("base.json");
    ptuplan()
        .args([
            "compare",
            "--quiet",
            "--as-of",
            "2026-12-01",
            "--format",
            "json",
            "--out",
        ])
        .arg(&base)
        .assert()
        .success();
    ptuplan()
        .args([
            "compare",
            "--sample",
            "--quiet",
            "--as-of",
            "2026-12-01",
            "--baseline",
        ])
        .arg(&base)
        .args([
            "--fail-on",
            "monthly_cost_increase_usd>0",
            "--fail-on",
            "monthly_cost_increase_pct>0",
        ])
        .assert()
        .success();
}
