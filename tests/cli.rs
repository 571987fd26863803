//! Integration tests: run the real binary on `tests/fixtures/` and check exit codes, the JSON
//! contract's numbers (hand-computed here), and the file/line/field of every bad-input error.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn ptuplan() -> Command {
    let mut cmd = Command::cargo_bin("ptuplan").expect("binary builds");
    cmd.env_remove("SOURCE_DATE_EPOCH")
        // Prices in time and lifecycles: every run is "as of" the catalog's December 2026.
        .env("PTUPLAN_AS_OF", "2026-12-01")
        .env_remove("PTUPLAN_CATALOG")
        .env_remove("PTUPLAN_REGION");
    cmd
}

fn compare_json(args: &[&str]) -> Value {
    let out = ptuplan()
        .arg("compare")
        .args(args)
        .args(["--format", "json", "--quiet"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn option<'a>(workload: &'a Value, id: &str) -> &'a Value {
    workload["options"]
        .as_array()
        .expect("options")
        .iter()
        .find(|o| o["id"] == id)
        .unwrap_or_else(|| panic!("no option {id}"))
}

fn approx(v: &Value, expected: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    assert!(
        (got - expected).abs() <= 1e-9 * expected.abs().max(1.0),
        "got {got}, expected {expected}"
    );
}

// 2 billed gpt-4o requests: uncached 1,000 + 1,024, cached 1,024, completion 100 + 200.
// Global Standard 2.50 / 1.25 / 10.00 USD per 1M:
// (2,024 x 2.50 + 1,024 x 1.25 + 300 x 10.00) / 1e6 = 0.00934 USD.
const TINY_GLOBAL_USD: f64 = 0.00934;
// Data Zone Standard 2.75 / 1.375 / 11.00: (5,566 + 1,408 + 3,300) / 1e6.
const TINY_DATA_ZONE_USD: f64 = 0.010274;

fn check_tiny(report: &Value) {
    assert_eq!(report["schema_version"], 5);
    assert_eq!(report["input"]["records"], 3);
    assert_eq!(report["input"]["failed_requests"], 1);
    // 10:00 through 10:01: two whole minutes.
    approx(&report["input"]["hours"], 2.0 / 60.0);
    let workloads = report["workloads"].as_array().expect("workloads");
    assert_eq!(
        workloads.len(),
        1,
        "versioned and bare names are one workload"
    );
    let w = &workloads[0];
    assert_eq!(w["deployment"], "chat");
    assert_eq!(w["model"], "gpt-4o");
    assert_eq!(w["requests"], 2);
    assert_eq!(w["prompt_tokens"], 3048);
    assert_eq!(w["cached_tokens"], 1024);
    assert_eq!(w["completion_tokens"], 300);
    approx(&option(w, "global-standard")["cost_usd"], TINY_GLOBAL_USD);
    approx(
        &option(w, "global-standard")["monthly_cost_usd"],
        TINY_GLOBAL_USD * 730.0 * 30.0,
    );
    approx(
        &option(w, "data-zone-standard")["cost_usd"],
        TINY_DATA_ZONE_USD,
    );
    // Batch is 50% and not recommended by default; Global Standard is the cheapest eligible.
    assert_eq!(option(w, "global-batch")["eligible"], false);
    assert_eq!(w["recommended"], "global-standard");
    // Peak minute: 10:00 holds both requests: (1,000 + 1,024) + 4 x 300 = 3,224 weighted tokens.
    approx(&w["peak_minute_weighted_tpm"], 3224.0);
}

#[test]
fn compare_prices_a_tiny_log_by_hand() {
    check_tiny(&compare_json(&[fixture("good/tiny.csv")
        .to_str()
        .expect("utf8")]));
}

#[test]
fn csv_variants_give_the_same_answer() {
    check_tiny(&compare_json(&[fixture(
        "good/tiny-reordered-bom-crlf.csv",
    )
    .to_str()
    .expect("utf8")]));
    check_tiny(&compare_json(&[
        fixture("good/tiny-no-model.csv").to_str().expect("utf8"),
        "--model-map",
        "chat=gpt-4o",
    ]));
    // gzip, detected from the content, and stdin.
    let dir = tempfile::tempdir().expect("tempdir");
    let gz = dir.path().join("tiny.log");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).expect("create"),
        flate2::Compression::default(),
    );
    std::io::copy(
        &mut std::fs::File::open(fixture("good/tiny.csv")).expect("open"),
        &mut enc,
    )
    .expect("gzip");
    enc.finish().expect("finish");
    check_tiny(&compare_json(&[gz.to_str().expect("utf8")]));
    let out = ptuplan()
        .args(["compare", "-", "--format", "json", "--quiet"])
        .pipe_stdin(fixture("good/tiny.csv"))
        .expect("stdin")
        .output()
        .expect("runs");
    assert!(out.status.success());
    check_tiny(&serde_json::from_slice(&out.stdout).expect("json"));
}

#[test]
fn jsonl_reads_both_usage_shapes_and_finds_emptied_answers() {
    let report = compare_json(&[fixture("good/reasoning.jsonl").to_str().expect("utf8")]);
    let w = &report["workloads"][0];
    assert_eq!(w["model"], "o3-mini");
    assert_eq!(w["requests"], 3);
    assert_eq!(w["failed_requests"], 1);
    assert_eq!(w["prompt_tokens"], 577 + 13 + 2048);
    assert_eq!(w["completion_tokens"], 2320 + 1000 + 10);
    assert_eq!(w["reasoning_tokens"], 1792 + 1000);
    // The Responses row used its whole 1,000-token budget on reasoning.
    assert_eq!(w["truncated_requests"], 1);
    // o3-mini Global Standard 1.10 in / 4.40 out: (13 x 1.10 + 1,000 x 4.40) / 1e6.
    approx(&w["truncated_cost_usd"], 0.004_414_3);
    approx(
        &option(w, "global-standard")["cost_usd"],
        (2638.0 * 1.10 + 3330.0 * 4.40) / 1e6,
    );
}

fn workload<'a>(report: &'a Value, deployment: &str) -> &'a Value {
    report["workloads"]
        .as_array()
        .expect("workloads")
        .iter()
        .find(|w| w["deployment"] == deployment)
        .unwrap_or_else(|| panic!("no workload {deployment}"))
}

// Three requests in one minute, each prompt split into ordinary input / cache reads / cache
// writes (tests/fixtures/good/gpt6-cache.csv):
//   A: 10,000 prompt = 6,000 + 3,000 + 1,000, 500 output (short context)
//   B: 300,000 prompt = 200,000 + 80,000 + 20,000, 1,000 output (long: above 272,000)
//   C: 2,000 prompt = 0 + 0 + 2,000, 100 output (short)
#[test]
fn issue_9_gpt6_cost_and_normalized_ptu_weighting_by_hand() {
    let report = compare_json(&[fixture("good/gpt6-cache.csv").to_str().expect("utf8")]);
    assert_eq!(report["catalog"]["in_force_on"], "2026-12-01");
    let sol = workload(&report, "sol");
    assert_eq!(sol["model"], "gpt-6-sol");
    assert_eq!(sol["cache_write_tokens"], 23_000);
    assert_eq!(sol["long_context_requests"], 1);
    assert_eq!(sol["long_context_prompt_tokens"], 300_000);
    // Global Standard, USD per 1M: short 2.00 input / 0.20 cached / 2.50 cache write / 10.00
    // output; long 4.00 / 0.40 / 5.00 / 15.00 (U3).
    //   A: 6,000 x 2 + 3,000 x 0.2 + 1,000 x 2.5 + 500 x 10          =  20,100
    //   B: 200,000 x 4 + 80,000 x 0.4 + 20,000 x 5 + 1,000 x 15       = 947,000
    //   C: 2,000 x 2.5 + 100 x 10                                      =   6,000
    approx(&option(sol, "global-standard")["cost_usd"], 973_100.0 / 1e6);
    // Normalized PTU tokens (U3): short 1 / 0.1 / 1.25 / 5, long 2 / 0.2 / 2.5 / 7.5.
    //   A: 6,000 + 300 + 1,250 + 2,500 = 10,050
    //   B: 400,000 + 16,000 + 50,000 + 7,500 = 473,500
    //   C: 2,500 + 500 = 3,000
    approx(&sol["peak_minute_weighted_tpm"], 486_550.0);
    assert_eq!(sol["ptu_accounting"]["method"], "normalized");
    approx(&sol["ptu_accounting"]["short"]["cache_write"], 1.25);
    assert_eq!(sol["output_to_input_ratio"], Value::Null);
    // The budget per PTU is the input TPM per PTU (3,000): 162.18 PTUs, rounded to 165.
    let sizing = &sol["sizing"]["global-provisioned"];
    approx(&sizing["peak_minute_ptus_raw"], 486_550.0 / 3000.0);
    assert_eq!(sizing["peak_minute_ptus"], 165);
    // The same requests on gpt-5.6-terra: cache writes are input on PTU, cache reads free,
    // output x6: A 7,000 + 3,000; B 220,000 + 6,000; C 2,000 + 600 = 238,600.
    let terra = workload(&report, "terra");
    approx(&terra["peak_minute_weighted_tpm"], 238_600.0);
    approx(&terra["output_to_input_ratio"], 6.0);
    // Terra Global Standard: short 2.00 / 0.20 / 2.50 / 12.00, long 4.00 / 0.40 / 5.00 / 18.00.
    //   A 21,100 + B 950,000 + C 6,200 = 977,300.
    approx(
        &option(terra, "global-standard")["cost_usd"],
        977_300.0 / 1e6,
    );
    // Flex is priced for terra but not supported (U5 names gpt-5.6-sol only): not listed.
    let flex = option(terra, "global-flex");
    assert_eq!(flex["available"], false);
    assert_eq!(flex["cost_usd"], Value::Null, "never priced at $0");
}

#[test]
fn issue_9_retired_models_warn_in_every_format_and_get_no_recommendation() {
    let tiny = fixture("good/tiny.csv");
    let tiny = tiny.to_str().expect("utf8");
    // gpt-4o 2024-11-20 retires on 2027-04-14 under the 2026-09-02 schedule (2026-10-01 under
    // the 2026-07-07 one).
    let later = compare_json(&[tiny, "--as-of", "2027-05-01"]);
    let w = &later["workloads"][0];
    assert_eq!(w["recommended"], Value::Null);
    assert_eq!(w["lifecycle"]["retirement"], "2027-04-14");
    assert_eq!(w["lifecycle"]["stage"], "retired");
    assert_eq!(w["lifecycle"]["replacement"], "gpt-5.1");
    let gs = option(w, "global-standard");
    assert_eq!(gs["eligible"], false);
    assert!(gs["reason"]
        .as_str()
        .expect("reason")
        .starts_with("retired on 2027-04-14; replacement gpt-5.1"));
    let warning = later["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(Value::as_str)
        .find(|w| w.contains("retired on"))
        .expect("a retirement warning");
    assert!(
        warning.contains("the schedule of 2026-07-07 said 2026-10-01"),
        "{warning}"
    );
    for format in ["table", "markdown", "csv"] {
        let out = ptuplan()
            .args([
                "compare",
                tiny,
                "--quiet",
                "--as-of",
                "2027-05-01",
                "--format",
                format,
            ])
            .output()
            .expect("runs");
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).expect("utf8");
        assert!(
            text.contains("retired on 2027-04-14; replacement gpt-5.1"),
            "{format}:\n{text}"
        );
    }
    // Today the model still runs: recommended, no warning.
    let now = compare_json(&[tiny]);
    assert_eq!(now["workloads"][0]["recommended"], "global-standard");
    assert_eq!(now["workloads"][0]["lifecycle"]["stage"], "legacy");
    // Seen from 2026-09-01, only the 2026-07-07 schedule exists: gpt-4o retires on 2026-10-01,
    // before a log that runs into November, so the run warns but still recommends.
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("nov.csv");
    std::fs::write(
        &log,
        std::fs::read_to_string(fixture("good/tiny.csv"))
            .expect("read")
            .replace("2026-03-01", "2026-11-01"),
    )
    .expect("write");
    let before = compare_json(&[log.to_str().expect("utf8"), "--as-of", "2026-09-01"]);
    let warning = before["warnings"][0].as_str().expect("warning");
    assert!(
        warning.contains(
            "retires on 2026-10-01; replacement gpt-5.1 before the log's end (2026-11-01)"
        ),
        "{warning}"
    );
    assert_eq!(before["workloads"][0]["recommended"], "global-standard");
}

#[test]
fn issue_9_prices_in_force_on_the_as_of_date() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sweden = dir.path().join("sweden.csv");
    std::fs::write(
        &sweden,
        std::fs::read_to_string(fixture("good/tiny.csv"))
            .expect("read")
            .replace("eastus2", "swedencentral"),
    )
    .expect("write");
    let tiny = sweden.to_str().expect("utf8");
    let hourly_price = |report: &Value| {
        let o = option(&report["workloads"][0], "data-zone-provisioned/hourly");
        o["cost_usd"].as_f64().expect("cost") - o["spillover_cost_usd"].as_f64().expect("spill")
    };
    // The EU data zone moved from $1.10 to $1.20 per PTU-hour on 2026-09-01 (U12): the same
    // gpt-4o log in swedencentral, planned the day before and on the day.
    let before = compare_json(&[tiny, "--as-of", "2026-08-31"]);
    let after = compare_json(&[tiny, "--as-of", "2026-09-01"]);
    assert_eq!(before["catalog"]["in_force_on"], "2026-08-31");
    assert_eq!(after["catalog"]["in_force_on"], "2026-09-01");
    let (b, a) = (hourly_price(&before), hourly_price(&after));
    assert!((a / b - 1.20 / 1.10).abs() < 1e-9, "{b} -> {a}");
    // The table says which date it priced at.
    ptuplan()
        .args(["compare", tiny, "--quiet", "--as-of", "2026-08-31"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "prices and lifecycles on 2026-08-31",
        ));
    ptuplan()
        .args(["compare", tiny, "--as-of", "2026-13-01"])
        .assert()
        .code(2);
}

#[test]
fn spillover_is_billed_at_standard_prices() {
    // 100 gpt-4o requests at one instant, 1,000 prompt + 100 completion, max 100.
    // 15 Global PTUs drain 37,500 tokens/min; a 10 s bucket is full at 6,250 tokens.
    // Each request is charged 1,000 + 4 x 100 = 1,400: 5 are admitted (0 .. 5,600 < 6,250),
    // the other 95 spill to Global Standard at (1,000 x 2.50 + 100 x 10.00) / 1e6 each.
    let report = compare_json(&[
        fixture("good/spill-burst.csv").to_str().expect("utf8"),
        "--bucket-window-s",
        "10",
    ]);
    let w = &report["workloads"][0];
    let sizing = &w["sizing"]["global-provisioned"];
    assert_eq!(sizing["on_throttle"], "spillover");
    let first = &sizing["curve"][0];
    assert_eq!(first["ptus"], 15);
    approx(&first["spillover_cost_usd"], 95.0 * 0.0035);
    // Hourly PTU cost over the 1-minute span: 15 x 1.00 / 60.
    approx(&first["cost_usd"], 0.25 + 95.0 * 0.0035);
    // Each 5 more PTUs cost 0.083 USD and admit about 1.5 more requests (0.005 USD saved):
    // 15 is the cheapest count.
    let hourly = option(w, "global-provisioned/hourly");
    assert_eq!(hourly["ptus"], 15);
    assert_eq!(hourly["spilled_requests"], 95);
    approx(&hourly["spilled_share"], 0.95);
    assert_eq!(hourly["throttled_requests"], 0);
    approx(&hourly["throttled_share"], 0.0);
    // Regional has no spillover, so 429s fail. At n regional PTUs the bucket holds
    // 416.67 n tokens and admits request k while 1,400 k is below that: 99 of 100 need
    // n > 329.3, so 350 (300 admits 90). The earlier grid stopped at 2x the peak minute
    // (150, where 55 fail) and called the option ineligible.
    let regional_sizing = &w["sizing"]["regional-provisioned"];
    assert_eq!(regional_sizing["min_ptus_for_target"], 350);
    let at_300 = regional_sizing["curve"]
        .as_array()
        .expect("curve")
        .iter()
        .find(|p| p["ptus"] == 300)
        .expect("the count below the answer is evaluated");
    approx(&at_300["throttle_rate"], 0.10);
    let regional = option(w, "regional-provisioned/hourly");
    assert_eq!(regional["eligible"], true);
    assert_eq!(regional["ptus"], 350);
    approx(&regional["throttle_rate"], 0.0);
}

#[test]
fn bad_inputs_name_file_line_and_field() {
    let cases = [
        (
            "negative-count.csv",
            ":2: field `prompt_tokens`",
            "negative",
        ),
        (
            "non-numeric.csv",
            ":3: field `prompt_tokens`",
            "not a number",
        ),
        ("overflow.csv", ":2: field `completion_tokens`", "overflows"),
        (
            "cached-over-prompt.csv",
            ":2: field `cached_tokens`",
            "exceed",
        ),
        (
            "cache-write-over-prompt.csv",
            ":2: field `cache_write_tokens`",
            "600 cached + 500 cache-write tokens exceed 1000 prompt tokens",
        ),
        (
            "reasoning-over-completion.csv",
            ":2: field `reasoning_tokens`",
            "exceed",
        ),
        ("bad-timestamp.csv", ":2: field `timestamp`", "RFC 3339"),
        (
            "missing-column.csv",
            "missing-column.csv: line 1: header lacks column `prompt_tokens`",
            "expected columns",
        ),
        ("empty.csv", "empty.csv", "empty"),
        ("truncated.jsonl", ":2: field `json`", "truncated"),
        ("binary-garbage.csv", "binary-garbage.csv", "binary"),
        (
            "unknown-model.csv",
            ":2: field `model`",
            "did you mean `gpt-4o`",
        ),
        ("no-region.csv", ":2: field `region`", "--default-region"),
        (
            "azure-diagnostic.jsonl",
            ":1: field `usage`",
            "no token counts",
        ),
    ];
    for (file, location, what) in cases {
        ptuplan()
            .args(["compare", "--quiet"])
            .arg(fixture(&format!("bad/{file}")))
            .assert()
            .code(1)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains(location).and(predicate::str::contains(what)))
            .stderr(predicate::str::contains("panicked").not());
    }
}

#[test]
fn unknown_model_lists_known_ones() {
    ptuplan()
        .args(["compare", "--quiet"])
        .arg(fixture("bad/unknown-model.csv"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("known models:").and(predicate::str::contains("o4-mini")));
}

#[test]
fn skip_invalid_counts_and_reports_skipped_rows() {
    let report = compare_json(&[
        fixture("bad/one-bad-row.csv").to_str().expect("utf8"),
        "--skip-invalid",
    ]);
    assert_eq!(report["input"]["records"], 2);
    assert_eq!(report["input"]["skipped"], 1);
    assert!(report["input"]["skipped_examples"][0]
        .as_str()
        .expect("example")
        .contains(":3: field `prompt_tokens`"));
    assert!(report["warnings"][0]
        .as_str()
        .expect("warning")
        .contains("1 invalid row(s) skipped"));
    // Without the flag the same file is an error.
    ptuplan()
        .args(["compare", "--quiet"])
        .arg(fixture("bad/one-bad-row.csv"))
        .assert()
        .code(1);
}

#[test]
fn region_flag_fills_missing_regions() {
    let report = compare_json(&[
        fixture("bad/no-region.csv").to_str().expect("utf8"),
        "--region",
        "swedencentral",
    ]);
    assert_eq!(report["workloads"][0]["region"], "swedencentral");
}

#[test]
fn compare_without_a_log_uses_the_bundled_sample_and_says_so() {
    ptuplan()
        .arg("compare")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("chat-prod (gpt-5.1 @ eastus2)")
                .and(predicate::str::contains("sol-agent (gpt-6-sol @ westus3)"))
                .and(predicate::str::contains("Saving vs"))
                .and(predicate::str::contains("Total"))
                .and(predicate::str::contains(
                    "Run on global-standard (per-token, no commitment)",
                )),
        )
        .stderr(predicate::str::contains("bundled 30-day sample"));
}

#[test]
fn usage_errors_exit_2() {
    ptuplan()
        .args(["compare", "--sweep-points", "0"])
        .assert()
        .code(2);
    ptuplan()
        .args(["compare", "--no-such-flag"])
        .assert()
        .code(2);
    ptuplan()
        .args(["compare", "--max-throttle-rate", "120"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("between 0 and 100"));
    ptuplan()
        .args(["compare", "--missing-max-tokens", "lots"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("actual"));
    ptuplan()
        .args(["compare", "--model-map", "nonsense", "--quiet"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("DEPLOYMENT=MODEL"));
    for (args, says) in [
        (
            &["compare", "--window-band", "1,abc"][..],
            "not a number of seconds",
        ),
        (
            &["compare", "--bucket-window-s", "0.01"][..],
            "between 0.1 and 3600",
        ),
        (
            &["compare", "--max-spill-rate", "200"][..],
            "between 0 and 100",
        ),
        (
            &[
                "calibrate",
                "--deployment",
                "d",
                "--type",
                "global-provisioned",
                "--ptus",
                "15",
            ][..],
            "needs the LOG",
        ),
        (
            &[
                "calibrate",
                "x.csv",
                "--deployment",
                "d",
                "--type",
                "global-provisioned",
                "--ptus",
                "0",
            ][..],
            "--ptus",
        ),
    ] {
        ptuplan()
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    }
}

/// A temporary copy of `data/`'s catalog files with the first `from` in `file` replaced by `to`.
fn broken_catalog(file: &str, from: &str, to: &str) -> tempfile::TempDir {
    let dir = copy_of_the_catalog();
    let text = std::fs::read_to_string(dir.path().join(file)).expect("read");
    assert!(text.contains(from), "{from} is not in {file}");
    std::fs::write(dir.path().join(file), text.replacen(from, to, 1)).expect("write");
    dir
}

/// A temporary copy of `data/`'s catalog files, to break on purpose.
fn copy_of_the_catalog() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in ptuplan::catalog::load::CATALOG_FILES {
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join(f),
            dir.path().join(f),
        )
        .expect("copy");
    }
    dir
}

#[test]
fn catalog_validate_and_show() {
    ptuplan()
        .args(["catalog", "validate"])
        .assert()
        .success()
        .stdout(predicate::str::contains("is valid"));
    let out = ptuplan()
        .args(["catalog", "show", "--format", "json"])
        .output()
        .expect("runs");
    let catalog: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(catalog["models"]["gpt-4o"]["ptu"]["input_tpm_per_ptu"]
        .as_f64()
        .is_some());
    // A broken catalog directory reports every problem.
    let dir = broken_catalog(
        "pricing.yaml",
        "output_usd_per_1m: 10.0",
        "output_usd_per_1m: 0.0",
    );
    ptuplan()
        .args(["catalog", "validate", "--catalog"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("output_usd_per_1m").and(predicate::str::contains("positive")),
        );
}

#[test]
fn issue_9_catalog_validate_rejects_future_dates_and_lists_current_models() {
    let dir = broken_catalog("pricing.yaml", "as_of: 2025-08-25", "as_of: 2999-08-25");
    ptuplan()
        .args(["catalog", "validate", "--catalog"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "token_prices[0] (gpt-4o global-standard): as_of 2999-08-25 is in the future",
        ));
    // `catalog show` lists the current models with their lifecycle on the as-of date.
    ptuplan()
        .args(["catalog", "show"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Models and lifecycle"))
        .stdout(predicate::str::contains("gpt-6-sol"))
        .stdout(predicate::str::contains("2028-01-11"))
        .stdout(predicate::str::contains("retired"));
}

#[test]
fn sample_is_deterministic_and_matches_the_bundled_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("s.csv");
    ptuplan()
        .args([
            "sample",
            "--days",
            "30",
            "--requests",
            "110000",
            "--seed",
            "7",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let fresh = std::fs::read(&out).expect("read");
    let mut bundled = Vec::new();
    let gz = std::fs::File::open(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/samples/sample-30d.csv.gz"),
    )
    .expect("bundled sample");
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz), &mut bundled)
        .expect("gunzip");
    assert!(fresh == bundled, "data/samples/sample-30d.csv.gz drifted: regenerate it with `ptuplan sample --days 30 --requests 110000 --seed 7 --out data/samples/sample-30d.csv.gz`");
}

#[test]
fn output_format_follows_the_out_extension() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, check) in [
        ("r.json", "\"schema_version\": 5"),
        ("r.csv", "deployment,model,region,option"),
        ("r.md", "# ptuplan cost report"),
    ] {
        let path = dir.path().join(name);
        ptuplan()
            .args(["compare", "--quiet"])
            .arg(fixture("good/tiny.csv"))
            .arg("--out")
            .arg(&path)
            .assert()
            .success()
            .stdout(predicate::str::is_empty());
        let text = std::fs::read_to_string(&path).expect("written");
        assert!(text.contains(check), "{name}: {text}");
    }
}

#[test]
fn parallel_reading_gives_the_same_report_and_error_lines() {
    for fixture_name in [
        "good/tiny.csv",
        "good/reasoning.jsonl",
        "good/spill-burst.csv",
        "good/tiny-reordered-bom-crlf.csv",
    ] {
        let path = fixture(fixture_name);
        let path = path.to_str().expect("utf8");
        let sequential = compare_json(&[path, "--threads", "1"]);
        let parallel = compare_json(&[path, "--threads", "3", "--parallel-min-bytes", "1"]);
        assert_eq!(sequential, parallel, "{fixture_name}");
    }
    // Errors keep their exact line; skipped rows keep their order.
    ptuplan()
        .args([
            "compare",
            "--quiet",
            "--threads",
            "3",
            "--parallel-min-bytes",
            "1",
        ])
        .arg(fixture("bad/non-numeric.csv"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(":3: field `prompt_tokens`"));
    let report = compare_json(&[
        fixture("bad/one-bad-row.csv").to_str().expect("utf8"),
        "--skip-invalid",
        "--threads",
        "2",
        "--parallel-min-bytes",
        "1",
    ]);
    assert!(report["input"]["skipped_examples"][0]
        .as_str()
        .expect("example")
        .contains(":3: field `prompt_tokens`"));
    assert_eq!(report["input"]["records"], 2);
}

/// Rendered views of the tiny log, reviewed as snapshots (`cargo insta review`).
#[test]
fn rendered_formats_match_their_snapshots() {
    for format in ["table", "markdown", "csv"] {
        let out = ptuplan()
            .args([
                "compare",
                "--quiet",
                "--as-of",
                "2026-12-01",
                "--format",
                format,
            ])
            .arg(fixture("good/tiny.csv"))
            .output()
            .expect("runs");
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).expect("utf8");
        // The input path differs between machines.
        let text = text.replace(
            fixture("good/tiny.csv").to_str().expect("utf8"),
            "tests/fixtures/good/tiny.csv",
        );
        insta::assert_snapshot!(format!("tiny_{format}"), text);
    }
}

/// A PTU deployment written here, independently of ptuplan, from Azure's description of
/// provisioned admission: utilization drains continuously at the deployment's capacity; a
/// request arriving at or above 100% (a bucket of `window_s` seconds of capacity) gets a 429;
/// otherwise its estimated cost (prompt + ratio x max_tokens) is added. Completions equal
/// their cap, so no correction is ever due.
struct IndependentBucket {
    level: f64,
    last_ms: f64,
    tokens_per_ms: f64,
    full: f64,
}

impl IndependentBucket {
    fn new(tokens_per_min: f64, window_s: f64) -> Self {
        IndependentBucket {
            level: 0.0,
            last_ms: 0.0,
            tokens_per_ms: tokens_per_min / 60_000.0,
            full: tokens_per_min / 60.0 * window_s,
        }
    }

    /// True when admitted.
    fn offer(&mut self, t_ms: f64, cost: f64) -> bool {
        self.level = (self.level - (t_ms - self.last_ms) * self.tokens_per_ms).max(0.0);
        self.last_ms = t_ms;
        if self.level >= self.full {
            return false;
        }
        self.level += cost;
        true
    }
}

/// A 30-minute log of a 50-PTU Global gpt-4.1 deployment (3,000 TPM per PTU, ratio 4) whose
/// 429s come from a 5 s bucket: steady traffic at about 70% of capacity plus a burst every
/// two minutes.
fn calibration_log(window_s: f64) -> (String, usize) {
    let mut bucket = IndependentBucket::new(50.0 * 3000.0, window_s);
    let mut seed: u64 = 42;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let mut arrivals: Vec<(i64, u64, u64)> = Vec::new();
    let start: i64 = 1_790_000_000_000;
    let mut t = 0i64;
    while t < 30 * 60_000 {
        t += 600 + next(1800) as i64;
        arrivals.push((t, 500 + next(2500), 100 + next(300)));
    }
    for burst in 0..15 {
        let at = burst * 120_000 + 30_000 + next(60_000) as i64;
        for k in 0..18 {
            arrivals.push((at + k * 37, 800 + next(2000), 100 + next(300)));
        }
    }
    arrivals.sort_unstable();
    let mut csv = String::from(
        "timestamp,deployment,model,region,prompt_tokens,completion_tokens,max_completion_tokens,status\n",
    );
    let mut throttled = 0;
    for (t, prompt, max) in arrivals {
        let ok = bucket.offer(t as f64, prompt as f64 + 4.0 * max as f64);
        throttled += usize::from(!ok);
        let (completion, status) = if ok { (max, 200) } else { (0, 429) };
        csv.push_str(&format!(
            "{},ptu-prod,gpt-4.1,eastus2,{prompt},{completion},{max},{status}\n",
            (start + t) as f64 / 1000.0
        ));
    }
    (csv, throttled)
}

#[test]
fn issue_8_calibrate_recovers_the_window_of_an_independent_bucket() {
    let (csv, throttled) = calibration_log(5.0);
    assert!(throttled > 20, "the test log must hold 429s ({throttled})");
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("ptu-prod.csv");
    std::fs::write(&log, csv).expect("write");
    let out = ptuplan()
        .args(["calibrate", log.to_str().expect("utf8")])
        .args([
            "--deployment",
            "ptu-prod",
            "--type",
            "global-provisioned",
            "--ptus",
            "50",
        ])
        .args(["--format", "json", "--quiet"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fit: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(fit["bucket_window_s"], 5.0);
    assert_eq!(fit["observed_429"], throttled);
    assert_eq!(fit["simulated_429"], throttled);
    approx(&fit["agreement"], 1.0);
    assert_eq!(fit["fit"], "good");
    let curve = fit["curve"].as_array().expect("curve");
    let agreement_at = |w: f64| {
        curve
            .iter()
            .find(|p| p["window_s"] == w)
            .and_then(|p| p["agreement"].as_f64())
            .expect("window tried")
    };
    assert!(agreement_at(3.0) < 1.0 && agreement_at(7.5) < 1.0);
    // The table names the flag to pass on.
    ptuplan()
        .args(["calibrate", log.to_str().expect("utf8")])
        .args([
            "--deployment",
            "ptu-prod",
            "--type",
            "global-provisioned",
            "--ptus",
            "50",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Best fit: --bucket-window-s 5 "));
    // A deployment not in the log is a clear error listing the ones that are.
    ptuplan()
        .args(["calibrate", log.to_str().expect("utf8")])
        .args([
            "--deployment",
            "nope",
            "--type",
            "global-provisioned",
            "--ptus",
            "50",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "deployment `nope` is not in the log; it has: ptu-prod",
        ));
}

fn run_ok(args: &[&str]) -> Vec<u8> {
    let out = ptuplan().args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Every provisioned option's PTU count is the same in compare's JSON, CSV, table and
/// Markdown, in regions, in the reservation pools and in the report files.
#[test]
fn issue_8_one_workload_gives_the_same_count_in_every_output() {
    let log = fixture("good/spill-burst.csv");
    let log = log.to_str().expect("utf8");
    let flags = ["--bucket-window-s", "10", "--quiet"];
    let with = |extra: &[&str]| -> Vec<u8> {
        let mut args = vec!["compare", log];
        args.extend_from_slice(&flags);
        args.extend_from_slice(extra);
        run_ok(&args)
    };
    let json: Value = serde_json::from_slice(&with(&["--format", "json"])).expect("json");
    let csv = String::from_utf8(with(&["--format", "csv"])).expect("utf8");
    let table = String::from_utf8(with(&["--format", "table", "--details"])).expect("utf8");
    let markdown = String::from_utf8(with(&["--format", "markdown"])).expect("utf8");
    let mut regions_args = vec!["regions", log, "--format", "json"];
    regions_args.extend_from_slice(&flags);
    let regions: Value = serde_json::from_slice(&run_ok(&regions_args)).expect("json");
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("r");
    let mut report_args = vec!["report", log, "--out-dir", out_dir.to_str().expect("utf8")];
    report_args.extend_from_slice(&flags);
    run_ok(&report_args);
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("report.json")).expect("read"))
            .expect("json");
    let html = std::fs::read_to_string(out_dir.join("report.html")).expect("read");
    let w = &json["workloads"][0];
    let mut checked = 0;
    for o in w["options"].as_array().expect("options") {
        let Some(ptus) = o["ptus"].as_u64() else {
            continue;
        };
        let (id, t, billing) = (
            o["id"].as_str().expect("id"),
            o["deployment_type"].as_str().expect("type"),
            o["billing"].as_str().expect("billing"),
        );
        // CSV: the option's row.
        let row = csv
            .lines()
            .find(|l| l.split(',').nth(3) == Some(id))
            .unwrap_or_else(|| panic!("csv row {id}"));
        assert_eq!(
            row.split(',').nth(7),
            Some(ptus.to_string().as_str()),
            "csv {id}"
        );
        // Table and Markdown: the row of that type and billing has the count in its PTUs cell
        // (the terminal may abbreviate `reserved-1-year` to `1-year` to fit 100 columns).
        let short = billing.trim_start_matches("reserved-");
        for text in [&table, &markdown] {
            let line = text
                .lines()
                .find(|l| {
                    l.contains(&format!(" {t} "))
                        && (l.contains(&format!(" {billing} "))
                            || l.contains(&format!(" {short} ")))
                })
                .unwrap_or_else(|| panic!("row {id}"));
            let cells: Vec<String> = line
                .split(['│', '┆', '|'])
                .map(|c| c.trim().replace(',', ""))
                .collect();
            assert!(cells.contains(&ptus.to_string()), "{id}: {line}");
        }
        // regions: the workload's own region, same type and term.
        let rows = regions["workloads"][0]["rows"].as_array().expect("rows");
        let r = rows
            .iter()
            .find(|r| {
                r["region"] == w["region"] && r["deployment_type"] == t && r["billing"] == billing
            })
            .unwrap_or_else(|| panic!("regions row {id}"));
        assert_eq!(r["ptus"].as_u64(), Some(ptus), "regions {id}");
        // report.json of the same run.
        assert_eq!(
            option(&report["workloads"][0], id)["ptus"].as_u64(),
            Some(ptus)
        );
        checked += 1;
    }
    assert_eq!(checked, 9, "three provisioned types x three billings");
    // Where a candidate region has no Standard deployment to spill to, 429s would fail there:
    // the row uses the count that needs no spillover (330 = 1,400 x 98 / 416.7 rounded up).
    let no_spill: Vec<&Value> = regions["workloads"][0]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| {
            r["sizing_basis"]
                .as_str()
                .unwrap_or("")
                .contains("no spillover to Standard")
        })
        .collect();
    assert!(!no_spill.is_empty());
    for r in no_spill {
        let t = r["deployment_type"].as_str().expect("type");
        assert_eq!(r["ptus"], w["sizing"][t]["min_ptus_for_target"], "{r}");
        assert_eq!(r["spillover_monthly_cost_usd"], 0.0);
    }
    assert_eq!(
        w["sizing"]["global-provisioned"]["min_ptus_for_target"],
        330
    );
    // Pools use the count of the term in use (1 year by default).
    for pool in json["reservations"].as_array().expect("pools") {
        let t = pool["deployment_type"].as_str().expect("type");
        let id = format!("{t}/reserved-1-year");
        assert_eq!(pool["term"], "reserved-1-year");
        assert_eq!(pool["deployed_ptus"], option(w, &id)["ptus"], "pool {t}");
    }
    // The HTML shows the recommended count and every sized count in the options table.
    let regional = option(w, "regional-provisioned/hourly")["ptus"]
        .as_u64()
        .expect("ptus");
    assert!(
        html.contains(&format!("<td class=\"num\">{regional}</td>")),
        "html {regional}"
    );
}

/// `regions --from japaneast` on tiny.csv (3,048 prompt and 300 completion tokens over a
/// 2-minute span: x 21,900 to a 730-hour month, 4 bytes per token): the row for eastus2 gets
/// Azure's published round trip Japan East -> East US 2 (165 ms), 0.267 GB of prompts one way
/// and 0.026 GB of completions back, priced with the two transfer prices of a catalog copy
/// (0.08 USD/GB out of japaneast, 0.05 out of eastus2: 0.022674 USD a month), and it leaves
/// the APAC data zone; koreacentral (29 ms) stays inside it. The bundled catalog has no transfer price:
/// "not priced", never 0.
#[test]
fn issue_15_regions_from_another_region() {
    let dir = copy_of_the_catalog();
    let net = dir.path().join("network.yaml");
    let text = std::fs::read_to_string(&net).expect("read");
    let text = text.replace(
        "transfer_prices: []",
        "transfer_prices:\n  - {from_regions: [japaneast], usd_per_gb: 0.08, source: \"test figure\", as_of: 2026-07-01}\n  - {from_regions: [eastus2], usd_per_gb: 0.05, source: \"test figure\", as_of: 2026-07-01}",
    );
    std::fs::write(&net, text).expect("write");
    let run = |catalog: Option<&Path>| {
        let mut cmd = ptuplan();
        cmd.args([
            "regions",
            "tests/fixtures/good/tiny.csv",
            "--from",
            "japaneast",
            "--format",
            "json",
        ]);
        if let Some(c) = catalog {
            cmd.arg("--catalog").arg(c);
        }
        let out = cmd.output().expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).expect("json")
    };
    let v = run(Some(dir.path()));
    let rows = v["workloads"][0]["rows"].as_array().expect("rows");
    let row = |region: &str| {
        rows.iter()
            .find(|r| r["region"] == region)
            .unwrap_or_else(|| panic!("a row for {region}"))
    };
    let east = &row("eastus2")["from"];
    assert_eq!(east["region"], "japaneast");
    assert_eq!(east["round_trip_ms"], 165);
    let gb = east["transfer_gb_per_month"].as_f64().expect("gb");
    assert!((gb - 3_348.0 * 4.0 * 21_900.0 / 1e9).abs() < 1e-9, "{gb}");
    let usd = east["transfer_monthly_cost_usd"].as_f64().expect("priced");
    let expect = 3_048.0 * 4.0 * 21_900.0 / 1e9 * 0.08 + 300.0 * 4.0 * 21_900.0 / 1e9 * 0.05;
    assert!((usd - expect).abs() < 1e-9, "{usd} vs {expect}");
    assert_eq!(east["crosses_data_zone"], true);
    let korea = &row("koreacentral")["from"];
    assert_eq!(korea["round_trip_ms"], 29);
    assert_eq!(korea["crosses_data_zone"], false);
    // The bundled catalog prices no transfer.
    let v = run(None);
    let east = v["workloads"][0]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["region"] == "eastus2")
        .expect("row")["from"]
        .clone();
    assert!(east["transfer_monthly_cost_usd"].is_null());
    assert!(east["note"].as_str().unwrap_or("").contains("not priced"));
    // An unknown --from is a usage error.
    ptuplan()
        .args([
            "regions",
            "tests/fixtures/good/tiny.csv",
            "--from",
            "atlantis",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--from `atlantis`"));
}

/// A quota file is strict: unknown keys and bad values are file:line errors; a model the
/// catalog does not know is an error; the flag and the file may not disagree.
#[test]
fn issue_15_quota_file_errors_name_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        p
    };
    let bad_key = write(
        "a.yaml",
        "quotas:\n  - model: gpt-4.1\n    tpm: 1000\n    tmp: 5\n",
    );
    ptuplan()
        .args(["compare", "tests/fixtures/good/tiny.csv", "--quota-file"])
        .arg(&bad_key)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("a.yaml:4").and(predicate::str::contains("tmp")));
    let zero = write(
        "b.yaml",
        "quotas:\n  - model: gpt-4.1\n    tpm: 1000\n  - model: gpt-4o\n    deployment_type: global-batch\n    tpm: 0\n",
    );
    ptuplan()
        .args(["compare", "tests/fixtures/good/tiny.csv", "--quota-file"])
        .arg(&zero)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("b.yaml:4")
                .and(predicate::str::contains("field `tpm`"))
                .and(predicate::str::contains("field `deployment_type`")),
        );
    let unknown = write(
        "c.yaml",
        "tier: 2\nquotas:\n  - {model: gpt-99, tpm: 1000}\n",
    );
    ptuplan()
        .args(["compare", "tests/fixtures/good/tiny.csv", "--quota-file"])
        .arg(&unknown)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("unknown model `gpt-99`")
                .and(predicate::str::contains("c.yaml:3")),
        );
    let tiered = write("d.yaml", "tier: 2\n");
    ptuplan()
        .args([
            "compare",
            "tests/fixtures/good/tiny.csv",
            "--quota-tier",
            "3",
            "--quota-file",
        ])
        .arg(&tiered)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("conflicts"));
    for bad in [
        "gpt-4o=0",
        "gpt-4o=lots",
        "gpt-4o/global-batch=5M",
        "=5M",
        "gpt-4o",
    ] {
        ptuplan()
            .args([
                "compare",
                "tests/fixtures/good/tiny.csv",
                "--quota-tpm",
                bad,
            ])
            .assert()
            .code(2);
    }
    ptuplan()
        .args([
            "compare",
            "tests/fixtures/good/tiny.csv",
            "--quota-tier",
            "9",
        ])
        .assert()
        .code(2);
    // A good file: gpt-4o Global Standard at 1K TPM fails tiny.csv's second request.
    let ok = write("e.yaml", "quotas:\n  - {model: gpt-4o, deployment_type: global-standard, tpm: 1000, rpm: 60, source: ticket 42}\n");
    let out = ptuplan()
        .args([
            "compare",
            "tests/fixtures/good/tiny.csv",
            "--format",
            "json",
            "--quota-file",
        ])
        .arg(&ok)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let gs = v["workloads"][0]["options"]
        .as_array()
        .expect("options")
        .iter()
        .find(|o| o["id"] == "global-standard")
        .expect("gs")
        .clone();
    assert_eq!(gs["standard_quota"]["basis"], "negotiated");
    assert!(gs["standard_quota"]["limits"]
        .as_str()
        .unwrap_or("")
        .contains("e.yaml:2, ticket 42"));
    assert!(gs["latency"]["summary"]
        .as_str()
        .unwrap_or("")
        .contains("no latency target"));
}

/// `calibrate` fits a real deployment's 429s: its help does not offer the bundled sample
/// (which has none), and its LOG says what the log must carry.
#[test]
fn issue_19_calibrate_help_offers_no_sample() {
    let out = ptuplan()
        .args(["calibrate", "--help"])
        .output()
        .expect("runs");
    let help = String::from_utf8(out.stdout).expect("utf-8");
    assert!(!help.contains("--sample"), "{help}");
    assert!(help.contains("no real 429s to fit"), "{help}");
    let compare = ptuplan()
        .args(["compare", "--help"])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&compare.stdout).contains("--sample"));
}
