//! Issue 19 (the program's own side): quota rejections are not billed, the bundled sample
//! never stands in for a log in silence, the log is evidence of availability, and work and
//! writes are bounded (the report directory's manifest, `catalog refresh`'s downloads, the
//! scenario factors). Every test runs the real binary on inputs written to its own temp
//! directory.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn ptuplan() -> Command {
    let mut cmd = Command::cargo_bin("ptuplan").expect("binary builds");
    cmd.env_remove("SOURCE_DATE_EPOCH")
        .env("PTUPLAN_AS_OF", "2026-12-01")
        .env_remove("PTUPLAN_CATALOG")
        .env_remove("PTUPLAN_PRICES")
        .env_remove("PTUPLAN_OVERRIDES")
        .env_remove("PTUPLAN_REGION");
    cmd
}

/// Write `text` to `name` in `dir` and return the path.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write the input");
    path
}

/// Run `args`, expect success, and parse stdout as JSON.
fn json_of(cmd: &mut Command) -> Value {
    let out = cmd.output().expect("runs");
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

/// Five gpt-4.1 requests of 3,750 prompt tokens, 10 s apart: 0.0075 USD each at Global
/// Standard's 2.00 USD per 1M input tokens.
fn five_requests(dir: &Path) -> PathBuf {
    let mut csv = String::from(
        "timestamp,deployment,model,region,prompt_tokens,completion_tokens,max_completion_tokens\n",
    );
    for i in 0..5 {
        csv.push_str(&format!(
            "2026-10-01T00:00:{i}0Z,d,gpt-4.1,eastus2,3750,0,0\n"
        ));
    }
    write(dir, "five.csv", &csv)
}

/// 5 requests, 1 rejected by `--quota-tpm` (15,000 TPM: the fifth sees 15,000 counted): the
/// option costs the 4 served, 0.03 USD, counts the fifth as failed, and the FOCUS export
/// bills the same tokens as the option's monthly cost.
#[test]
fn issue_19_quota_rejections_are_not_billed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let log = five_requests(tmp.path());
    let report = json_of(ptuplan().arg("compare").arg(&log).args([
        "--quota-tpm",
        "gpt-4.1=15000",
        "--max-throttle-rate",
        "25",
        "--format",
        "json",
        "--quiet",
    ]));
    let w = &report["workloads"][0];
    let gs = option(w, "global-standard");
    let cost = gs["cost_usd"].as_f64().expect("cost");
    assert!((cost - 0.03).abs() < 1e-12, "{cost}");
    assert_eq!(gs["throttled_requests"], 1);
    assert_eq!(w["recommended"], "global-standard");
    let monthly = gs["monthly_cost_usd"].as_f64().expect("monthly");
    let focus = ptuplan()
        .arg("compare")
        .arg(&log)
        .args([
            "--quota-tpm",
            "gpt-4.1=15000",
            "--max-throttle-rate",
            "25",
            "--format",
            "focus",
            "--quiet",
        ])
        .output()
        .expect("runs");
    assert!(focus.status.success());
    let mut reader = csv::Reader::from_reader(focus.stdout.as_slice());
    let headers = reader.headers().expect("header").clone();
    let billed = headers
        .iter()
        .position(|h| h == "BilledCost")
        .expect("BilledCost");
    let month = headers
        .iter()
        .position(|h| h == "x_Month")
        .expect("x_Month");
    let first_month: f64 = reader
        .records()
        .map(|r| r.expect("row"))
        .filter(|r| &r[month] == "1")
        .map(|r| r[billed].parse::<f64>().expect("number"))
        .sum();
    assert!(
        (first_month - monthly).abs() < 1e-6,
        "FOCUS month 1 bills {first_month}, the option {monthly}"
    );
}

/// The README's CI line with `$LOGFILE` unset, `ptuplan report $LOGFILE --quiet --fail-on
/// 'monthly_cost_usd>5000'`, reported on the bundled sample and exited 0. Now a budget rule or
/// a baseline without a LOG is a usage error (exit 2, nothing written) unless `--sample` asks
/// for the sample, and replaying the sample always says so, `--quiet` or not.
#[test]
fn issue_19_the_bundled_sample_never_stands_in_silently() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out_dir = tmp.path().join("reports");
    ptuplan()
        .args([
            "report",
            "--quiet",
            "--fail-on",
            "monthly_cost_usd>5000",
            "--out-dir",
        ])
        .arg(&out_dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no LOG given"))
        .stderr(predicate::str::contains("--sample"));
    assert!(!out_dir.exists(), "nothing is written");
    let baseline = write(tmp.path(), "old.json", "{}");
    for cmd in ["compare", "report"] {
        let mut run = ptuplan();
        run.args([cmd, "--quiet", "--baseline"]).arg(&baseline);
        if cmd == "report" {
            run.arg("--out-dir").arg(&out_dir);
        }
        run.assert().code(2).stderr(predicate::str::contains(
            "--baseline would judge the bundled sample",
        ));
    }
    // --sample and a LOG together is a usage error too.
    ptuplan()
        .args(["compare", "--sample"])
        .arg(five_requests(tmp.path()))
        .assert()
        .code(2);
    // Without gates the sample is replayed, and --quiet does not hide the note.
    ptuplan()
        .args(["compare", "--quiet"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "no LOG given; replaying the bundled 30-day sample",
        ));
    // --sample gates the sample on purpose: the rule is judged (the sample costs about
    // 1,800 USD per month).
    ptuplan()
        .args([
            "compare",
            "--sample",
            "--quiet",
            "--fail-on",
            "monthly_cost_usd>5000",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("--sample: replaying the bundled"));
}

/// `report --out-dir .` in a folder holding the user's README.md, notes.txt, data.csv and a
/// manifest.txt that lists them deleted all three. The manifest is not one ptuplan wrote: the
/// run is refused before any work (exit 2) and every file survives, unchanged and alone.
#[test]
fn issue_19_report_never_removes_files_it_did_not_write() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let log = five_requests(tmp.path());
    let dir = tmp.path().join("project");
    std::fs::create_dir(&dir).expect("dir");
    let users = [
        ("README.md", "# my project\n"),
        ("notes.txt", "remember\n"),
        ("data.csv", "a,b\n1,2\n"),
        ("manifest.txt", "README.md\nnotes.txt\ndata.csv\n"),
    ];
    for (name, text) in users {
        write(&dir, name, text);
    }
    ptuplan()
        .arg("report")
        .arg(&log)
        .args(["--quiet", "--out-dir", "."])
        .current_dir(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "manifest.txt was not written by `ptuplan report`",
        ));
    for (name, text) in users {
        assert_eq!(
            std::fs::read_to_string(dir.join(name)).expect("kept"),
            text,
            "{name}"
        );
    }
    assert_eq!(std::fs::read_dir(&dir).expect("dir").count(), 4);
    // Without the foreign manifest, the user's own report.md is in the way: refused too.
    std::fs::remove_file(dir.join("manifest.txt")).expect("rm");
    write(&dir, "report.md", "my report\n");
    ptuplan()
        .arg("report")
        .arg(&log)
        .args(["--quiet", "--out-dir", "."])
        .current_dir(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("report.md is in the way"));
    assert_eq!(
        std::fs::read_to_string(dir.join("report.md")).expect("kept"),
        "my report\n"
    );
    // Moved away, the report is written beside the user's files, and a second run replaces
    // only its own.
    std::fs::remove_file(dir.join("report.md")).expect("rm");
    for _ in 0..2 {
        ptuplan()
            .arg("report")
            .arg(&log)
            .args(["--quiet", "--out-dir", "."])
            .current_dir(&dir)
            .assert()
            .success();
    }
    for (name, text) in &users[..3] {
        assert_eq!(
            std::fs::read_to_string(dir.join(name)).expect("kept"),
            *text
        );
    }
    assert!(dir.join("report.md").is_file());
}

/// A forged manifest, signed with the key the source publishes and listing the user's own
/// README.md and notes.txt with their true digests, made `report --out-dir` delete both (exit 0).
/// A manifest may list only names ptuplan writes: any other name is refused before any work
/// (exit 2) whatever the signature says, and every file survives.
#[test]
fn issue_19_a_forged_signed_manifest_deletes_nothing() {
    use ptuplan::render::manifest::{digest_of_file, render};
    let tmp = tempfile::tempdir().expect("tempdir");
    let log = five_requests(tmp.path());
    let dir = tmp.path().join("fg");
    std::fs::create_dir(&dir).expect("dir");
    let users = [("README.md", "# mine\n"), ("notes.txt", "keep\n")];
    let mut listed = std::collections::BTreeMap::new();
    for (name, text) in users {
        let path = write(&dir, name, text);
        let digest = digest_of_file(&path).expect("reads").expect("a file");
        listed.insert(name.to_owned(), digest);
    }
    // A chart-like name outside the patterns ptuplan writes is refused too.
    for extra in [None, Some("charts/notes.svg")] {
        let mut forged = listed.clone();
        if let Some(name) = extra {
            forged.clear();
            forged.insert(name.to_owned(), [0u8; 32]);
        }
        std::fs::write(dir.join("manifest.txt"), render(&forged)).expect("forge");
        ptuplan()
            .arg("report")
            .arg(&log)
            .args(["--quiet", "--out-dir"])
            .arg(&dir)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "is not a file `ptuplan report` writes",
            ));
        for (name, text) in users {
            assert_eq!(
                std::fs::read_to_string(dir.join(name)).expect("kept"),
                text,
                "{name}"
            );
        }
        assert_eq!(std::fs::read_dir(&dir).expect("dir").count(), 3);
    }
    // A `charts` symbolic link is refused before any work too, with the same exit status.
    std::fs::remove_file(dir.join("manifest.txt")).expect("rm");
    #[cfg(unix)]
    {
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).expect("dir");
        std::os::unix::fs::symlink(&elsewhere, dir.join("charts")).expect("link");
        ptuplan()
            .arg("report")
            .arg(&log)
            .args(["--quiet", "--out-dir"])
            .arg(&dir)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is a symbolic link"));
        assert_eq!(std::fs::read_dir(&elsewhere).expect("dir").count(), 0);
    }
}

/// An HTTP server on 127.0.0.1 that answers every request with 200 and an endless body (no
/// length, `{"Items":[` then spaces forever) until the client hangs up or 30 s pass. Returns
/// its base URL.
fn endless_server(with_length: bool) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        let started = std::time::Instant::now();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let head = if with_length {
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\nConnection: close\r\n\r\n"
            } else {
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
            };
            let chunk = vec![b' '; 1 << 16];
            let ok = stream.write_all(head.as_bytes()).is_ok()
                && stream.write_all(b"{\"Items\":[").is_ok();
            while ok && started.elapsed() < std::time::Duration::from_secs(30) {
                if stream.write_all(&chunk).is_err() {
                    break;
                }
            }
            if started.elapsed() >= std::time::Duration::from_secs(30) {
                return;
            }
        }
    });
    base
}

/// `catalog refresh` read a page body with no size limit: a server that streams an endless
/// page aborted the process out of memory after 23 s. A page is now read up to 64 MiB: the
/// endless page ends the refresh at once with an error naming the bound, and writes nothing;
/// a `Content-Length` above the bound is refused before reading.
#[test]
fn issue_19_refresh_bounds_an_endless_page() {
    use ptuplan::catalog::refresh::{fetch_items, query_url, FetchError, FetchPolicy};
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("prices.yaml");
    for with_length in [false, true] {
        let base = endless_server(with_length);
        ptuplan()
            .args([
                "catalog",
                "refresh",
                "--quiet",
                "--max-attempts",
                "1",
                "--endpoint",
            ])
            .arg(format!("{base}/api/retail/prices"))
            .arg("--out")
            .arg(&out)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("bound of 64 MiB"))
            .stderr(predicate::str::contains("nothing was written"));
        // (The server stops after 30 s: a refresh that ended there would fail on the JSON,
        // not on the bound.)
        assert!(!out.exists(), "nothing written");
    }
    // The whole download has its own bound (here below one page's).
    let base = endless_server(false);
    let policy = FetchPolicy {
        max_attempts: 1,
        max_page_bytes: 1 << 20,
        max_total_bytes: 1 << 16,
        ..FetchPolicy::default()
    };
    let url = query_url(&format!("{base}/prices"), "S", None).expect("url");
    let err = fetch_items(url, &policy, &mut |_, _| {}).expect_err("bounded");
    assert!(matches!(err, FetchError::TooLarge { page: 1, .. }), "{err}");
    assert!(err.to_string().contains("over all pages"), "{err}");
}

/// An HTTP server on 127.0.0.1 that answers every request with 200 and trickles its body, a
/// byte every 50 ms (`{"Items":[` then spaces), until the client hangs up or 20 s pass.
fn trickling_server() -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let started = std::time::Instant::now();
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"Items\":[";
                let mut ok = stream.write_all(head.as_bytes()).is_ok();
                while ok && started.elapsed() < std::time::Duration::from_secs(20) {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    ok = stream.write_all(b" ").and_then(|()| stream.flush()).is_ok();
                }
            });
        }
    });
    base
}

/// `catalog refresh` against a server that sends a byte a second was still running after
/// 1,931 s: the timeouts bounded each wait for data, not the read. A page now has its
/// timeout on the whole read (retried, then refused), and the fetch its deadline over all
/// pages and waits; the trickle ends within them with an error naming the bound. (Without
/// the deadlines, the trickle ends after 20 s as JSON that is not the API's, another error.)
#[test]
fn issue_19_refresh_bounds_a_trickling_page_in_time() {
    use ptuplan::catalog::refresh::{fetch_items, query_url, FetchError, FetchPolicy};
    use std::time::Duration;
    let base = trickling_server();
    let url = query_url(&format!("{base}/prices"), "S", None).expect("url");
    let per_page = FetchPolicy {
        max_attempts: 2,
        base_backoff: Duration::from_millis(10),
        timeout: Duration::from_millis(500),
        ..FetchPolicy::default()
    };
    let err = fetch_items(url.clone(), &per_page, &mut |_, _| {}).expect_err("bounded");
    assert!(matches!(err, FetchError::TooLarge { page: 1, .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("not complete after 0.5 s, its bound per page")
            && text.contains("after 2 attempt(s)"),
        "{text}"
    );
    let whole = FetchPolicy {
        max_attempts: 5,
        max_total_time: Duration::from_millis(500),
        ..FetchPolicy::default()
    };
    let err = fetch_items(url, &whole, &mut |_, _| {}).expect_err("bounded");
    assert!(matches!(err, FetchError::TooLarge { page: 1, .. }), "{err}");
    assert!(
        err.to_string().contains("bound of 0.5 s over all pages"),
        "{err}"
    );
}

/// `--scale 1000 --growth 77` wrote 5 GB in 60 s: each factor was within its cap of 1,000, but
/// not their product (945,538 at the 12th month). The product is capped per workload, summed
/// over a reservation plan's months, and an over-cap scenario is refused at the workload's
/// first record, naming the figure and `--max-traffic-factor`; the requests all scenarios
/// replay are capped too, naming `--max-scenario-requests`.
#[test]
fn issue_19_scenario_factors_are_capped_on_their_product() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let log = five_requests(tmp.path());
    ptuplan()
        .arg("compare")
        .arg(&log)
        .args(["--quiet", "--scale", "1000", "--growth", "77"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("into 945,538 requests"))
        .stderr(predicate::str::contains("above the cap of 1,000"))
        .stderr(predicate::str::contains("--max-traffic-factor"));
    // Growth alone within 1,000 at the horizon, but its reservation plan replays six months of
    // it: 1,385 requests per logged request.
    ptuplan()
        .arg("compare")
        .arg(&log)
        .args(["--quiet", "--growth", "77"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("reservation plan"))
        .stderr(predicate::str::contains("--ladder-points"));
    // The cap is a flag: x3 passes at 3 and is refused at 2.
    ptuplan()
        .arg("compare")
        .arg(&log)
        .args(["--quiet", "--scale", "3", "--max-traffic-factor", "2"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("into 3 requests"));
    ptuplan()
        .arg("compare")
        .arg(&log)
        .args(["--quiet", "--scale", "3", "--max-traffic-factor", "3"])
        .assert()
        .success();
    for bad in ["0.5", "2000000", "lots"] {
        ptuplan()
            .arg("compare")
            .arg(&log)
            .args(["--max-traffic-factor", bad])
            .assert()
            .code(2);
    }
    // 200 requests x 500 = 100,000 replayed requests, above a cap of 20,000 (checked every
    // 16,384 requests per reading thread).
    let mut csv =
        String::from("timestamp,deployment,model,region,prompt_tokens,completion_tokens\n");
    for i in 0..200 {
        csv.push_str(&format!(
            "2026-10-01T00:{:02}:{:02}Z,d,gpt-4.1,eastus2,100,10\n",
            i / 60,
            i % 60
        ));
    }
    let many = write(tmp.path(), "many.csv", &csv);
    ptuplan()
        .arg("compare")
        .arg(&many)
        .args([
            "--quiet",
            "--threads",
            "1",
            "--scale",
            "500",
            "--max-scenario-requests",
            "20000",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("more than 20,000 requests in all"))
        .stderr(predicate::str::contains("--max-scenario-requests"));
}

/// Work whose size is known before it starts is refused before it starts: an `add` of
/// 1,000,000 requests a day over 396 days ran 38 s and wrote 4.6 GB of temp files before the
/// cap stopped it; a metrics document that would replay 220,000,000 requests wrote 1.4 GB.
/// Both are now refused with nothing written (TMPDIR stays empty), naming what to change; a
/// factor just above its cap is not shown rounded to the cap.
#[test]
fn issue_19_over_cap_work_known_up_front_is_refused_before_it_is_done() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let temp = tempfile::tempdir().expect("tempdir");
    let span = write(
        tmp.path(),
        "span.csv",
        "timestamp,deployment,model,region,prompt_tokens,completion_tokens\n2025-10-01T00:00:00Z,chat,gpt-4o,eastus2,1000,100\n2026-11-01T00:00:00Z,chat,gpt-4o,eastus2,1000,100\n",
    );
    let scenarios = write(
        tmp.path(),
        "sc.yaml",
        "- name: a\n  transforms:\n    - add: {deployment: new-bot, model: gpt-4o, region: eastus2, requests_per_day: 1000000, prompt_tokens: 1000, completion_tokens: 100}\n",
    );
    ptuplan()
        .env("TMPDIR", temp.path())
        .arg("compare")
        .arg(&span)
        .arg("--scenarios")
        .arg(&scenarios)
        .arg("--quiet")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "add `new-bot` (1000000 requests_per_day over 396 days) would replay 396,000,",
        ))
        .stderr(predicate::str::contains("lower requests_per_day"));
    // An add that fits the cap alone but not with the scale that selects it (it wrote 5.4 GB).
    let scaled = write(
        tmp.path(),
        "scaled.yaml",
        "- name: a\n  transforms:\n    - add: {deployment: new-bot, model: gpt-4o, region: eastus2, requests_per_day: 200000, prompt_tokens: 1000, completion_tokens: 100}\n    - scale: 2\n",
    );
    ptuplan()
        .env("TMPDIR", temp.path())
        .arg("compare")
        .arg(&span)
        .arg("--scenarios")
        .arg(&scaled)
        .arg("--quiet")
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "add `new-bot` (200000 requests_per_day over 396 days, x2 by the scale and growth that select it) would replay 158,400,",
        ));
    let mut metrics = String::from(
        r#"{"interval":"PT1M","resourceregion":"eastus2","value":[{"name":{"value":"ProcessedPromptTokens"},"timeseries":[{"metadatavalues":[{"name":{"value":"modeldeploymentname"},"value":"chat"},{"name":{"value":"featurename"},"value":"gpt-4o"}],"data":["#,
    );
    for m in 0..50 {
        if m > 0 {
            metrics.push(',');
        }
        metrics.push_str(&format!(
            r#"{{"timeStamp":"2026-10-01T00:{m:02}:00Z","total":500000}}"#
        ));
    }
    metrics.push_str("]}]}]}");
    let metrics = write(tmp.path(), "metrics.json", &metrics);
    ptuplan()
        .env("TMPDIR", temp.path())
        .arg("compare")
        .arg(&metrics)
        .args(["--quiet", "--typical-request-tokens", "1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "would replay 25000000 requests in all (0 so far), more than the cap of 20000000",
        ))
        .stderr(predicate::str::contains("nothing was replayed"));
    assert_eq!(
        std::fs::read_dir(temp.path()).expect("dir").count(),
        0,
        "no temp files"
    );
    let log = five_requests(tmp.path());
    ptuplan()
        .arg("compare")
        .arg(&log)
        .args(["--quiet", "--scale", "999.9", "--growth", "0.001"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("into 1,000.02 requests"))
        .stderr(predicate::str::contains("growth x1.00001 a month"));
}

/// An `add` with a logged workload's exact deployment, model and region made two workloads of
/// one key: `diff` then read the scenario as that workload changing by -11%. It is refused,
/// naming the transform; another deployment name is a new workload as before.
#[test]
fn issue_19_an_add_that_reuses_a_logged_workload_key_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let log = five_requests(tmp.path());
    let add = |name: &str| {
        format!("- name: newchat\n  transforms:\n    - add: {{deployment: {name}, model: gpt-4.1, region: eastus2, requests_per_day: 100, prompt_tokens: 1000, completion_tokens: 100}}\n")
    };
    let same = write(tmp.path(), "same.yaml", &add("d"));
    ptuplan()
        .arg("compare")
        .arg(&log)
        .arg("--scenarios")
        .arg(&same)
        .arg("--quiet")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "same.yaml:3: add `d` (gpt-4.1 @ eastus2) is a workload of the log",
        ));
    let other = write(tmp.path(), "other.yaml", &add("d2"));
    ptuplan()
        .arg("compare")
        .arg(&log)
        .arg("--scenarios")
        .arg(&other)
        .arg("--quiet")
        .assert()
        .success();
}

fn log_of(dir: &Path, name: &str, model: &str, region: &str) -> PathBuf {
    write(
        dir,
        name,
        &format!(
            "timestamp,deployment,model,region,prompt_tokens,completion_tokens\n\
             2026-10-01T00:00:00Z,sol,{model},{region},1000,100\n\
             2026-10-01T00:00:10Z,sol,{model},{region},1000,100\n"
        ),
    )
}

/// A gpt-6-sol log recorded in eastus2 got no Global Standard cost ("not listed ...
/// (indicative region table)"), though the addendum marks GPT-6 per-region availability as
/// unverified and the log shows the model serving there. The log is now evidence for the type
/// that served it (Global Standard unless --served-by says otherwise): priced, recommended,
/// and the output says why it counts as available. The options only inferred unavailable are
/// priced and flagged, never recommended and never pooled for a reservation.
#[test]
fn issue_19_a_logged_model_is_available_where_it_served() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let log = log_of(tmp.path(), "sol.csv", "gpt-6-sol", "eastus2");
    let report = json_of(
        ptuplan()
            .arg("compare")
            .arg(&log)
            .args(["--format", "json", "--quiet"]),
    );
    let w = &report["workloads"][0];
    let gs = option(w, "global-standard");
    // 2 x (1,000 x 2.00 + 100 x 10.00) / 1e6 at the U3 Global Standard prices.
    assert!((gs["cost_usd"].as_f64().expect("priced") - 0.006).abs() < 1e-12);
    assert_eq!(gs["availability_basis"], "log");
    assert!(gs["note"]
        .as_str()
        .expect("note")
        .contains("the log shows gpt-6-sol serving 2 request(s) in eastus2"));
    assert_eq!(w["recommended"], "global-standard");
    let gp = option(w, "global-provisioned/reserved-1-year");
    assert_eq!(gp["available"], true, "inferred unavailable: still priced");
    assert!(gp["cost_usd"].as_f64().expect("priced") > 0.0);
    assert_eq!(gp["availability_basis"], "unlisted");
    assert_eq!(gp["eligible"], false);
    assert!(gp["reason"]
        .as_str()
        .expect("reason")
        .contains("availability unverified"));
    assert_eq!(report["reservations"], serde_json::json!([]));
    // --served-by states the type: the log is then evidence for it, and no longer for
    // Global Standard; the settings are in the JSON.
    let ptu = json_of(ptuplan().arg("compare").arg(&log).args([
        "--served-by",
        "sol=global-provisioned",
        "--format",
        "json",
        "--quiet",
    ]));
    let w = &ptu["workloads"][0];
    assert_eq!(
        option(w, "global-provisioned/reserved-1-year")["availability_basis"],
        "log"
    );
    assert_eq!(option(w, "global-standard")["eligible"], false);
    // A two-request log is too short to commit on (issue 18): the decision is the same type
    // billed hourly, provisional.
    assert_eq!(w["recommended"], "global-provisioned/hourly");
    assert_eq!(w["decision"]["status"], "provisional");
    assert_eq!(
        ptu["assumptions"]["plan"]["constraints"]["served_by"]["deployments"]["sol"],
        "global-provisioned"
    );
    // A deployment the log does not have, or a type that does not exist: usage errors.
    for bad in [
        "nobody=global-standard",
        "sol=global-fancy",
        "=global-standard",
    ] {
        ptuplan()
            .arg("compare")
            .arg(&log)
            .args(["--quiet", "--served-by", bad])
            .assert()
            .code(2);
    }
    // Where a verified table leaves the model out on the assumed type and no table lists it
    // on any type, the run says the log and the catalog disagree.
    let pro = log_of(tmp.path(), "pro.csv", "gpt-5.4-pro", "westus");
    ptuplan()
        .arg("compare")
        .arg(&pro)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "the log shows gpt-5.4-pro serving in westus",
        ))
        .stderr(predicate::str::contains("--served-by DEPLOYMENT=TYPE"));
}

/// Each workload takes 140 to 350 KB to plan, so their number is bounded: the row that brings
/// one more than `--max-workloads` (default 5,000) is refused with its line, before the
/// simulation; a log within the cap is planned as before.
#[test]
fn the_number_of_workloads_is_bounded_with_the_row_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut text =
        String::from("timestamp,deployment,model,region,prompt_tokens,completion_tokens\n");
    for w in 0..3 {
        text.push_str(&format!(
            "2026-10-01T00:00:0{w}Z,d{w},gpt-4o,eastus2,1000,100\n"
        ));
    }
    text.push_str("2026-10-01T00:00:05Z,d0,gpt-4o,eastus2,1000,100\n");
    let log = write(tmp.path(), "three.csv", &text);
    ptuplan()
        .arg("compare")
        .arg(&log)
        .args(["--max-workloads", "2", "--threads", "1", "--quiet"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "three.csv:4: field `deployment`: this row brings a workload (d2 on gpt-4o in eastus2) past the 2 distinct workloads",
        ))
        .stderr(predicate::str::contains("raise --max-workloads"));
    ptuplan()
        .arg("compare")
        .arg(&log)
        .args(["--max-workloads", "3", "--quiet"])
        .assert()
        .success();
    ptuplan()
        .arg("compare")
        .arg(&log)
        .args(["--max-workloads", "0"])
        .assert()
        .code(2);
}
