//! The JSON contract is guarded (issue 22): every key path the JSON output carries on two runs
//! (the bundled sample, and a steady log on which a reservation is decided, with a growth
//! scenario and its reservation plan) is listed in `docs/json-contract.txt`. A renamed or
//! removed internal field changes that list and fails here, so the contract never changes in
//! silence: a changed meaning bumps `schema_version` and gets a CHANGELOG note (README,
//! "What done means"). After a deliberate change, regenerate the list with
//! `PTUPLAN_UPDATE_CONTRACT=1 cargo test --test contract`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tempfile::TempDir;

const CONTRACT: &str = "docs/json-contract.txt";

fn run(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_ptuplan"))
        .arg("compare")
        .args(args)
        .args(["--format", "json", "--as-of", "2026-12-01", "--quiet"])
        .env_remove("PTUPLAN_AS_OF")
        .env_remove("PTUPLAN_CATALOG")
        .env_remove("PTUPLAN_REGION")
        .output()
        .expect("run ptuplan");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// A log a 1-year reservation holds on: six hours of 210 requests a minute, evenly spaced, with
/// the sales fact that makes Global PTU available in its region.
fn steady_log(dir: &Path) -> (PathBuf, PathBuf) {
    let log = dir.join("steady.csv");
    let mut text = String::from(
        "timestamp,deployment,model,region,prompt_tokens,cached_tokens,completion_tokens,reasoning_tokens,latency_ms,status,max_tokens\n",
    );
    let start = chrono::DateTime::parse_from_rfc3339("2026-11-02T00:00:00Z").expect("start");
    for i in 0..(6 * 60 * 210_i64) {
        let at = start + chrono::Duration::milliseconds(i * 60_000 / 210);
        writeln!(
            text,
            "{},steady,gpt-5.6-terra,eastus2,300,0,50,0,100,200,",
            at.format("%Y-%m-%dT%H:%M:%S%.3fZ")
        )
        .expect("write");
    }
    std::fs::write(&log, text).expect("write log");
    let sales = dir.join("sales.yaml");
    std::fs::write(
        &sales,
        "availability:\n  - model: gpt-5.6-terra\n    deployment_type: global-provisioned\n    \
         region: eastus2\n    available: true\n    source: \"Account team (test)\"\n",
    )
    .expect("write sales facts");
    (log, sales)
}

/// Every key path in `v`: `a.b`, arrays as `[]`, and a map keyed by numbers (a window in
/// seconds) as `<n>`.
fn paths(v: &Value, at: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                let key = if k.parse::<f64>().is_ok() {
                    "<n>"
                } else {
                    k.as_str()
                };
                let p = if at.is_empty() {
                    key.to_owned()
                } else {
                    format!("{at}.{key}")
                };
                out.insert(p.clone());
                paths(x, &p, out);
            }
        }
        Value::Array(items) => {
            for x in items {
                paths(x, &format!("{at}[]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn issue_22_the_json_contract_changes_only_on_purpose() {
    let dir = TempDir::new().expect("tmp");
    let (log, sales) = steady_log(dir.path());
    let sample = run(&[]);
    let steady = run(&[
        log.to_str().expect("utf-8"),
        "--overrides",
        sales.to_str().expect("utf-8"),
        "--min-span-days",
        "0.25",
        "--growth",
        "5",
        "--horizon-months",
        "2",
    ]);
    let version = sample["schema_version"].as_u64().expect("schema_version");
    let mut found = BTreeSet::new();
    paths(&sample, "", &mut found);
    paths(&steady, "", &mut found);

    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(CONTRACT);
    let header = format!(
        "# The JSON contract (schema_version {version}): every key path `--format json` writes on the\n\
         # runs of tests/contract.rs. Arrays are `[]`, maps keyed by a window in seconds `<n>`.\n\
         # Generated: PTUPLAN_UPDATE_CONTRACT=1 cargo test --test contract\n"
    );
    if std::env::var_os("PTUPLAN_UPDATE_CONTRACT").is_some() {
        let body: String = found.iter().map(|p| format!("{p}\n")).collect();
        std::fs::write(&path, format!("{header}{body}")).expect("write contract");
        return;
    }
    let text = std::fs::read_to_string(&path).expect(CONTRACT);
    let listed: BTreeSet<String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_owned)
        .collect();
    let lost: Vec<&String> = listed.difference(&found).collect();
    let added: Vec<&String> = found.difference(&listed).collect();
    assert!(
        lost.is_empty(),
        "the JSON contract lost {lost:?}: an internal rename or removal changes the contract; \
         if it is meant, bump schema_version, add a CHANGELOG note and regenerate {CONTRACT}"
    );
    assert!(
        added.is_empty(),
        "new JSON fields {added:?}: adding is fine, list them in {CONTRACT} \
         (PTUPLAN_UPDATE_CONTRACT=1 cargo test --test contract)"
    );
    assert!(
        text.starts_with(&header),
        "{CONTRACT} was written for another schema_version than {version}"
    );
}
