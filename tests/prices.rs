//! Issue 5: live prices and procurement. `catalog refresh` against a real HTTP server on
//! 127.0.0.1 (started here, on an ephemeral port, stopping by itself), the item-to-price rules
//! (meter spellings, reservation units, effective dates, guards), `--prices` layering,
//! `--overrides`, `--residency` and `regions`. Fixtures: `tests/fixtures/prices/README.md`.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use chrono::NaiveDate;
use predicates::prelude::*;
use ptuplan::catalog::meters::MeterTable;
use ptuplan::catalog::refresh::{fetch_items, FetchError, FetchPolicy};
use ptuplan::catalog::retail::{build_prices, BuildOptions, RetailItem};
use ptuplan::catalog::{load_catalog, CatalogSource, DeploymentTypeId};
use serde_json::Value;

// ---------------------------------------------------------------- test HTTP server

/// One scripted answer: status, extra headers, body.
#[derive(Clone)]
struct Reply {
    status: u16,
    headers: Vec<(&'static str, &'static str)>,
    body: String,
}

fn ok(body: String) -> Reply {
    Reply {
        status: 200,
        headers: vec![],
        body,
    }
}

fn status(code: u16, headers: Vec<(&'static str, &'static str)>) -> Reply {
    Reply {
        status: code,
        headers,
        body: format!("{{\"error\":\"status {code}\"}}"),
    }
}

/// A one-request-per-connection HTTP/1.1 server on 127.0.0.1. Each path has a queue of
/// replies; the last one repeats. It stops when dropped, after 60 s, or after 200 requests.
struct TestServer {
    base: String,
    hits: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl TestServer {
    fn start(routes: Vec<(&'static str, Vec<Reply>)>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        listener.set_nonblocking(true).expect("nonblocking");
        let hits = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, s, b) = (hits.clone(), stop.clone(), base.clone());
        let mut queues: Vec<(&str, VecDeque<Reply>)> = routes
            .into_iter()
            .map(|(p, r)| {
                let replies = r
                    .into_iter()
                    .map(|mut reply| {
                        reply.body = reply.body.replace("{BASE}", &b);
                        reply
                    })
                    .collect();
                (p, replies)
            })
            .collect();
        let handle = std::thread::spawn(move || {
            let started = Instant::now();
            let mut served = 0;
            while !s.load(Ordering::SeqCst)
                && started.elapsed() < Duration::from_secs(60)
                && served < 200
            {
                match listener.accept() {
                    Ok((stream, _)) => {
                        served += 1;
                        handle_one(stream, &mut queues, &h);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        TestServer {
            base,
            hits,
            stop,
            handle: Some(handle),
        }
    }

    fn hits(&self) -> Vec<String> {
        self.hits.lock().expect("lock").clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn handle_one(
    stream: TcpStream,
    queues: &mut [(&str, VecDeque<Reply>)],
    hits: &Mutex<Vec<String>>,
) {
    stream.set_nonblocking(false).expect("blocking");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    let target = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    hits.lock().expect("lock").push(target.clone());
    let path = target.split('?').next().unwrap_or("/");
    let reply = match queues.iter_mut().find(|(p, _)| *p == path) {
        Some((_, q)) if q.len() > 1 => q.pop_front().expect("non-empty"),
        Some((_, q)) => q.front().cloned().expect("a reply"),
        None => status(404, vec![]),
    };
    let mut out = stream;
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = out.write_all(head.as_bytes());
    let _ = out.write_all(reply.body.as_bytes());
    let _ = out.flush();
}

// ---------------------------------------------------------------- helpers

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/prices")
        .join(name)
}

fn read_fixture(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("fixture")
}

fn three_pages() -> Vec<(&'static str, Vec<Reply>)> {
    vec![
        ("/prices", vec![ok(read_fixture("page1.json"))]),
        ("/page2", vec![ok(read_fixture("page2.json"))]),
        ("/page3", vec![ok(read_fixture("page3.json"))]),
    ]
}

fn fast_policy(max_attempts: u32) -> FetchPolicy {
    FetchPolicy {
        max_attempts,
        base_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        timeout: Duration::from_secs(20),
        connect_timeout: Duration::from_secs(5),
        max_pages: 10,
        ..FetchPolicy::default()
    }
}

fn url(server: &TestServer) -> reqwest::Url {
    ptuplan::catalog::refresh::query_url(&format!("{}/prices", server.base), "DZH31600VF1F", None)
        .expect("url")
}

fn items_of(names: &[&str]) -> Vec<RetailItem> {
    names
        .iter()
        .flat_map(|n| {
            let v: Value = serde_json::from_str(&read_fixture(n)).expect("json");
            serde_json::from_value::<Vec<RetailItem>>(v["Items"].clone()).expect("items")
        })
        .collect()
}

fn opts(as_of: &str, accept_outliers: bool) -> BuildOptions {
    BuildOptions {
        as_of: NaiveDate::parse_from_str(as_of, "%Y-%m-%d").expect("date"),
        endpoint: "http://test/prices".to_owned(),
        regions: None,
        accept_outliers,
    }
}

fn ptuplan() -> Command {
    let mut cmd = Command::cargo_bin("ptuplan").expect("binary");
    cmd.env_remove("PTUPLAN_CATALOG")
        .env_remove("PTUPLAN_PRICES")
        .env_remove("PTUPLAN_OVERRIDES")
        .env_remove("PTUPLAN_REGION")
        .env_remove("SOURCE_DATE_EPOCH")
        // Prices in time and lifecycles: every run is "as of" the catalog's December 2026.
        .env("PTUPLAN_AS_OF", "2026-12-01");
    cmd
}

fn compare_json(extra: &[&str]) -> Value {
    let out = ptuplan()
        .arg("compare")
        .arg(fixture("usage.csv"))
        .args(["--format", "json", "--quiet"])
        .args(extra)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn option<'a>(report: &'a Value, deployment: &str, id: &str) -> &'a Value {
    report["workloads"]
        .as_array()
        .expect("workloads")
        .iter()
        .find(|w| w["deployment"] == deployment)
        .and_then(|w| {
            w["options"]
                .as_array()
                .expect("options")
                .iter()
                .find(|o| o["id"] == id)
        })
        .unwrap_or_else(|| panic!("{deployment} {id} missing"))
}

// ---------------------------------------------------------------- HTTP

#[test]
fn follows_next_page_link_until_null() {
    let server = TestServer::start(three_pages());
    let items = fetch_items(url(&server), &fast_policy(3), &mut |_, _| {}).expect("fetch");
    assert_eq!(items.len(), 6 + 12 + 6);
    let hits = server.hits();
    assert_eq!(hits.len(), 3, "{hits:?}");
    assert!(
        hits[0].starts_with("/prices?%24filter=serviceId+eq+%27DZH31600VF1F%27"),
        "{hits:?}"
    );
    assert_eq!(hits[1], "/page2?$skip=6");
}

#[test]
fn retries_a_429_honouring_retry_after() {
    let server = TestServer::start(vec![(
        "/prices",
        vec![
            status(429, vec![("Retry-After", "0")]),
            ok(read_fixture("page3.json")),
        ],
    )]);
    let items = fetch_items(url(&server), &fast_policy(3), &mut |_, _| {}).expect("fetch");
    assert_eq!(items.len(), 6);
    assert_eq!(server.hits().len(), 2);
}

#[test]
fn a_lasting_500_ends_in_a_clear_error_after_bounded_retries() {
    let server = TestServer::start(vec![("/prices", vec![status(500, vec![])])]);
    let err = fetch_items(url(&server), &fast_policy(3), &mut |_, _| {}).unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::Status {
                status: 500,
                attempts: 3,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("HTTP 500 after 3 attempt(s)"),
        "{err}"
    );
    assert_eq!(server.hits().len(), 3);
}

#[test]
fn malformed_json_is_an_error_naming_the_page() {
    let server = TestServer::start(vec![("/prices", vec![ok("{\"Items\": [ {".to_owned())])]);
    let err = fetch_items(url(&server), &fast_policy(3), &mut |_, _| {}).unwrap_err();
    assert!(
        matches!(err, FetchError::Malformed { page: 1, .. }),
        "{err}"
    );
    assert_eq!(server.hits().len(), 1, "malformed JSON is not retried");
}

#[test]
fn an_unreachable_host_is_a_clear_error() {
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let url = reqwest::Url::parse(&format!("http://127.0.0.1:{port}/prices")).expect("url");
    let err = fetch_items(url, &fast_policy(2), &mut |_, _| {}).unwrap_err();
    assert!(
        matches!(err, FetchError::Unreachable { attempts: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("cannot reach 127.0.0.1"), "{err}");
}

// ---------------------------------------------------------------- items to prices

#[test]
fn newest_price_in_force_wins_and_reservations_are_per_term() {
    let catalog = load_catalog(&CatalogSource::Embedded).expect("catalog");
    let table = MeterTable::load(None).expect("table");
    let items = items_of(&["page1.json", "page2.json", "page3.json"]);
    let sweden = |as_of: &str| {
        let build = build_prices(&items, &table, &catalog, &opts(as_of, false)).expect("builds");
        build
            .file
            .ptu_prices
            .iter()
            .find(|p| {
                p.deployment_type == DeploymentTypeId::RegionalProvisioned
                    && p.regions.as_deref() == Some(&["swedencentral".to_owned()][..])
            })
            .map(|p| {
                (
                    p.usd_per_ptu_hour,
                    p.reservation_1_month_usd_per_ptu,
                    p.reservation_1_year_usd_per_ptu,
                    p.as_of.to_string(),
                )
            })
            .expect("swedencentral regional PTU")
    };
    // Before the 2025-09-01 change, and after: reservation rows say "1/Hour" but are per term.
    assert_eq!(
        sweden("2025-06-01"),
        (2.0, 260.0, 2652.0, "2024-04-01".to_owned())
    );
    assert_eq!(
        sweden("2025-08-31"),
        (2.0, 260.0, 2652.0, "2024-04-01".to_owned())
    );
    assert_eq!(
        sweden("2025-09-01"),
        (2.2, 286.0, 2916.0, "2025-09-01".to_owned())
    );
}

#[test]
fn token_meters_scale_1k_and_1m_and_skip_what_matches_nothing() {
    let catalog = load_catalog(&CatalogSource::Embedded).expect("catalog");
    let table = MeterTable::load(None).expect("table");
    let items = items_of(&["page1.json", "page2.json", "page3.json"]);
    let build = build_prices(&items, &table, &catalog, &opts("2025-10-01", false)).expect("builds");
    let price = |model: &str, t: DeploymentTypeId| {
        let p = build
            .file
            .token_prices
            .iter()
            .find(|p| p.model == model && p.deployment_type == t)
            .unwrap_or_else(|| panic!("{model} {t}"));
        (
            p.input_usd_per_1m,
            p.cached_input_usd_per_1m,
            p.output_usd_per_1m,
        )
    };
    let close = |a: (f64, f64, f64), b: (f64, f64, f64)| {
        (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9 && (a.2 - b.2).abs() < 1e-9
    };
    assert!(close(
        price("gpt-4o", DeploymentTypeId::GlobalStandard),
        (5.0, 2.5, 20.0)
    ));
    assert!(close(
        price("gpt-4.1-mini", DeploymentTypeId::DataZoneStandard),
        (0.44, 0.11, 1.76)
    ));
    assert!(close(
        price("gpt-5", DeploymentTypeId::GlobalStandard),
        (1.25, 0.125, 10.0)
    ));
    let s = &build.stats;
    assert_eq!(s.unmatched_models.get("gpt 4o 0806"), Some(&1));
    assert_eq!(s.unmatched_models.get("gpt rt aud 0828"), Some(&1));
    assert_eq!(s.other_regions.get("usgovvirginia"), Some(&1));
    assert!(s
        .other_meters
        .contains_key("Azure Deepseek Models: Provisioned Managed Global Unit"));
    assert!(s
        .other_meters
        .contains_key("Azure OpenAI: Provisioned Throughput - Available Unit"));
    assert_eq!(
        s.not_in_force, 3,
        "the swedencentral rows that ended 2025-08-31"
    );
    let global = build
        .file
        .ptu_prices
        .iter()
        .find(|p| p.deployment_type == DeploymentTypeId::GlobalProvisioned)
        .expect("global PTU");
    assert_eq!(
        global.usd_per_ptu_hour, 2.0,
        "the partner meter is not used"
    );
    assert!(
        global
            .source
            .contains("6dcdbfc4-1d28-5883-84c2-dcdb88e21b56"),
        "{}",
        global.source
    );
    assert!(global.source.contains("'Provisioned Managed Global Unit'"));
}

/// Issue 12: a price above the shared sanity bound needs --accept-outliers even next to a
/// catalog price within 10x, and the entry it lets through says so (`accept_outlier`), so the
/// written file loads back with --prices.
#[test]
fn issue_12_accepted_outliers_above_the_sanity_bound_are_marked_and_load_back() {
    let catalog = load_catalog(&CatalogSource::Embedded).expect("catalog");
    let table = MeterTable::load(None).expect("table");
    let text = read_fixture("outlier.json").replace("\"retailPrice\": 0.5", "\"retailPrice\": 5.0");
    let v: Value = serde_json::from_str(&text).expect("json");
    let items: Vec<RetailItem> = serde_json::from_value(v["Items"].clone()).expect("items");
    let err = build_prices(&items, &table, &catalog, &opts("2025-10-01", false)).unwrap_err();
    assert!(err.to_string().contains("--accept-outliers"), "{err}");
    let build =
        build_prices(&items, &table, &catalog, &opts("2025-10-01", true)).expect("accepted");
    let dear: Vec<_> = build
        .file
        .token_prices
        .iter()
        .filter(|p| p.input_usd_per_1m > 1000.0)
        .collect();
    assert!(!dear.is_empty());
    assert!(dear.iter().all(|p| p
        .accept_outlier
        .as_deref()
        .is_some_and(|r| r.contains("--accept-outliers"))));
    let yaml = serde_yaml::to_string(&build.file).expect("yaml");
    let file: ptuplan::catalog::PricesFile = serde_yaml::from_str(&yaml).expect("parses back");
    let mut layered = catalog.clone();
    ptuplan::catalog::prices::layer_prices(&mut layered, Path::new("p.yaml"), &yaml, file)
        .expect("an accepted outlier loads with --prices");
}

#[test]
fn outliers_need_accept_outliers_and_bad_units_always_fail() {
    let catalog = load_catalog(&CatalogSource::Embedded).expect("catalog");
    let table = MeterTable::load(None).expect("table");
    let outlier = items_of(&["outlier.json"]);
    let err = build_prices(&outlier, &table, &catalog, &opts("2025-10-01", false)).unwrap_err();
    assert!(
        err.to_string().contains("200.00x the catalog's 2.5"),
        "{err}"
    );
    assert!(err.to_string().contains("--accept-outliers"), "{err}");
    let build =
        build_prices(&outlier, &table, &catalog, &opts("2025-10-01", true)).expect("accepted");
    assert_eq!(build.stats.accepted_outliers.len(), 1);
    let bad = items_of(&["bad-units.json"]);
    let err = build_prices(&bad, &table, &catalog, &opts("2025-10-01", true)).unwrap_err();
    assert_eq!(err.problems.len(), 2, "{err}");
    assert!(
        err.to_string()
            .contains("unit mismatch: unitOfMeasure `1K`"),
        "{err}"
    );
    assert!(
        err.to_string().contains("price 0 is not a positive number"),
        "{err}"
    );
}

// ---------------------------------------------------------------- the binary

#[test]
fn refresh_then_compare_with_prices_changes_the_numbers() {
    let server = TestServer::start(three_pages());
    let dir = tempfile::tempdir().expect("tempdir");
    let prices = dir.path().join("prices.yaml");
    ptuplan()
        .args([
            "catalog",
            "refresh",
            "--as-of",
            "2025-10-01",
            "--verbose",
            "--endpoint",
        ])
        .arg(format!("{}/prices", server.base))
        .arg("--out")
        .arg(&prices)
        .assert()
        .success()
        .stdout(predicate::str::contains("Fetched 24 items in 3 page(s)"))
        .stdout(predicate::str::contains("+100.0%"))
        .stdout(predicate::str::contains("gpt 4o 0806: 1 item(s)"));
    let text = std::fs::read_to_string(&prices).expect("written");
    assert!(
        text.starts_with("# Prices file written by ptuplan"),
        "{text}"
    );
    assert!(text.contains("as_of: 2025-10-01"), "{text}");
    let base = compare_json(&[]);
    let layered = compare_json(&["--prices", prices.to_str().expect("utf-8")]);
    for id in ["global-standard", "global-provisioned/hourly"] {
        let before = option(&base, "chat", id)["cost_usd"]
            .as_f64()
            .expect("cost");
        let after = option(&layered, "chat", id)["cost_usd"]
            .as_f64()
            .expect("cost");
        assert!(
            (after / before - 2.0).abs() < 1e-9,
            "{id}: {before} -> {after}"
        );
    }
    // Unchanged where the file has nothing: Data Zone Standard of gpt-4o.
    let dz = |r: &Value| {
        option(r, "chat", "data-zone-standard")["cost_usd"]
            .as_f64()
            .expect("cost")
    };
    assert_eq!(dz(&base), dz(&layered));
    assert_eq!(
        layered["catalog"]["prices_file"],
        prices.to_str().expect("utf-8")
    );
    assert_eq!(layered["catalog"]["prices_as_of"], "2025-10-01");
    assert_eq!(base["catalog"]["prices_file"], Value::Null);
}

#[test]
fn a_failed_refresh_leaves_the_previous_file_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let prices = dir.path().join("prices.yaml");
    std::fs::write(&prices, "previous\n").expect("write");
    for (replies, phrase) in [
        (
            vec![status(500, vec![("Retry-After", "0")])],
            "HTTP 500 after 2 attempt(s)",
        ),
        (
            vec![ok("not json".to_owned())],
            "is not a Retail Prices API response",
        ),
        (vec![ok(read_fixture("outlier.json"))], "--accept-outliers"),
        (vec![ok(read_fixture("bad-units.json"))], "unit mismatch"),
    ] {
        let server = TestServer::start(vec![("/prices", replies)]);
        ptuplan()
            .args([
                "catalog",
                "refresh",
                "--as-of",
                "2025-10-01",
                "--max-attempts",
                "2",
            ])
            .arg("--endpoint")
            .arg(format!("{}/prices", server.base))
            .arg("--out")
            .arg(&prices)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(phrase))
            .stderr(predicate::str::contains("nothing was written"));
        assert_eq!(
            std::fs::read_to_string(&prices).expect("kept"),
            "previous\n"
        );
        let files = std::fs::read_dir(dir.path()).expect("dir").count();
        assert_eq!(files, 1, "no temporary file is left behind");
    }
}

#[test]
fn overrides_and_residency_show_in_every_format() {
    let overrides = fixture("overrides.yaml");
    let run = |format: &str| {
        let out = ptuplan()
            .arg("compare")
            .arg(fixture("usage.csv"))
            .args([
                "--quiet",
                "--residency",
                "eu",
                "--format",
                format,
                "--overrides",
            ])
            .arg(&overrides)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    for format in ["table", "markdown", "json", "csv"] {
        let text = run(format);
        assert!(
            text.contains("outside --residency eu"),
            "{format}: residency\n{text}"
        );
        assert!(
            text.contains("overrides.yaml:6"),
            "{format}: the discount\n{text}"
        );
        assert!(
            text.contains("overrides.yaml:9"),
            "{format}: the quote\n{text}"
        );
        assert!(text.contains("EUR"), "{format}: the currency\n{text}");
    }
    for format in ["table", "markdown"] {
        let text = run(format);
        assert!(text.contains("Residency: eu"), "{format}\n{text}");
        assert!(text.contains("Overrides applied (5)"), "{format}\n{text}");
    }
    let report: Value = serde_json::from_str(&run("json")).expect("json");
    assert_eq!(
        report["overrides_applied"].as_array().expect("list").len(),
        5
    );
    assert_eq!(report["currency"]["code"], "EUR");
    assert_eq!(
        report["assumptions"]["plan"]["constraints"]["residency"],
        "eu"
    );
    // The quote prices Data Zone PTU in swedencentral: 0.5 USD/PTU-h, no discount on top.
    let dz = option(&report, "rag", "data-zone-provisioned/hourly");
    let ptus = dz["ptus"].as_f64().expect("ptus");
    let hours = report["input"]["hours"].as_f64().expect("hours");
    let spill = dz["spillover_cost_usd"].as_f64().expect("spill");
    let cost = dz["cost_usd"].as_f64().expect("cost");
    assert!((cost - (ptus * hours * 0.5 + spill)).abs() < 1e-9, "{dz}");
    // The 10-PTU capacity limit is below the Regional minimum: unavailable with the reason.
    let regional = option(&report, "rag", "regional-provisioned/hourly");
    assert_eq!(regional["available"], false);
    assert!(regional["reason"]
        .as_str()
        .expect("reason")
        .contains("capacity limit 10 PTUs"));
    // The 10% discount on list prices: Data Zone Standard of gpt-4.1.
    let plain = compare_json(&[]);
    let before = option(&plain, "rag", "data-zone-standard")["cost_usd"]
        .as_f64()
        .expect("cost");
    let after = option(&report, "rag", "data-zone-standard")["cost_usd"]
        .as_f64()
        .expect("cost");
    assert!((after / before - 0.9).abs() < 1e-9, "{before} -> {after}");
}

#[test]
fn regions_ranks_available_options_in_every_format() {
    let run = |format: &str, extra: &[&str]| {
        let out = ptuplan()
            .arg("regions")
            .arg(fixture("usage.csv"))
            .args(["--quiet", "--format", format])
            .args(extra)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let view: Value = serde_json::from_str(&run("json", &[])).expect("json");
    let rag = view["workloads"]
        .as_array()
        .expect("workloads")
        .iter()
        .find(|w| w["deployment"] == "rag")
        .expect("rag");
    let rows = rag["rows"].as_array().expect("rows");
    assert!(!rows.is_empty());
    let costs: Vec<f64> = rows
        .iter()
        .map(|r| r["monthly_cost_usd"].as_f64().expect("cost"))
        .collect();
    assert!(
        costs.windows(2).all(|w| w[0] <= w[1]),
        "ranked cheapest first: {costs:?}"
    );
    assert!(rows
        .iter()
        .all(|r| r["latency_target_tokens_per_s"].as_f64() == Some(80.0)));
    assert!(rows.iter().any(|r| r["processing"] == "global"));
    // With residency and overrides: no Global rows, the quote and the exclusions show.
    let overrides = fixture("overrides.yaml");
    let o = overrides.to_str().expect("utf-8");
    let view: Value =
        serde_json::from_str(&run("json", &["--residency", "eu", "--overrides", o])).expect("json");
    for w in view["workloads"].as_array().expect("workloads") {
        for r in w["rows"].as_array().expect("rows") {
            assert_ne!(r["processing"], "global", "{r}");
            assert!(
                r["processing"].as_str().expect("p").contains("EU")
                    || r["processing"].as_str().expect("p").starts_with("region ")
            );
        }
    }
    let rag = &view["workloads"][1];
    assert_eq!(
        rag["rows"][0]["region"], "swedencentral",
        "the quoted region is cheapest"
    );
    assert!(rag["rows"][0]["price_basis"]
        .as_str()
        .expect("basis")
        .contains("quote"));
    for format in ["table", "markdown", "csv"] {
        let text = run(format, &["--residency", "eu", "--overrides", o]);
        assert!(text.contains("swedencentral"), "{format}\n{text}");
        assert!(
            text.contains("overrides.yaml:9"),
            "{format}: the quote\n{text}"
        );
        assert!(text.contains("EUR"), "{format}\n{text}");
        assert!(text.contains("eu"), "{format}\n{text}");
    }
}

#[test]
fn bad_overrides_and_residency_are_reported_with_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("o.yaml");
    std::fs::write(
        &bad,
        "discounts:\n  - percent: 10\n  - model: gpt-9\n    percent: 150\n",
    )
    .expect("write");
    ptuplan()
        .arg("compare")
        .arg(fixture("usage.csv"))
        .arg("--overrides")
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "o.yaml:3: discount percent must be above 0 and below 100",
        ));
    std::fs::write(&bad, "discounts:\n  - percnt: 10\n").expect("write");
    ptuplan()
        .arg("compare")
        .arg(fixture("usage.csv"))
        .arg("--overrides")
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("o.yaml:2:"))
        .stderr(predicate::str::contains("percnt"));
    ptuplan()
        .arg("compare")
        .arg(fixture("usage.csv"))
        .args(["--residency", "mars"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--residency mars"));
}

// ---------------------------------------------------------------- issue 9: the 2026 meters

fn dec2026(
    as_of: &str,
    reference: &str,
) -> (ptuplan::catalog::Catalog, ptuplan::catalog::retail::Build) {
    let catalog = load_catalog(&CatalogSource::Embedded)
        .expect("catalog")
        .in_force_on(NaiveDate::parse_from_str(reference, "%Y-%m-%d").expect("date"));
    let table = MeterTable::load(None).expect("table");
    let build = build_prices(
        &items_of(&["dec2026.json"]),
        &table,
        &catalog,
        &opts(as_of, false),
    )
    .expect("builds");
    (catalog, build)
}

fn token<'a>(
    build: &'a ptuplan::catalog::retail::Build,
    model: &str,
    t: DeploymentTypeId,
    region: &str,
) -> &'a ptuplan::catalog::TokenPrice {
    build
        .file
        .token_prices
        .iter()
        .find(|p| {
            p.model == model
                && p.deployment_type == t
                && p.regions
                    .as_ref()
                    .is_some_and(|r| r.iter().any(|x| x == region))
        })
        .unwrap_or_else(|| panic!("{model} {t} {region}"))
}

#[test]
fn issue_9_refresh_reads_the_2026_meter_grammar() {
    let (_, build) = dec2026("2026-12-01", "2026-12-01");
    // Standard with cache writes and long context ("5.6 sol ShortCo Cd Wr Std Gl", "LongCo").
    let sol = token(
        &build,
        "gpt-5.6-sol",
        DeploymentTypeId::GlobalStandard,
        "eastus2",
    );
    assert_eq!(
        (
            sol.input_usd_per_1m,
            sol.cached_input_usd_per_1m,
            sol.cache_write_usd_per_1m,
            sol.output_usd_per_1m
        ),
        (5.0, 0.5, Some(6.25), 30.0)
    );
    let long = sol.long_context.expect("long context");
    assert_eq!(
        (
            long.input_usd_per_1m,
            long.cached_input_usd_per_1m,
            long.cache_write_usd_per_1m,
            long.output_usd_per_1m
        ),
        (10.0, 1.0, Some(12.5), 45.0)
    );
    // Flex ("56sol ShCo ... Fl Gl"): the $0.01 placeholders are dropped; the long-context
    // cached and output figures have no row and keep the catalog's.
    let flex = token(
        &build,
        "gpt-5.6-sol",
        DeploymentTypeId::GlobalFlex,
        "eastus2",
    );
    assert_eq!(
        (flex.input_usd_per_1m, flex.cache_write_usd_per_1m),
        (2.5, Some(3.125))
    );
    let fl = flex.long_context.expect("long");
    assert_eq!(
        (
            fl.input_usd_per_1m,
            fl.cached_input_usd_per_1m,
            fl.cache_write_usd_per_1m,
            fl.output_usd_per_1m
        ),
        (5.0, 0.5, Some(6.25), 22.5)
    );
    assert_eq!(build.stats.flex_placeholders, 2);
    let from = |t, model: &str, region: &str, field| {
        build
            .provenance
            .get(&(t, model.to_owned(), region.to_owned(), field))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(
        from(
            DeploymentTypeId::GlobalFlex,
            "gpt-5.6-sol",
            "eastus2",
            "long-context output [USD/1M]"
        ),
        "catalog (no row in force on 2026-12-01)"
    );
    assert_eq!(
        from(
            DeploymentTypeId::GlobalFlex,
            "gpt-5.6-sol",
            "eastus2",
            "input [USD/1M]"
        ),
        "meter '56sol ShCo Inp Fl Gl 1M Tokens'"
    );
    // Data Zone per zone: one EU meter (westeurope cache write 3.00) and one US meter (westus3
    // long-context output 16.50); every other figure keeps its zone's catalog price.
    let eu = token(
        &build,
        "gpt-6.1-sol",
        DeploymentTypeId::DataZoneStandard,
        "westeurope",
    );
    assert_eq!(
        (eu.input_usd_per_1m, eu.cache_write_usd_per_1m),
        (2.4, Some(3.0))
    );
    let us = token(
        &build,
        "gpt-6.1-sol",
        DeploymentTypeId::DataZoneStandard,
        "westus3",
    );
    assert_eq!(us.long_context.expect("long").output_usd_per_1m, 16.5);
    assert_eq!(us.input_usd_per_1m, 2.2);
    assert!(
        us.unverified,
        "kept figures of an unverified catalog entry stay unverified"
    );
    // The newest row in force wins ("GPT 5.1 inp Gl", 1.25 until 2026-10-31, 1.375 from 11-01).
    let g51 = token(
        &build,
        "gpt-5.1",
        DeploymentTypeId::GlobalStandard,
        "eastus2",
    );
    assert_eq!(g51.input_usd_per_1m, 1.375);
    assert_eq!(g51.effective_from, NaiveDate::from_ymd_opt(2026, 11, 1));
    // Priority ("5.6 sol ShortCo Inp PP Gl"): input from the meter, the rest kept.
    let pp = token(
        &build,
        "gpt-5.6-sol",
        DeploymentTypeId::GlobalPriority,
        "eastus2",
    );
    assert_eq!((pp.input_usd_per_1m, pp.output_usd_per_1m), (10.0, 60.0));
    assert!(
        pp.note
            .as_deref()
            .expect("note")
            .contains("Kept from the catalog"),
        "{pp:?}"
    );
    assert_eq!(build.stats.other_regions.get("usgovvirginia"), Some(&1));
}

#[test]
fn issue_9_refresh_merges_a_partial_ptu_entry() {
    // The catalog as it stood before the 2026-09-01 regional tiers; the fetch has the new
    // southindia reservation rows but only an hourly row that ended on 2026-08-31.
    let (catalog, build) = dec2026("2026-12-01", "2026-08-15");
    let south = build
        .file
        .ptu_prices
        .iter()
        .find(|p| {
            p.deployment_type == DeploymentTypeId::RegionalProvisioned
                && p.regions.as_deref() == Some(&["southindia".to_owned()][..])
        })
        .expect("southindia is merged, not dropped");
    assert_eq!(
        (
            south.usd_per_ptu_hour,
            south.reservation_1_month_usd_per_ptu,
            south.reservation_1_year_usd_per_ptu
        ),
        (2.0, 326.0, 3324.0)
    );
    assert!(
        south
            .note
            .as_deref()
            .expect("note")
            .contains("Kept from the catalog (no row in force): hourly [USD/PTU-h]"),
        "{south:?}"
    );
    let review = ptuplan::catalog::review::review(&catalog, &build.file, &build.provenance);
    let row = review
        .rows
        .iter()
        .find(|r| r.field == "1-month reservation [USD/PTU]" && r.regions == ["southindia"])
        .expect("the 1-month change");
    assert_eq!((row.old, row.new), (Some(286.0), 326.0));
    assert_eq!(row.from, "meter 'Provisioned Managed Regional Unit'");
    assert!(review
        .kept
        .iter()
        .any(|k| k.field == "hourly [USD/PTU-h]" && k.regions == ["southindia"]));
    // APAC Data Zone: the hourly row alone; the reservations keep the catalog's [U] figures.
    let apac = build
        .file
        .ptu_prices
        .iter()
        .find(|p| p.deployment_type == DeploymentTypeId::DataZoneProvisioned)
        .expect("APAC Data Zone");
    assert_eq!(apac.regions.as_deref(), Some(&["japaneast".to_owned()][..]));
    assert_eq!(
        (apac.usd_per_ptu_hour, apac.reservation_1_month_usd_per_ptu),
        (1.2, 312.0)
    );
    assert!(apac.unverified);
}

#[test]
fn issue_9_refresh_review_says_where_each_figure_came_from() {
    let server = TestServer::start(vec![("/prices", vec![ok(read_fixture("dec2026.json"))])]);
    let dir = tempfile::tempdir().expect("tempdir");
    let prices = dir.path().join("prices.yaml");
    ptuplan()
        .args(["catalog", "refresh", "--as-of", "2026-12-01", "--endpoint"])
        .arg(format!("{}/prices", server.base))
        .arg("--out")
        .arg(&prices)
        .assert()
        .success()
        .stdout(predicate::str::contains("2 Flex $0.01 placeholder(s)"))
        // The review table fits 100 columns, so the meter name wraps inside its cell.
        .stdout(predicate::str::contains("meter 'GPT 5.1"))
        .stdout(predicate::str::contains("inp Gl 1M"))
        .stdout(predicate::str::contains("+10.0%"))
        .stdout(predicate::str::contains(
            "Kept from the catalog: no row in force on 2026-12-01",
        ))
        .stdout(predicate::str::contains(
            "regional-provisioned (all models) hourly [USD/PTU-h]: southindia",
        ));
    let text = std::fs::read_to_string(&prices).expect("written");
    assert!(text.contains("cache_write_usd_per_1m: 6.25"), "{text}");
    assert!(text.contains("long_context:"), "{text}");
    // The file layers back over the catalog.
    ptuplan()
        .args(["catalog", "validate", "--as-of", "2026-12-01", "--prices"])
        .arg(&prices)
        .assert()
        .success();
}
