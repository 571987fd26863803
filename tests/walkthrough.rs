//! Findings of a new user's walkthrough and of a hostile test of the flags (2026-12-07), each
//! checked on the real binary: usage errors exit 2, inputs are never overwritten or read
//! without a bound, and what the plan cannot price or size is said.

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

fn tiny() -> PathBuf {
    fixture("good/tiny.csv")
}

#[test]
fn bad_flag_and_environment_values_are_usage_errors() {
    let log = tiny();
    let cases: [(&[&str], &str); 4] = [
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
        .args(["--as-of", "2026-12-01", "--quota-file"])
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
