//! Issue 18: one decision per workload, computed once, that every output follows, and that
//! holds across what the log cannot tell (the burst window, the span, the model's lifecycle).
//! The logs are generated here, deterministically: one like the issue's (three workloads, a
//! gpt-5.1 copilot in eastus2 at about 120 requests a minute at peak, 3,500-token prompts, 40%
//! cached, bursts packed into a few seconds), and steady loads whose economics are known.

use std::fmt::Write as _;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

fn ptuplan() -> Command {
    let mut cmd = Command::cargo_bin("ptuplan").expect("binary builds");
    cmd.env_remove("SOURCE_DATE_EPOCH")
        .env("PTUPLAN_AS_OF", "2026-12-01")
        .env_remove("PTUPLAN_CATALOG")
        .env_remove("PTUPLAN_REGION")
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS");
    cmd
}

/// Exit code, stdout and stderr.
fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = ptuplan().args(args).output().expect("runs");
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(out.stderr).expect("utf-8"),
    )
}

fn json(args: &[&str]) -> Value {
    let mut all = vec!["compare", "--quiet", "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = run(&all);
    assert_eq!(code, Some(0), "{args:?}: {err}");
    serde_json::from_str(&out).expect("json")
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn workload<'a>(report: &'a Value, deployment: &str) -> &'a Value {
    report["workloads"]
        .as_array()
        .expect("workloads")
        .iter()
        .find(|w| w["deployment"] == deployment)
        .unwrap_or_else(|| panic!("no workload {deployment}"))
}

/// The reason of `decision` with code `code`, if it has one.
fn reason<'a>(decision: &'a Value, code: &str) -> Option<&'a Value> {
    decision["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .find(|r| r["code"] == code)
}

/// SplitMix64: a seeded, value-stable generator for the logs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(1e-300);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda > 30.0 {
            return (lambda + lambda.sqrt() * self.normal()).round().max(0.0) as u64;
        }
        let limit = (-lambda).exp();
        let (mut k, mut p) = (0, 1.0);
        loop {
            p *= self.unit();
            if p < limit {
                return k;
            }
            k += 1;
        }
    }
}

const HEADER: &str = "timestamp,deployment,model,region,prompt_tokens,cached_tokens,completion_tokens,reasoning_tokens,max_completion_tokens,status,latency_ms\n";

/// `2026-11-02T00:00:00.000Z` plus `ms`.
fn stamp(ms: i64) -> String {
    let t = chrono::DateTime::from_timestamp_millis(1_793_577_600_000 + ms).expect("time");
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// One workload of the issue-like log: peak and night rate (requests a minute), prompt and
/// completion medians, cached share.
struct Shape {
    deployment: &'static str,
    model: &'static str,
    region: &'static str,
    peak_rpm: f64,
    night_rpm: f64,
    prompt: f64,
    cached: f64,
    completion: f64,
}

/// The issue's log, `minutes` long from Monday 2026-11-02 00:00 UTC: three workloads on a
/// diurnal cycle (busiest at 17:00 UTC, weekends at 40%), 15% of minutes packed into 3 s.
fn issue_like(path: &Path, minutes: u32) {
    let shapes = [
        Shape {
            deployment: "copilot",
            model: "gpt-5.1",
            region: "eastus2",
            peak_rpm: 120.0,
            night_rpm: 20.0,
            prompt: 3_500.0,
            cached: 0.40,
            completion: 300.0,
        },
        Shape {
            deployment: "rag",
            model: "gpt-4.1",
            region: "swedencentral",
            peak_rpm: 30.0,
            night_rpm: 10.0,
            prompt: 6_000.0,
            cached: 0.20,
            completion: 250.0,
        },
        Shape {
            deployment: "notes",
            model: "gpt-5-mini",
            region: "eastus2",
            peak_rpm: 12.0,
            night_rpm: 2.0,
            prompt: 1_500.0,
            cached: 0.10,
            completion: 200.0,
        },
    ];
    let mut rng = Rng(18);
    let mut text = String::from(HEADER);
    for m in 0..minutes {
        let hour = f64::from(m % 1440) / 60.0;
        let weekday = (m / 1440) % 7;
        let day = if weekday < 5 { 1.0 } else { 0.4 };
        let mut rows: Vec<(i64, String)> = Vec::new();
        for s in &shapes {
            let diurnal = (-((hour - 17.0) / 4.0).powi(2)).exp() * day;
            let n = rng.poisson(s.night_rpm + (s.peak_rpm - s.night_rpm) * diurnal);
            let spread = if rng.unit() < 0.15 { 3_000.0 } else { 60_000.0 };
            for _ in 0..n {
                let at = i64::from(m) * 60_000 + (rng.unit() * spread) as i64;
                let prompt = rng.lognormal(s.prompt, 0.35).max(50.0) as u64;
                let cached = ((prompt as f64) * s.cached * (0.6 + 0.8 * rng.unit())) as u64;
                let completion = rng.lognormal(s.completion, 0.5).max(1.0) as u64;
                rows.push((
                    at,
                    format!(
                        ",{},{},{},{prompt},{},{completion},0,{},200,\n",
                        s.deployment,
                        s.model,
                        s.region,
                        cached.min(prompt),
                        completion.max(1024)
                    ),
                ));
            }
        }
        rows.sort_by_key(|r| r.0);
        for (at, rest) in rows {
            text.push_str(&stamp(at));
            text.push_str(&rest);
        }
    }
    std::fs::write(path, text).expect("write log");
}

/// A steady gpt-5.6-terra load (it does not retire within a year of 2026-12-01): `rpm`
/// requests of 300 prompt and 50 completion tokens (max 100) a minute, evenly spaced, and
/// every `burst_every` minutes `burst` more inside one second. `model` overrides the model.
fn steady(path: &Path, minutes: u32, rpm: u32, burst_every: u32, burst: u32, model: &str) {
    let mut text = String::from(HEADER);
    for m in 0..minutes {
        let mut at: Vec<i64> = (0..rpm)
            .map(|i| i64::from(m) * 60_000 + i64::from(i) * 60_000 / i64::from(rpm))
            .collect();
        if burst_every > 0 && m % burst_every == 0 {
            at.extend(
                (0..burst).map(|i| {
                    i64::from(m) * 60_000 + 30_000 + i64::from(i) * 1_000 / i64::from(burst)
                }),
            );
        }
        at.sort_unstable();
        for t in at {
            writeln!(
                text,
                "{},steady,{model},eastus2,300,0,50,0,100,200,",
                stamp(t)
            )
            .expect("write");
        }
    }
    std::fs::write(path, text).expect("write log");
    std::fs::write(
        sales_facts(path),
        format!(
            "availability:\n  - model: {model}\n    deployment_type: global-provisioned\n    \
             region: eastus2\n    available: true\n    source: \"Account team (test)\"\n"
        ),
    )
    .expect("write overrides");
}

/// The `--overrides` file `steady` writes beside its log: sales confirm Global PTU for the
/// model in eastus2 (no region matrix covers gpt-5.6, so its PTU availability is otherwise
/// only inferred, and an inferred option is never decided).
fn sales_facts(log: &Path) -> std::path::PathBuf {
    log.with_extension("sales.yaml")
}

/// The saving share of the decided option against the flexible one at every window.
fn savings_by_window(decision: &Value) -> Vec<(String, f64)> {
    decision["by_window_s"]
        .as_object()
        .expect("by_window_s")
        .iter()
        .map(|(k, v)| {
            let flex = num(&v["flexible_monthly_cost_usd"]);
            (k.clone(), (flex - num(&v["monthly_cost_usd"])) / flex)
        })
        .collect()
}

/// A log like the issue's (a day of it, with --min-span-days 1, for the tests' speed; the
/// 8-day one behaves the same): no reservation is decided whose saving changes sign or falls
/// under 10% anywhere in 1-60 s. The copilot's 1-year reservation saves money at 60 s on this
/// log (what 0.2 committed), but not over the band: it is weighed, rejected, and said so.
#[test]
fn issue_18_a_log_like_the_issues_commits_only_what_holds_across_the_band() {
    let dir = TempDir::new().expect("tmp");
    let log = dir.path().join("issue.csv");
    issue_like(&log, 24 * 60);
    let r = json(&[log.to_str().expect("utf8"), "--min-span-days", "1"]);
    let mut commitment = 0.0;
    for w in r["workloads"].as_array().expect("workloads") {
        let d = &w["decision"];
        assert_eq!(d["status"], "firm", "{}", w["deployment"]);
        assert_eq!(d["window_band_s"], serde_json::json!([1.0, 60.0]));
        let keys: Vec<&String> = d["by_window_s"]
            .as_object()
            .expect("windows")
            .keys()
            .collect();
        assert_eq!(keys, ["1", "10", "60"]);
        commitment += num(&d["commitment_usd"]);
        if num(&d["commitment_usd"]) > 0.0 {
            for (window, share) in savings_by_window(d) {
                assert!(
                    share >= 0.10,
                    "{} saves {share} at {window} s",
                    w["deployment"]
                );
            }
        }
    }
    assert!((num(&r["decision_summary"]["commitment_usd"]) - commitment).abs() < 1e-6);
    let copilot = &workload(&r, "copilot")["decision"];
    assert_eq!(copilot["option"], "global-standard", "{copilot}");
    let rejected = reason(copilot, "commitment-rejected")
        .unwrap_or_else(|| panic!("the reservation is weighed: {copilot}"));
    let text = rejected["text"].as_str().expect("text");
    assert!(text.contains("more at 1 s"), "{text}");
    // Every reason has words, and no utilization above 100% is shown.
    for w in r["workloads"].as_array().expect("workloads") {
        for reason in w["decision"]["reasons"].as_array().expect("reasons") {
            let t = reason["text"].as_str().expect("text");
            assert!(!t.is_empty());
            assert!(!t.contains("would run at 1") || !t.contains("0.0%"), "{t}");
        }
    }
}

/// The first 1.4 hours of the same log (at night): every decision is provisional and commits
/// nothing; the verdict says so first, a gate on `provisional` can stop a pipeline, and a
/// reservation shows only as a what-if.
#[test]
fn issue_18_the_first_hours_of_a_log_are_provisional_and_commit_nothing() {
    let dir = TempDir::new().expect("tmp");
    let log = dir.path().join("early.csv");
    issue_like(&log, 84);
    let path = log.to_str().expect("utf8");
    let r = json(&[path]);
    assert_eq!(r["decision_summary"]["provisional"], 3);
    assert_eq!(r["decision_summary"]["firm"], 0);
    assert_eq!(num(&r["decision_summary"]["commitment_usd"]), 0.0);
    for w in r["workloads"].as_array().expect("workloads") {
        let d = &w["decision"];
        assert_eq!(d["status"], "provisional");
        assert_eq!(num(&d["commitment_usd"]), 0.0);
        assert_eq!(d["billing"], "per-token", "{d}");
        assert_eq!(d["reasons"][0]["code"], "short-log");
    }
    let verdict = r["decision_summary"]["verdict"].as_str().expect("verdict");
    assert!(
        verdict.starts_with("Verdict: commit nothing yet"),
        "{verdict}"
    );
    assert!(
        verdict.contains("provisional: the log covers 1.4 h"),
        "{verdict}"
    );
    let (code, table, _) = run(&["compare", path, "--quiet"]);
    assert_eq!(code, Some(0));
    assert!(table.starts_with("Verdict: commit nothing yet"), "{table}");
    let (code, _, err) = run(&[
        "compare",
        path,
        "--fail-on",
        "provisional>0",
        "--fail-on",
        "commitment_usd>0",
    ]);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("budget rule provisional>0 breached: actual 3 > threshold 0"),
        "{err}"
    );
    assert!(err.contains("commitment_usd>0 passed"), "{err}");
}

/// Eight days of totals of one steady gpt-5.6-terra workload in eastus2 (20 requests a minute
/// of 40,000-token prompts, 95% cached), written per `bucket` (`minute`, `hour` or `day`), with
/// sales facts confirming Global PTU and Global Standard there ([`sales_facts`]).
fn totals(path: &Path, bucket: &str) {
    let step_min: i64 = match bucket {
        "minute" => 1,
        "hour" => 60,
        _ => 1_440,
    };
    let mut csv = String::from(
        "bucket_start,bucket,deployment,model,region,requests,prompt_tokens,cached_tokens,completion_tokens\n",
    );
    for m in (0..8 * 1_440).step_by(step_min as usize) {
        let n = 20 * step_min;
        writeln!(
            csv,
            "{},{bucket},chat,gpt-5.6-terra,eastus2,{n},{},{},{}",
            stamp(m * 60_000),
            n * 40_000,
            n * 38_000,
            n * 200
        )
        .expect("write");
    }
    std::fs::write(path, csv).expect("write log");
    let fact = |t: &str| {
        format!(
            "  - model: gpt-5.6-terra\n    deployment_type: {t}\n    region: eastus2\n    \
             available: true\n    source: \"Account team (test)\"\n"
        )
    };
    std::fs::write(
        sales_facts(path),
        format!(
            "availability:\n{}{}",
            fact("global-provisioned"),
            fact("global-standard")
        ),
    )
    .expect("write overrides");
}

/// `--on-throttle spillover` plans spillover into a target whose availability is unconfirmed
/// (Global Standard of gpt-5.6-terra: no table lists it): a reservation that spills into it
/// says so and asks for it to be confirmed before signing, since without it those requests
/// fail. Without the flag no spillover is planned there and nothing is said.
#[test]
fn a_reservation_spilling_into_an_unconfirmed_target_asks_for_it_before_signing() {
    let dir = TempDir::new().expect("tmp");
    let log = dir.path().join("steady.csv");
    steady(&log, 6 * 60, 210, 5, 120, "gpt-5.6-terra");
    let path = log.to_str().expect("utf8");
    let sales = sales_facts(&log);
    let base = [
        path,
        "--served-by",
        "global-provisioned",
        "--min-span-days",
        "0.25",
        "--min-saving-pct",
        "5",
        "--overrides",
        sales.to_str().expect("utf8"),
    ];
    let r = json(&[&base[..], &["--on-throttle", "spillover"]].concat());
    let d = &workload(&r, "steady")["decision"];
    assert!(num(&d["commitment_usd"]) > 0.0, "{d}");
    let spills = reason(d, "spills-into-unconfirmed").unwrap_or_else(|| panic!("{d}"));
    let text = spills["text"].as_str().expect("text");
    assert!(
        text.contains("into global-standard, whose availability in eastus2 is unconfirmed"),
        "{text}"
    );
    let verdict = r["decision_summary"]["verdict"].as_str().expect("verdict");
    assert!(
        verdict.contains("confirm global-standard in eastus2 before signing for steady"),
        "{verdict}"
    );
    let r = json(&base);
    let d = &workload(&r, "steady")["decision"];
    assert!(reason(d, "spills-into-unconfirmed").is_none(), "{d}");
}

/// Totals per hour or per day hide the arrivals inside a bucket, which a reservation's size
/// depends on: the traffic that commits as per-minute buckets is provisional as per-day
/// totals, commits nothing, names why, fails `provisional>0`, and the reservation plan of a
/// growth scenario buys nothing on it either.
#[test]
fn a_log_of_daily_totals_commits_nothing_where_minutes_would() {
    let dir = TempDir::new().expect("tmp");
    let minute = dir.path().join("minute.csv");
    totals(&minute, "minute");
    let sales = sales_facts(&minute);
    let sales = sales.to_str().expect("utf8");
    let r = json(&[minute.to_str().expect("utf8"), "--overrides", sales]);
    let d = &workload(&r, "chat")["decision"];
    assert_eq!(d["status"], "firm", "{d}");
    assert_eq!(d["billing"], "reserved-1-year", "{d}");
    for bucket in ["hour", "day"] {
        let log = dir.path().join(format!("{bucket}.csv"));
        totals(&log, bucket);
        let path = log.to_str().expect("utf8");
        // The reservation plan of a growth scenario, on the day log.
        let growth: &[&str] = if bucket == "day" {
            &["--growth-pct", "5", "--horizon-months", "12"]
        } else {
            &[]
        };
        let r = json(&[&[path, "--overrides", sales][..], growth].concat());
        let d = &workload(&r, "chat")["decision"];
        assert_eq!(d["status"], "provisional", "{bucket}: {d}");
        assert_eq!(num(&d["commitment_usd"]), 0.0);
        assert_eq!(d["reasons"][0]["code"], "coarse-log");
        assert!(
            d["reasons"][0]["text"]
                .as_str()
                .expect("text")
                .starts_with(&format!("the log's inputs are totals per {bucket}")),
            "{d}"
        );
        assert!(reason(d, "what-if").is_some());
        let verdict = r["decision_summary"]["verdict"].as_str().expect("verdict");
        assert!(
            verdict.contains(&format!(
                "provisional: the log is totals per {bucket}, which hide the bursts"
            )),
            "{verdict}"
        );
        if bucket != "day" {
            continue;
        }
        let ladder = &r["scenarios"][0]["ladder"];
        let pools = ladder["pools"].as_array().expect("pools");
        assert!(!pools.is_empty(), "{ladder}");
        for pool in pools {
            assert_eq!(pool["purchases"], serde_json::json!([]), "{bucket}: {pool}");
            let rejected = pool["rejected_purchases"].as_array().expect("rejected");
            assert!(!rejected.is_empty(), "{pool}");
            for p in rejected {
                assert!(
                    p["checks"]
                        .as_array()
                        .expect("checks")
                        .iter()
                        .any(|c| c["code"] == "coarse-log" && c["bucket"] == bucket),
                    "{p}"
                );
            }
        }
        let (code, _, err) = run(&[
            "compare",
            path,
            "--overrides",
            sales,
            "--fail-on",
            "provisional>0",
        ]);
        assert_eq!(code, Some(3), "{err}");
    }
}

/// A steady load of small requests: a 1-year reservation saves more than 10% at every window
/// of 1-60 s, so it is decided, at one count for the whole band, and every output shows that
/// count and that monthly cost.
#[test]
fn issue_18_a_steady_load_reserves_and_every_format_shows_one_count_and_cost() {
    let dir = TempDir::new().expect("tmp");
    let log = dir.path().join("steady.csv");
    steady(&log, 6 * 60, 210, 0, 0, "gpt-5.6-terra");
    let path = log.to_str().expect("utf8");
    let sales = sales_facts(&log);
    let flags = [
        "--min-span-days",
        "0.25",
        "--overrides",
        sales.to_str().expect("utf8"),
    ];
    let mut args = vec![path];
    args.extend_from_slice(&flags);
    let r = json(&args);
    let d = &workload(&r, "steady")["decision"];
    assert_eq!(d["status"], "firm");
    assert_eq!(d["billing"], "reserved-1-year", "{d}");
    for (window, share) in savings_by_window(d) {
        assert!(share >= 0.10, "saves {share} at {window} s");
    }
    let ptus = d["ptus"].as_u64().expect("ptus");
    let monthly = num(&d["monthly_cost_usd"]);
    let option = workload(&r, "steady")["options"]
        .as_array()
        .expect("options")
        .iter()
        .find(|o| o["id"] == d["option"])
        .expect("the decided option is an option");
    assert_eq!(option["ptus"].as_u64(), Some(ptus));
    assert!((num(&option["monthly_cost_usd"]) - monthly).abs() < 1e-9);
    assert!(
        (num(&d["commitment_usd"]) - ptus as f64 * num(&option["reservation_usd_per_ptu"])).abs()
            < 1e-6
    );
    assert_eq!(workload(&r, "steady")["recommended"], d["option"]);
    // The same count and cost in every format.
    let count = ptuplan::report::fmt_int(ptus);
    let cost = ptuplan::report::fmt_usd(monthly);
    let render = |format: &str, extra: &[&str]| -> String {
        let mut all = vec!["compare", path, "--quiet", "--format", format];
        all.extend_from_slice(&flags);
        all.extend_from_slice(extra);
        let (code, out, err) = run(&all);
        assert_eq!(code, Some(0), "{format}: {err}");
        out
    };
    for (format, extra) in [
        ("table", &[][..]),
        ("table", &["--details"][..]),
        ("markdown", &[][..]),
    ] {
        let text = render(format, extra);
        assert!(text.contains(&cost), "{format}: {cost} in\n{text}");
        assert!(
            text.contains(&format!("{count} Global PTU")) || text.contains(&format!(" {count} ")),
            "{format}: {count} in\n{text}"
        );
    }
    let csv = render("csv", &[]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().expect("header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let decided: Vec<csv::StringRecord> = reader
        .records()
        .map(|r| r.expect("row"))
        .filter(|r| &r[col("recommended")] == "true")
        .collect();
    assert_eq!(decided.len(), 1, "one decided row");
    assert_eq!(decided[0][col("ptus")], ptus.to_string());
    let csv_monthly: f64 = decided[0][col("monthly_cost_usd")].parse().expect("number");
    assert!(
        (csv_monthly - monthly).abs() < 0.006,
        "{csv_monthly} vs {monthly}"
    );
    assert_eq!(decided[0][col("decision_status")], *"firm");
    let focus = render("focus", &[]);
    assert!(
        focus.contains(&format!("{ptus} reserved global-provisioned PTUs")),
        "{focus}"
    );
    assert!(focus.contains(&format!(
        "{ptus} PTUs on a 1-year global-provisioned reservation"
    )));
    // The reservation pool holds the decided count, and so does `regions`' decided row.
    let pool = &r["reservations"][0];
    assert_eq!(pool["deployed_ptus"].as_u64(), Some(ptus));
    assert_eq!(pool["term"], "reserved-1-year");
    let (code, regions, err) = run(&[
        "regions",
        path,
        "--quiet",
        "--format",
        "json",
        "--min-span-days",
        "0.25",
        "--overrides",
        sales.to_str().expect("utf8"),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let regions: Value = serde_json::from_str(&regions).expect("json");
    let decided = regions["workloads"][0]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|row| row["decided"] == true)
        .expect("regions marks the decided row");
    assert_eq!(decided["ptus"].as_u64(), Some(ptus));
    assert_eq!(decided["region"], "eastus2");
    // The report directory: HTML and Markdown too.
    let out = dir.path().join("r");
    let mut report = vec![
        "report",
        path,
        "--quiet",
        "--out-dir",
        out.to_str().expect("utf8"),
    ];
    report.extend_from_slice(&flags);
    let (code, _, err) = run(&report);
    assert_eq!(code, Some(0), "{err}");
    for file in ["report.html", "report.md"] {
        let text = std::fs::read_to_string(out.join(file)).expect("read");
        assert!(text.contains(&cost), "{file}");
        assert!(text.contains(&count), "{file}");
    }
    assert!(out.join("charts/band-01-steady.svg").exists());
}

/// The headline is the worst case across the band (tester18 item 6): a decided reservation's
/// saving is stated as its range over 1-60 s, worst end first; the plan's cost comes with its
/// worst case; and `--fail-on monthly_cost_usd` judges the worst window's cost, not the window
/// in use's (60 s, the band's lenient end).
/// Global Standard for gpt-5.6-terra in eastus2 is only on an unverified list, so it is never
/// decided; but the log cannot tell whether it is offered, so a reservation is weighed against
/// it too (the outside tester's case: "saves 33.6%" against hourly PTUs spilling 85% into that
/// very Global Standard, 15.9% against Global Standard itself). Confirmed by sales, it is the
/// flexible option outright.
#[test]
fn a_reservation_is_weighed_against_an_option_only_unconfirmed() {
    let dir = TempDir::new().expect("tmp");
    let log = dir.path().join("steady.csv");
    steady(&log, 6 * 60, 210, 0, 0, "gpt-5.6-terra");
    let path = log.to_str().expect("utf8");
    let sales = sales_facts(&log);
    // The log was served by Global PTU: it is no evidence for Global Standard.
    // On this log the reservation saves 9.9% against Global Standard: 5% is asked, so that it
    // holds.
    let served = [
        "--served-by",
        "global-provisioned",
        "--min-span-days",
        "0.25",
        "--min-saving-pct",
        "5",
    ];
    let args = |sales: &str| -> Vec<String> {
        [path]
            .iter()
            .chain(served.iter())
            .chain(["--overrides", sales].iter())
            .map(|s| (*s).to_owned())
            .collect()
    };
    let sales_path = sales.to_str().expect("utf8");
    let run_json = |a: Vec<String>| json(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let r = run_json(args(sales_path));
    let w = workload(&r, "steady");
    let d = &w["decision"];
    assert_eq!(d["billing"], "reserved-1-year", "{d}");
    let option = |id: &str| {
        w["options"]
            .as_array()
            .expect("options")
            .iter()
            .find(|o| o["id"] == id)
            .expect(id)
            .clone()
    };
    let standard = option("global-standard");
    assert_eq!(standard["eligible"], false, "held back as unconfirmed");
    assert_eq!(d["flexible"]["option"], "global-standard", "{d}");
    assert_eq!(d["flexible"]["availability_unconfirmed"], true);
    let saving = num(&standard["monthly_cost_usd"]) - num(&d["monthly_cost_usd"]);
    assert!(
        (num(&d["saving_vs_flexible_usd"]) - saving).abs() < 1e-6,
        "{d}"
    );
    for (_, v) in d["by_window_s"].as_object().expect("by window") {
        assert_eq!(v["flexible_option"], "global-standard");
        assert_eq!(v["flexible_availability_unconfirmed"], true);
    }
    let against = reason(d, "against-unconfirmed")
        .expect("the reason says what the saving is measured against");
    let text = against["text"].as_str().expect("text");
    assert!(
        text.contains("global-standard") && text.contains("eastus2"),
        "{text}"
    );
    assert!(text.contains("the cheapest confirmed option"), "{text}");
    // The hourly PTUs do not lean on the unconfirmed Global Standard: no spillover is planned.
    let hourly = option("global-provisioned/hourly");
    assert_eq!(hourly["spilled_requests"], 0, "{hourly}");
    assert!(hourly["note"]
        .as_str()
        .is_some_and(|n| n.contains("no spillover: global-standard's availability")));

    // Asked 20%, the reservation saves less than that against Global Standard, but the hourly
    // PTUs would cost more whether or not Global Standard is offered: the reservation is
    // decided, and the verdict says to rule Global Standard out before signing.
    let strict = args(sales_path)
        .into_iter()
        .map(|a| if a == "5" { "20".to_owned() } else { a })
        .collect();
    let r = run_json(strict);
    let d = &workload(&r, "steady")["decision"];
    assert_eq!(d["billing"], "reserved-1-year", "{d}");
    assert!(reason(d, "holds-unless-unconfirmed").is_some());
    assert!(r["decision_summary"]["verdict"].as_str().is_some_and(
        |v| v.contains("rule out global-standard in eastus2 before signing for steady")
    ));

    // Sales confirm Global Standard too: the same saving, no flag, no reason.
    let mut facts = std::fs::read_to_string(&sales).expect("sales");
    facts.push_str(
        "  - model: gpt-5.6-terra\n    deployment_type: global-standard\n    region: eastus2\n    \
         available: true\n    source: \"Account team (test)\"\n",
    );
    std::fs::write(&sales, facts).expect("write");
    let r = run_json(args(sales_path));
    let d = &workload(&r, "steady")["decision"];
    assert_eq!(d["flexible"]["option"], "global-standard", "{d}");
    assert_eq!(d["flexible"]["availability_unconfirmed"], false);
    // Spillover into it is planned now, so the reservation is sized cheaper, never dearer.
    assert!(num(&d["saving_vs_flexible_usd"]) >= saving - 1e-6, "{d}");
    assert!(reason(d, "against-unconfirmed").is_none());
}

#[test]
fn issue_18_the_headline_and_the_gates_are_the_worst_case_across_the_band() {
    let dir = TempDir::new().expect("tmp");
    let log = dir.path().join("steady.csv");
    steady(&log, 6 * 60, 210, 2, 60, "gpt-5.6-terra");
    let path = log.to_str().expect("utf8");
    let sales = sales_facts(&log);
    let sales = sales.to_str().expect("utf8");
    let r = json(&[path, "--min-span-days", "0.25", "--overrides", sales]);
    let d = &workload(&r, "steady")["decision"];
    assert_eq!(d["billing"], "reserved-1-year", "{d}");
    let worst = &d["worst_case"];
    let savings = savings_by_window(d);
    let least = savings.iter().map(|s| s.1).fold(f64::INFINITY, f64::min);
    let most = savings
        .iter()
        .map(|s| s.1)
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(
        most > least,
        "the saving differs across the band: {savings:?}"
    );
    assert!((num(&worst["saving_vs_flexible_pct"]) - least * 100.0).abs() < 1e-9);
    assert!((num(&worst["best_saving_vs_flexible_pct"]) - most * 100.0).abs() < 1e-9);
    let highest = d["by_window_s"]
        .as_object()
        .expect("by window")
        .values()
        .map(|v| num(&v["monthly_cost_usd"]))
        .fold(f64::NEG_INFINITY, f64::max);
    let run_cost = num(&d["monthly_cost_usd"]);
    assert!(highest > run_cost, "the 60 s cost is the lenient end");
    assert_eq!(num(&worst["monthly_cost_usd"]), highest);
    assert_eq!(
        num(&r["decision_summary"]["worst_case_monthly_cost_usd"]),
        highest
    );
    let verdict = r["decision_summary"]["verdict"].as_str().expect("verdict");
    let pct = |share: f64| format!("{:.1}%", share * 100.0);
    assert!(
        verdict.contains(&format!(
            "saves {} to {} across 1-60 s",
            pct(least),
            pct(most)
        )),
        "{verdict}"
    );
    assert!(
        verdict.contains(&format!("up to {}", ptuplan::report::fmt_usd(highest))),
        "{verdict}"
    );
    // A budget between the 60 s cost and the worst window's is breached.
    let between = format!("monthly_cost_usd>{}", (run_cost + highest) / 2.0);
    let (code, _, err) = run(&[
        "compare",
        path,
        "--quiet",
        "--min-span-days",
        "0.25",
        "--overrides",
        sales,
        "--fail-on",
        &between,
    ]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("at its worst window of the band"), "{err}");
}

/// Bursts every two minutes that a 1 s bucket cannot absorb: at 60 s alone a 1-year
/// reservation saves 15% and would be decided; over 1-60 s it saves less than 10% at the
/// strictest window, so it is not, and the reasons say where it falls short and how to settle
/// the window.
#[test]
fn issue_18_a_decision_that_flips_inside_the_band_commits_nothing() {
    let dir = TempDir::new().expect("tmp");
    let log = dir.path().join("flip.csv");
    steady(&log, 6 * 60, 180, 2, 200, "gpt-5.6-terra");
    let path = log.to_str().expect("utf8");
    let sales = sales_facts(&log);
    let sales = sales.to_str().expect("utf8");
    let one = json(&[
        path,
        "--min-span-days",
        "0.25",
        "--window-band",
        "60",
        "--overrides",
        sales,
    ]);
    let d = &workload(&one, "steady")["decision"];
    assert_eq!(d["billing"], "reserved-1-year", "{d}");
    assert!(num(&d["saving_vs_flexible_pct"]) >= 10.0, "{d}");
    let band = json(&[path, "--min-span-days", "0.25", "--overrides", sales]);
    let d = &workload(&band, "steady")["decision"];
    assert_eq!(d["billing"], "per-token", "{d}");
    assert_eq!(num(&d["commitment_usd"]), 0.0);
    let codes: Vec<&str> = d["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter_map(|r| r["code"].as_str())
        .collect();
    assert!(codes.contains(&"commitment-rejected"), "{codes:?}");
}

/// The band's figures are the replay's own: a run at --bucket-window-s 10 gives the same
/// flexible option and cost as the 10 s entry of a run at 60 s (here the flexible option is
/// PTUs billed hourly, whose count differs by window: --min-tokens-per-s rules out Standard).
#[test]
fn issue_18_a_windows_figures_are_a_run_at_that_window() {
    let dir = TempDir::new().expect("tmp");
    let log = dir.path().join("mini.csv");
    let mut rng = Rng(5);
    let mut text = String::from(HEADER);
    for m in 0..(12 * 60) {
        for _ in 0..rng.poisson(6.0) {
            let at = i64::from(m) * 60_000 + (rng.unit() * 60_000.0) as i64;
            let prompt = rng.lognormal(1_500.0, 0.4) as u64;
            writeln!(
                text,
                "{},notes,gpt-5-mini,eastus2,{prompt},0,200,0,1024,200,",
                stamp(at)
            )
            .expect("write");
        }
    }
    // Arrivals within a minute out of order would be sorted by the reader; keep them sorted.
    let mut lines: Vec<&str> = text.lines().skip(1).collect();
    lines.sort_unstable();
    std::fs::write(&log, format!("{HEADER}{}\n", lines.join("\n"))).expect("write");
    let path = log.to_str().expect("utf8");
    let at60 = json(&[path, "--min-tokens-per-s", "30"]);
    let at10 = json(&[path, "--min-tokens-per-s", "30", "--bucket-window-s", "10"]);
    let band10 = &workload(&at60, "notes")["decision"]["by_window_s"]["10"];
    let own10 = &workload(&at10, "notes")["decision"]["flexible"];
    assert_eq!(band10["flexible_option"], own10["option"]);
    assert_eq!(own10["billing"], "hourly", "{own10}");
    assert_eq!(
        band10["flexible_monthly_cost_usd"],
        own10["monthly_cost_usd"]
    );
    // And the other way round.
    let band60 = &workload(&at10, "notes")["decision"]["by_window_s"]["60"];
    let own60 = &workload(&at60, "notes")["decision"]["flexible"];
    assert_eq!(
        band60["flexible_monthly_cost_usd"],
        own60["monthly_cost_usd"]
    );
    // The windows differ here: the band is not one figure repeated.
    let by = &workload(&at60, "notes")["decision"]["by_window_s"];
    assert_ne!(
        by["1"]["flexible_monthly_cost_usd"],
        by["60"]["flexible_monthly_cost_usd"]
    );
}

/// A reservation outlives its model: gpt-4o retires on 2027-04-14, 3.4 months into a 1-year
/// term starting on 2027-01-01 (the first month after --as-of); the retirement scenario plans
/// its named replacement, gpt-5.1, and the months after the retirement are priced with it. Without the scenario
/// (--no-auto-scenarios) the saving counts only up to the retirement.
#[test]
fn issue_18_a_retirement_inside_the_term_is_priced_with_the_replacement() {
    let dir = TempDir::new().expect("tmp");
    let log = dir.path().join("retiring.csv");
    steady(&log, 6 * 60, 210, 0, 0, "gpt-4o");
    let path = log.to_str().expect("utf8");
    let with = json(&[path, "--min-span-days", "0.25"]);
    let d = &workload(&with, "steady")["decision"];
    let retires = reason(d, "retires-in-term")
        .unwrap_or_else(|| panic!("the retirement inside the term is weighed: {d}"));
    let text = retires["text"].as_str().expect("text");
    assert!(text.contains("retires on 2027-04-14"), "{text}");
    // The replacement runs as the retirement scenario decides it (here on Global Standard,
    // so the reserved PTUs idle), as the FOCUS export projects it.
    assert!(
        text.contains("the retirement scenario runs its replacement gpt-5.1 on global-standard"),
        "{text}"
    );
    let without = json(&[path, "--min-span-days", "0.25", "--no-auto-scenarios"]);
    let d2 = &workload(&without, "steady")["decision"];
    let text = reason(d2, "retires-in-term")
        .and_then(|r| r["text"].as_str())
        .unwrap_or_else(|| panic!("{d2}"));
    assert!(
        text.contains("the saving counts only up to the retirement"),
        "{text}"
    );
    // Counting the months after the retirement as lost never makes a reservation look better.
    assert!(num(&d2["commitment_usd"]) <= num(&d["commitment_usd"]));
}

/// The README's CI example (its --fail-on rules, with a baseline) passes on the tool's own
/// plan of the bundled sample, and its `failed_pct>1` passes on a plan whose decision spills.
#[test]
fn issue_18_the_readme_ci_gate_passes_on_the_tools_own_plan() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README");
    let start = readme
        .find("## In CI: GitHub Actions")
        .expect("the CI section");
    let block = &readme[start..];
    let rules: Vec<String> = block
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| {
            let l = l.trim().trim_end_matches('\\').trim();
            l.strip_prefix("--fail-on '")
                .and_then(|r| r.strip_suffix('\''))
                .map(str::to_owned)
        })
        .collect();
    assert!(rules.len() >= 4, "{rules:?}");
    assert!(rules.iter().any(|r| r.starts_with("failed_pct")));
    let dir = TempDir::new().expect("tmp");
    let base = dir.path().join("baseline");
    let out = dir.path().join("reports");
    let (code, _, err) = run(&[
        "report",
        "--quiet",
        "--out-dir",
        base.to_str().expect("utf8"),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let baseline = base.join("report.json");
    let mut args: Vec<String> = vec![
        "report".into(),
        "--sample".into(),
        "--quiet".into(),
        "--out-dir".into(),
        out.to_str().expect("utf8").into(),
        "--baseline".into(),
        baseline.to_str().expect("utf8").into(),
    ];
    for r in &rules {
        args.push("--fail-on".into());
        args.push(r.clone());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, err) = run(&args);
    assert_eq!(
        code,
        Some(0),
        "the README's gate on the bundled sample: {err}"
    );
    // A decision that spills: failed requests only count as throttled.
    let log = dir.path().join("steady.csv");
    steady(&log, 6 * 60, 210, 0, 0, "gpt-5.6-terra");
    let throttle: Vec<&str> = rules
        .iter()
        .filter(|r| r.starts_with("failed_pct"))
        .map(String::as_str)
        .collect();
    let sales = sales_facts(&log);
    let r = json(&[
        log.to_str().expect("utf8"),
        "--min-span-days",
        "0.25",
        "--overrides",
        sales.to_str().expect("utf8"),
    ]);
    let spilled = num(&workload(&r, "steady")["decision"]["by_window_s"]["60"]["spilled_pct"]);
    assert!(spilled > 1.0, "the decision spills {spilled}%");
    let (code, _, err) = run(&[
        "compare",
        log.to_str().expect("utf8"),
        "--min-span-days",
        "0.25",
        "--overrides",
        sales.to_str().expect("utf8"),
        "--fail-on",
        throttle[0],
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("passed: actual 0 "), "{err}");
}

/// `calibrate` scans between grid points: on logs whose 429s came from a 4 s and a 12 s
/// bucket it answers 4 s and 12 s, which the default grid (3, 5, 7.5, 10, 15) does not hold,
/// and advises a band never narrower than the fit's range.
#[test]
fn issue_18_calibrate_finds_a_window_between_grid_points() {
    for truth_s in [4.0, 12.0] {
        let dir = TempDir::new().expect("tmp");
        let log = dir.path().join("ptu.csv");
        calibration_log(&log, truth_s);
        let (code, out, err) = run(&[
            "calibrate",
            log.to_str().expect("utf8"),
            "--deployment",
            "ptu-prod",
            "--type",
            "global-provisioned",
            "--ptus",
            "50",
            "--format",
            "json",
        ]);
        assert_eq!(code, Some(0), "{err}");
        let fit: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(num(&fit["bucket_window_s"]), truth_s, "{}", fit["note"]);
        assert_eq!(num(&fit["agreement"]), 1.0);
        assert_eq!(fit["fit"], "good");
        let agreement_at = |w: f64| {
            fit["curve"]
                .as_array()
                .expect("curve")
                .iter()
                .find(|p| p["window_s"] == w)
                .and_then(|p| p["agreement"].as_f64())
                .expect("window tried")
        };
        assert!(
            agreement_at(truth_s - 1.0) < 1.0 && agreement_at(truth_s + 1.0) < 1.0,
            "{truth_s} s is between grid points"
        );
        assert!(
            num(&fit["refined_windows"]) > 1_000.0,
            "every tenth scanned"
        );
        let range = fit["window_range_s"].as_array().expect("range");
        assert!(
            num(&range[0]) <= truth_s && num(&range[1]) >= truth_s,
            "{range:?}"
        );
        let band: Vec<f64> = fit["window_band_s"]
            .as_array()
            .expect("band")
            .iter()
            .map(num)
            .collect();
        assert!(
            band.first() <= Some(&num(&range[0])) && band.last() >= Some(&num(&range[1])),
            "the band {band:?} spans the range {range:?}"
        );
        let note = fit["note"].as_str().expect("note");
        assert!(
            note.contains(&format!("--bucket-window-s {truth_s} --window-band ")),
            "{note}"
        );
    }
}

/// A 30-minute log recorded on a 50-PTU Global gpt-4.1 deployment (3,000 TPM per PTU, ratio
/// 4) whose bucket holds `window_s` seconds: steady traffic at about 70% of capacity and a
/// burst of 18 requests every two minutes; its 429s written by an independent bucket
/// ([`Bucket`]), with no completion.
fn calibration_log(path: &Path, window_s: f64) {
    let mut bucket = Bucket::new(50.0 * 3_000.0, window_s);
    let mut rng = Rng(44);
    let mut arrivals: Vec<(i64, u64, u64)> = Vec::new();
    let mut t = 0i64;
    while t < 30 * 60_000 {
        t += 600 + (rng.unit() * 1_800.0) as i64;
        arrivals.push((
            t,
            500 + (rng.unit() * 2_500.0) as u64,
            100 + (rng.unit() * 300.0) as u64,
        ));
    }
    for burst in 0..15 {
        let at = burst * 120_000 + 30_000 + (rng.unit() * 60_000.0) as i64;
        for k in 0..18 {
            arrivals.push((
                at + k * 37,
                800 + (rng.unit() * 2_000.0) as u64,
                100 + (rng.unit() * 300.0) as u64,
            ));
        }
    }
    arrivals.sort_unstable();
    let mut text = String::from(HEADER);
    let mut throttled = 0;
    for (t, prompt, max) in arrivals {
        let ok = bucket.admit(t as f64, prompt as f64 + 4.0 * max as f64);
        throttled += u32::from(!ok);
        let (completion, status) = if ok { (max, 200) } else { (0, 429) };
        writeln!(
            text,
            "{},ptu-prod,gpt-4.1,eastus2,{prompt},0,{completion},0,{max},{status},",
            stamp(t)
        )
        .expect("write");
    }
    assert!(throttled > 20, "the log holds 429s ({throttled})");
    std::fs::write(path, text).expect("write log");
}

/// A PTU deployment as Azure describes it, written independently of ptuplan: utilization
/// drains continuously at the capacity; a request arriving at or above 100% (a bucket of
/// `window_s` seconds of capacity) gets a 429; otherwise its estimate is added.
struct Bucket {
    level: f64,
    last_ms: f64,
    per_ms: f64,
    full: f64,
}

impl Bucket {
    fn new(tokens_per_min: f64, window_s: f64) -> Bucket {
        Bucket {
            level: 0.0,
            last_ms: 0.0,
            per_ms: tokens_per_min / 60_000.0,
            full: tokens_per_min * window_s / 60.0,
        }
    }

    fn admit(&mut self, t_ms: f64, tokens: f64) -> bool {
        self.level = (self.level - (t_ms - self.last_ms) * self.per_ms).max(0.0);
        self.last_ms = t_ms;
        if self.level >= self.full {
            return false;
        }
        self.level += tokens;
        true
    }
}

/// "unverified" replaces "[U]" and is defined wherever an output uses it: the terminal with
/// `--details`, Markdown, `regions` (table and Markdown) and the HTML glossary.
#[test]
fn issue_18_unverified_is_defined_where_it_appears() {
    let definition = "Unverified: a figure the research derived";
    for args in [
        vec!["compare", "--quiet", "--details"],
        vec!["compare", "--quiet", "--format", "markdown"],
        vec!["regions", "--quiet"],
        vec!["regions", "--quiet", "--format", "markdown"],
    ] {
        let (code, out, err) = run(&args);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert!(!out.contains("[U]"), "{args:?} still says [U]");
        if out.contains("unverified") {
            // The definition is wrapped in the terminal: compare its words, not its lines.
            let words = out.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                words.contains(definition),
                "{args:?} uses `unverified` undefined"
            );
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, _, err) = run(&[
        "report",
        "--quiet",
        "--out-dir",
        dir.path().to_str().expect("utf-8"),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let html = std::fs::read_to_string(dir.path().join("report.html")).expect("html");
    assert!(html.contains("unverified") && html.contains("<dt>Unverified</dt>"));
}

/// `regions` ranks every row at the run's window alone, so a commitment the decision rejects
/// can rank above the decided row: the ranking says so and names the decision's reasons
/// (tester's finding on issue 18: rows ranked above the decision were unmarked).
#[test]
fn issue_18_regions_says_why_cheaper_commitments_were_not_decided() {
    let dir = TempDir::new().expect("tmp");
    let log = dir.path().join("issue.csv");
    issue_like(&log, 24 * 60);
    let log = log.to_str().expect("utf8");
    let (code, out, err) = run(&["regions", log, "--min-span-days", "1"]);
    assert_eq!(code, Some(0), "{err}");
    let note = out
        .split("copilot (")
        .nth(1)
        .expect("a copilot ranking")
        .split('┌')
        .next()
        .expect("its heading");
    let note = note.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        note.contains("cost less than the decision at the run's window but were not decided"),
        "{note}"
    );
    assert!(note.contains("commitment-rejected"), "{note}");
    let (code, md, err) = run(&[
        "regions",
        log,
        "--min-span-days",
        "1",
        "--format",
        "markdown",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(md.contains("were not decided"), "{md}");
}
