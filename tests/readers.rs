//! Issue 19: every input read right or refused. Each case is built here from the issue's
//! description (no copied files): detection whatever the size, columns with a known meaning
//! read or refused, LiteLLM's names, aggregates that keep their span, models, intervals and
//! tokens, duplicates refused, the expansion cap, Parquet holes and units, wrapped JSON Lines
//! and spillover as documented.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use assert_cmd::Command;
use serde_json::{json, Value};

fn ptuplan() -> Command {
    let mut cmd = Command::cargo_bin("ptuplan").expect("binary builds");
    cmd.env_remove("SOURCE_DATE_EPOCH")
        .env_remove("PTUPLAN_CATALOG")
        .env_remove("PTUPLAN_REGION")
        .env("PTUPLAN_AS_OF", "2026-12-01");
    cmd
}

/// Run `compare --format json`; the report, or the stderr of a failed run.
fn run(args: &[&str]) -> Result<(Value, String), String> {
    let out = ptuplan()
        .arg("compare")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        return Err(stderr);
    }
    let report = serde_json::from_slice(&out.stdout).expect("valid JSON");
    Ok((report, stderr))
}

fn report(args: &[&str]) -> Value {
    run(args)
        .unwrap_or_else(|e| panic!("{args:?} failed: {e}"))
        .0
}

fn refused(args: &[&str]) -> String {
    match run(args) {
        Ok((r, _)) => panic!("{args:?} ran: {}", r["input"]),
        Err(stderr) => stderr,
    }
}

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

fn option<'a>(w: &'a Value, id: &str) -> &'a Value {
    w["options"]
        .as_array()
        .expect("options")
        .iter()
        .find(|o| o["id"] == id)
        .unwrap_or_else(|| panic!("no option {id}"))
}

fn workload<'a>(r: &'a Value, deployment: &str, model: &str) -> &'a Value {
    r["workloads"]
        .as_array()
        .expect("workloads")
        .iter()
        .find(|w| w["deployment"] == deployment && w["model"] == model)
        .unwrap_or_else(|| panic!("no workload {deployment}/{model}: {}", r["workloads"]))
}

fn close(got: &Value, want: f64) {
    let got = got
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {got}"));
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "got {got}, want {want}"
    );
}

fn minute(m: u32) -> String {
    format!("2026-03-01T{:02}:{:02}:00Z", m / 60, m % 60)
}

/// An `az monitor metrics list -o json` response (indented as az writes it): one series per
/// (deployment, model, metric, per-minute total) over `minutes` minutes.
fn az_metrics(minutes: u32, interval: &str, series: &[(&str, &str, &str, f64)]) -> String {
    let mut by_metric: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    let step = if interval == "PT1H" { 60 } else { 1 };
    for (deployment, model, metric, total) in series {
        let mut dims = vec![
            json!({"name": {"value": "featurename", "localizedValue": "featurename"}, "value": model}),
        ];
        if !deployment.is_empty() {
            dims.push(json!({"name": {"value": "modeldeploymentname", "localizedValue": "modeldeploymentname"}, "value": deployment}));
        }
        let data: Vec<Value> = (0..minutes)
            .step_by(step)
            .map(|m| json!({"timeStamp": minute(m), "total": total}))
            .collect();
        by_metric
            .entry(metric)
            .or_default()
            .push(json!({"metadatavalues": dims, "data": data}));
    }
    let value: Vec<Value> = by_metric
        .into_iter()
        .map(|(metric, timeseries)| {
            json!({
                "id": format!("/subscriptions/x/providers/Microsoft.Insights/metrics/{metric}"),
                "name": {"value": metric, "localizedValue": metric},
                "type": "Microsoft.Insights/metrics",
                "unit": "Count",
                "timeseries": timeseries,
            })
        })
        .collect();
    serde_json::to_string_pretty(&json!({
        "cost": 0,
        "interval": interval,
        "namespace": "Microsoft.CognitiveServices/accounts",
        "resourceregion": "eastus2",
        "timespan": format!("2026-03-01T00:00:00Z/{}", minute(minutes)),
        "value": value,
    }))
    .expect("json")
}

// ---------------------------------------------------------------------------------------
// 1. Detection that cannot mislead.

#[test]
fn issue_19_a_one_day_az_monitor_file_is_detected_as_its_five_hours_are() {
    let dir = tempfile::tempdir().expect("tempdir");
    let series = [
        ("chat", "gpt-4o", "ProcessedPromptTokens", 1000.0),
        ("chat", "gpt-4o", "GeneratedTokens", 100.0),
        ("rag", "gpt-4o-mini", "ProcessedPromptTokens", 5000.0),
        ("rag", "gpt-4o-mini", "GeneratedTokens", 200.0),
    ];
    let day = az_metrics(1440, "PT1M", &series);
    assert!(day.len() > 600_000, "{} bytes", day.len());
    let day = write(dir.path(), "day.json", day);
    let five = write(dir.path(), "five.json", az_metrics(300, "PT1M", &series));
    let (detected, stderr) = run(&[&day]).expect("a day of metrics reads");
    assert!(
        stderr.contains("read as azure-monitor (json, detected)"),
        "{stderr}"
    );
    let forced = report(&[&day, "--input-format", "azure-monitor", "--quiet"]);
    assert_eq!(detected["workloads"], forced["workloads"]);
    assert_eq!(detected["input"]["hours"], 24.0);
    // The same minutes cost the same a month, whatever the file's length.
    let short = report(&[&five, "--quiet"]);
    for (d, m) in [("chat", "gpt-4o"), ("rag", "gpt-4o-mini")] {
        close(
            &option(workload(&detected, d, m), "global-standard")["monthly_cost_usd"],
            option(workload(&short, d, m), "global-standard")["monthly_cost_usd"]
                .as_f64()
                .expect("cost"),
        );
    }
}

/// An OpenAI Usage API page as the API sends it: one compact line, here over 1 MB.
fn openai_page(buckets: u32) -> String {
    let data: Vec<Value> = (0..buckets)
        .map(|i| {
            let start = 1_772_323_200 + i64::from(i) * 60;
            json!({
                "object": "bucket",
                "start_time": start,
                "end_time": start + 60,
                "results": [{
                    "object": "organization.usage.completions.result",
                    "input_tokens": 1000, "output_tokens": 100, "input_cached_tokens": 0,
                    "input_audio_tokens": 0, "output_audio_tokens": 0, "num_model_requests": 2,
                    "project_id": null, "user_id": null, "api_key_id": null,
                    "model": "gpt-4o-mini-2024-07-18", "batch": null, "service_tier": null,
                }],
            })
        })
        .collect();
    json!({"object": "page", "data": data, "has_more": false, "next_page": null}).to_string()
}

#[test]
fn issue_19_a_one_megabyte_openai_usage_page_is_detected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = openai_page(2880);
    assert!(text.len() > 1_000_000 && !text.contains('\n'));
    let page = write(dir.path(), "page.json", text);
    let r = report(&[&page, "--region", "eastus2", "--quiet"]);
    assert_eq!(r["input"]["readers"][0]["reader"], "openai-usage");
    let w = &r["workloads"][0];
    assert_eq!(w["requests"], 2 * 2880);
    assert_eq!(w["prompt_tokens"], 1000 * 2880);
    assert_eq!(r["input"]["hours"], 48.0);
}

/// LiteLLM's `/spend/logs` answer: `{"data": [rows]}` on one line.
fn litellm_rows(n: usize, model: &str) -> Vec<Value> {
    (0..n)
        .map(|i| {
            json!({
                "request_id": format!("chatcmpl-{i}"), "call_type": "acompletion",
                "api_key": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
                "spend": 0.0001, "total_tokens": 1100, "prompt_tokens": 1000,
                "completion_tokens": 100,
                "startTime": format!("2026-03-01T10:{:02}:{:02}Z", (i / 60) % 60, i % 60),
                "endTime": format!("2026-03-01T10:{:02}:{:02}Z", (i / 60) % 60, i % 60),
                "model": model, "model_group": "chat", "custom_llm_provider": "azure",
                "api_base": "https://eastus2.api.cognitive.microsoft.com/",
                "metadata": {"usage_object": {"prompt_tokens_details": {"cached_tokens": 0}}},
                "cache_hit": "False", "status": "success",
            })
        })
        .collect()
}

#[test]
fn issue_19_a_litellm_data_document_over_256_kib_is_detected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = json!({"data": litellm_rows(1200, "gpt-4o-mini")}).to_string();
    assert!(text.len() > 300 * 1024, "{}", text.len());
    let path = write(dir.path(), "spend.json", text);
    let r = report(&[&path, "--quiet"]);
    assert_eq!(r["input"]["readers"][0]["reader"], "litellm");
    assert_eq!(r["workloads"][0]["requests"], 1200);
}

/// A JSON document was read whole into memory (a 900 KB gzip reached 1 GB). One whose rows'
/// array starts near its top is read a row at a time; every row is read, and a bad row is
/// named at its own line.
#[test]
fn issue_19_a_large_json_document_is_read_row_by_row_with_its_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rows = litellm_rows(2000, "gpt-4o-mini");

    let text = serde_json::to_string_pretty(&json!({ "data": rows.clone() })).expect("json");
    assert!(text.len() > 1 << 20, "{}", text.len());
    let path = write(dir.path(), "spend.json", &text);
    let r = report(&[&path, "--quiet"]);
    assert_eq!(r["input"]["readers"][0]["container"], "json");
    assert_eq!(r["workloads"][0]["requests"], 2000);
    rows[1500]["prompt_tokens"] = json!(-5);
    let text = serde_json::to_string_pretty(&json!({ "data": rows })).expect("json");
    let at = text.find("\"chatcmpl-1500\"").expect("row");
    // The row's first key (keys are sorted) follows its brace.
    let first_key = text[..at].rfind("\"api_base\"").expect("first key");
    let open = text[..first_key].rfind('{').expect("brace");
    let line = 1 + text[..open].matches('\n').count();
    let path = write(dir.path(), "bad.json", &text);
    let e = refused(&[&path]);
    assert!(e.contains(&format!("bad.json:{line}:")), "line {line}: {e}");
}

#[test]
fn issue_19_an_unknown_json_shape_names_the_candidates_and_the_flag() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "odd.json", r#"[{"when": 1, "who": "alice"}]"#);
    let e = refused(&[&path]);
    for want in [
        "--input-format",
        "azure-monitor (",
        "litellm (",
        "openai-usage (",
    ] {
        assert!(e.contains(want), "{want}: {e}");
    }
}

/// The per-request CSV with Azure-style headers of the issue: 20 requests, 6 of them failed.
fn azure_style_csv() -> String {
    let mut s = String::from("TimeGenerated,DeploymentName,ModelName,Region,PromptTokens,CachedTokens,CompletionTokens,ReasoningTokens,MaxTokens,StatusCode,DurationMs\n");
    for i in 0..20 {
        let status = if i % 10 < 3 { 429 } else { 200 };
        let (p, c, o) = if status == 200 {
            (2000, 1024, 300)
        } else {
            (0, 0, 0)
        };
        writeln!(
            s,
            "2026-03-01T10:00:{i:02}Z,chat,gpt-4o,eastus2,{p},{c},{o},0,1000,{status},{}",
            800 + i
        )
        .expect("write");
    }
    s
}

#[test]
fn issue_19_an_azure_style_per_request_csv_reads_every_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "requests.csv", azure_style_csv());
    let (r, stderr) = run(&[&path]).expect("reads");
    assert!(
        stderr.contains("read as columns (csv, detected)")
            && stderr.contains("cached_tokens <- CachedTokens")
            && stderr.contains("status <- StatusCode")
            && stderr.contains("max_completion_tokens <- MaxTokens"),
        "{stderr}"
    );
    let readers = &r["input"]["readers"][0];
    assert_eq!(readers["columns"].as_array().map(Vec::len), Some(11));
    let w = &r["workloads"][0];
    assert_eq!(w["requests"], 14);
    assert_eq!(w["failed_requests"], 6);
    assert_eq!(w["cached_tokens"], 14 * 1024);
    assert_eq!(w["requests_without_max_tokens"], 0);
    // 14 x (976 x 2.50 + 1,024 x 1.25 + 300 x 10.00) / 1e6 at gpt-4o Global Standard.
    close(
        &option(w, "global-standard")["cost_usd"],
        14.0 * (976.0 * 2.5 + 1024.0 * 1.25 + 300.0 * 10.0) / 1e6,
    );
}

#[test]
fn issue_19_a_column_no_reader_would_read_stops_the_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    // APIM's CorrelationId makes it an APIM log, and APIM logs have no cached tokens.
    let text = azure_style_csv()
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{l},CorrelationId")
            } else {
                format!("{l},c-{i}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let path = write(dir.path(), "apim.csv", text);
    let e = refused(&[&path]);
    assert!(
        e.contains("`CachedTokens` (cached_tokens)") && e.contains("--columns"),
        "{e}"
    );
    // Two columns of one meaning: which is meant is not guessed.
    let path = write(
        dir.path(),
        "two.csv",
        "timestamp,model,region,prompt_tokens,input_tokens,completion_tokens\n2026-03-01T10:00:00Z,gpt-4o,eastus2,10,10,1\n",
    );
    let e = refused(&[&path]);
    assert!(
        e.contains("`input_tokens` (prompt_tokens, read from `prompt_tokens` already)"),
        "{e}"
    );
    let r = report(&[&path, "--columns", "prompt_tokens=input_tokens", "--quiet"]);
    assert_eq!(r["workloads"][0]["prompt_tokens"], 10);
    // Forcing a reader that leaves a column unread is refused the same way.
    let path = write(dir.path(), "azure.csv", azure_style_csv());
    let e = refused(&[&path, "--input-format", "apim"]);
    assert!(
        e.contains("--input-format apim would leave column(s)"),
        "{e}"
    );
}

#[test]
fn issue_19_a_request_id_and_spend_csv_is_not_litellm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "own.csv",
        "timestamp,deployment,model,region,prompt_tokens,completion_tokens,request_id,spend\n2026-03-01T10:00:00Z,chat,gpt-4o,eastus2,1000,100,r-1,0.0035\n",
    );
    let r = report(&[&path, "--quiet"]);
    assert_eq!(r["input"]["readers"][0]["reader"], "csv");
    close(
        &option(&r["workloads"][0], "global-standard")["cost_usd"],
        0.0035,
    );
}

// ---------------------------------------------------------------------------------------
// 2. Names as users have them.

#[test]
fn issue_19_litellm_azure_deployments_resolve_through_model_map() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = json!({"data": litellm_rows(3, "azure/copilot")}).to_string();
    let path = write(dir.path(), "spend.json", text);
    let e = refused(&[&path]);
    assert!(
        e.contains("names the Azure deployment `copilot`") && e.contains("--model-map copilot="),
        "{e}"
    );
    for map in ["copilot=gpt-5.1", "chat=gpt-5.1"] {
        let (r, _) = run(&[&path, "--model-map", map]).expect("reads");
        let w = workload(&r, "copilot", "gpt-5.1");
        assert_eq!(w["region"], "eastus2");
        assert_eq!(w["requests"], 3);
        let warnings = r["warnings"].to_string();
        assert!(
            warnings.contains(
                "region `eastus2` read from api_base's regional endpoint `eastus2.api.cognitive.microsoft.com`"
            ),
            "{warnings}"
        );
    }
    // A deployment named after its model needs no map; an unknown model still fails.
    let path = write(
        dir.path(),
        "named.json",
        json!({"data": litellm_rows(1, "azure/gpt-4o")}).to_string(),
    );
    assert_eq!(
        report(&[&path, "--quiet"])["workloads"][0]["model"],
        "gpt-4o"
    );
    let path = write(
        dir.path(),
        "unknown.json",
        json!({"data": litellm_rows(1, "gpt-9-ultra")}).to_string(),
    );
    assert!(refused(&[&path]).contains("unknown model `gpt-9-ultra`"));
}

/// One LiteLLM row with the given model, model_group and api_base.
fn litellm_row(model: &str, group: &str, api_base: &str) -> String {
    let mut row = litellm_rows(1, model).remove(0);
    row["model_group"] = json!(group);
    row["api_base"] = json!(api_base);
    json!([row]).to_string()
}

#[test]
fn issue_19_litellm_a_model_column_wins_over_model_group_and_the_map() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "ll2.json",
        litellm_row(
            "gpt-4o",
            "gpt-4o-mini",
            "https://contoso.openai.azure.com/openai/deployments/chat/chat/completions?api-version=2024-10-21",
        ),
    );
    let r = report(&[&path, "--region", "eastus2", "--quiet"]);
    let w = workload(&r, "chat", "gpt-4o");
    close(&option(w, "global-standard")["cost_usd"], 0.0035);
    // A map that contradicts the model column is an error, not a silent override.
    let e = refused(&[&path, "--region", "eastus2", "--model-map", "chat=gpt-4.1"]);
    assert!(
        e.contains("--model-map chat=gpt-4.1") && e.contains("`gpt-4o`"),
        "{e}"
    );
}

#[test]
fn issue_19_litellm_an_explicit_region_wins_and_resource_names_are_no_region() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A resource's own host name is its owner's choice: it names no region.
    let own = write(
        dir.path(),
        "own.json",
        litellm_row(
            "gpt-4o",
            "chat",
            "https://team-westus-proxy.openai.azure.com/",
        ),
    );
    let r = report(&[&own, "--region", "swedencentral", "--quiet"]);
    assert_eq!(r["workloads"][0]["region"], "swedencentral");
    assert!(refused(&[&own]).contains("pass --default-region"));
    // Azure's regional endpoint names one, but --region still wins, and says so.
    let regional = write(
        dir.path(),
        "regional.json",
        litellm_row(
            "gpt-4o",
            "chat",
            "https://westus.api.cognitive.microsoft.com/",
        ),
    );
    let (r, _) = run(&[&regional, "--region", "swedencentral"]).expect("reads");
    assert_eq!(r["workloads"][0]["region"], "swedencentral");
    let warnings = r["warnings"].to_string();
    assert!(
        warnings
            .contains("regional endpoint of `westus`, but --default-region swedencentral applies"),
        "{warnings}"
    );
    let r = report(&[&regional, "--quiet"]);
    assert_eq!(r["workloads"][0]["region"], "westus");
}

/// One 600 MB deployment cell (611 KB gzip) reached 13.8 GB RSS, and a 160 KB name took 4.9 s.
/// A line over 16 MiB is refused as it is read (CSV, gzip CSV), naming file and line; a
/// deployment name longer than Azure allows (64 characters) is refused at its row.
#[test]
fn issue_19_huge_cells_and_overlong_names_are_refused_at_their_line() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tempdir");
    let header = "timestamp,deployment,model,region,prompt_tokens,completion_tokens\n";
    let ok_row = "2026-03-01T10:00:00Z,chat,gpt-4o,eastus2,1000,100\n";
    let long = "d".repeat(65);
    let path = write(
        dir.path(),
        "long.csv",
        format!("{header}{ok_row}2026-03-01T10:00:01Z,{long},gpt-4o,eastus2,1,1\n"),
    );
    let e = refused(&[&path]);
    assert!(
        e.contains("long.csv:3: field `deployment`: 65 characters")
            && e.contains("64 an Azure deployment name may have"),
        "{e}"
    );
    let exact = write(
        dir.path(),
        "exact.csv",
        format!(
            "{header}2026-03-01T10:00:01Z,{},gpt-4o,eastus2,1,1\n",
            "d".repeat(64)
        ),
    );
    assert_eq!(report(&[&exact, "--quiet"])["workloads"][0]["requests"], 1);
    // A quoted cell of 17 MiB, gzipped (a few KB on disk): refused before it is held whole.
    let gz = dir.path().join("bomb.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).expect("create"),
        flate2::Compression::best(),
    );
    enc.write_all(format!("{header}{ok_row}2026-03-01T10:00:01Z,\"").as_bytes())
        .expect("write");
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..17 {
        enc.write_all(&chunk).expect("write");
    }
    enc.write_all(b"\",gpt-4o,eastus2,1,1\n").expect("write");
    enc.finish().expect("finish");
    let gz = gz.to_str().expect("utf-8").to_owned();
    let e = refused(&[&gz]);
    assert!(
        e.contains("bomb.csv.gz:3: field `row`: longer than 16 MiB"),
        "{e}"
    );
    // Unquoted, in a plain file (the parallel reader's fast path).
    let mut plain = format!("{header}{ok_row}2026-03-01T10:00:01Z,");
    plain.push_str(&"x".repeat(17 << 20));
    plain.push_str(",gpt-4o,eastus2,1,1\n");
    let path = write(dir.path(), "plain.csv", plain);
    let e = refused(&[&path]);
    assert!(
        e.contains("plain.csv:3: field `row`: longer than 16 MiB"),
        "{e}"
    );
    // The same in JSON Lines.
    let mut jsonl = String::from(
        "{\"timestamp\":\"2026-03-01T10:00:00Z\",\"deployment\":\"chat\",\"model\":\"gpt-4o\",\"region\":\"eastus2\",\"prompt_tokens\":1,\"completion_tokens\":1}\n{\"deployment\":\"",
    );
    jsonl.push_str(&"x".repeat(17 << 20));
    jsonl.push_str("\"}\n");
    let path = write(dir.path(), "long.jsonl", jsonl);
    // A JSON Lines line has the same bound (an API page saved as one line is a few MB): it is
    // refused before it is held or parsed whole.
    let e = refused(&[&path]);
    assert!(
        e.contains("long.jsonl:2: field `row`: longer than 16 MiB"),
        "{e}"
    );
}

/// A copy of a per-request log, its gzip copy, or the same rows on stdin doubled the cost in
/// silence; overlapping APIM and LiteLLM exports counted the shared request twice. The same
/// content is refused; a request id read before is counted once, and said so.
#[test]
fn issue_19_the_same_requests_in_two_inputs_are_refused_or_counted_once() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "timestamp,deployment,model,region,prompt_tokens,completion_tokens\n2026-03-01T10:00:00Z,chat,gpt-4o,eastus2,1000,100\n2026-03-01T10:01:00Z,chat,gpt-4o,eastus2,1000,100\n";
    let base = write(dir.path(), "base.csv", text);
    let copy = write(dir.path(), "copy.csv", text);
    let gz = dir.path().join("base.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).expect("create"),
        flate2::Compression::default(),
    );
    enc.write_all(text.as_bytes()).expect("write");
    enc.finish().expect("finish");
    let gz = gz.to_str().expect("utf-8").to_owned();
    for other in [&copy, &gz] {
        let e = refused(&[&base, other]);
        assert!(
            e.contains("begins with the same") && e.contains("counted twice"),
            "{e}"
        );
    }
    let out = ptuplan()
        .args(["compare", "-", &base, "--format", "json"])
        .write_stdin(text)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("bytes as -"), "{e}");
    // Overlapping APIM exports: CorrelationId c2 is in both.
    let head = "TimeGenerated [UTC],CorrelationId,DeploymentName,ModelName,Region,PromptTokens,CompletionTokens,BackendResponseCode\n";
    let row = |id: &str, minute: u32| {
        format!("\"10/1/2026, 12:0{minute}:00.000 AM\",{id},chat,gpt-4o,East US 2,1000,100,200\n")
    };
    let a = write(
        dir.path(),
        "apimA.csv",
        format!("{head}{}{}", row("c1", 0), row("c2", 1)),
    );
    let b = write(
        dir.path(),
        "apimB.csv",
        format!("{head}{}{}", row("c2", 1), row("c3", 2)),
    );
    let (r, stderr) = run(&[&a, &b]).expect("reads");
    assert_eq!(r["workloads"][0]["requests"], 3);
    close(
        &option(&r["workloads"][0], "global-standard")["cost_usd"],
        0.0105,
    );
    assert!(
        stderr.contains("apimB.csv: 1 request(s) have a CorrelationId already read in")
            && stderr.contains("counted once"),
        "{stderr}"
    );
    // LiteLLM: request_id r1 in both exports, and once more within the second.
    let rows = |ids: &[&str]| {
        let mut rows = litellm_rows(ids.len(), "gpt-4o");
        for (row, id) in rows.iter_mut().zip(ids) {
            row["request_id"] = json!(id);
        }
        json!({ "data": rows }).to_string()
    };
    let a = write(dir.path(), "llA.json", rows(&["r1", "r2"]));
    let b = write(dir.path(), "llB.json", rows(&["r1", "r3", "r3"]));
    let (r, stderr) = run(&[&a, &b]).expect("reads");
    assert_eq!(r["workloads"][0]["requests"], 3);
    assert!(
        stderr.contains("llB.json: 1 request(s) have a request_id already read in")
            && stderr.contains(
                "llB.json: 1 request(s) have a request_id already read earlier in the same file"
            ),
        "{stderr}"
    );
}

/// The old spillover header form, named for the deployment (`x-ms-spillover-from-ptu1`), was
/// read only inside a `headers` object: as a CSV column or a top-level JSON Lines key it was
/// dropped. Both now count the request as spilled from `ptu1`.
#[test]
fn issue_19_the_old_spillover_header_is_read_as_a_column_and_a_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = write(
        dir.path(),
        "spill.csv",
        "timestamp,deployment,model,region,prompt_tokens,completion_tokens,status,x-ms-spillover-from-ptu1\n2026-10-01T00:00:00Z,ptu1,gpt-4o,eastus2,1000,100,200,\n2026-10-01T00:00:01Z,std1,gpt-4o,eastus2,1000,100,200,true\n",
    );
    let jsonl = write(
        dir.path(),
        "spill.jsonl",
        "{\"timestamp\":\"2026-10-01T00:00:00Z\",\"deployment\":\"ptu1\",\"model\":\"gpt-4o\",\"region\":\"eastus2\",\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":100}}\n{\"timestamp\":\"2026-10-01T00:00:01Z\",\"deployment\":\"std1\",\"model\":\"gpt-4o\",\"region\":\"eastus2\",\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":100},\"X-MS-Spillover-From-ptu1\":\"true\"}\n",
    );
    for path in [&csv, &jsonl] {
        let r = report(&[path, "--quiet"]);
        assert_eq!(r["input"]["spilled_requests"], 1, "{path}");
        let workloads = r["workloads"].as_array().expect("workloads");
        assert_eq!(workloads.len(), 1, "{path}: {workloads:?}");
        assert_eq!(workloads[0]["deployment"], "ptu1");
        assert_eq!(workloads[0]["requests"], 2);
    }
}

/// The reader was chosen from the first JSON row: a `StatusCode` first seen in row 2 was
/// billed as a success, and a JSON Lines `status_code` dropped. A later row's key with a known
/// meaning the reader does not read stops the run at that row; `status_code` is read.
#[test]
fn issue_19_a_known_key_first_seen_in_a_later_row_is_read_or_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let het = write(
        dir.path(),
        "het.json",
        r#"[{"TimeGenerated":"2026-10-01T00:00:00Z","DeploymentName":"chat","ModelName":"gpt-4o","Region":"eastus2","PromptTokens":1000,"CompletionTokens":100},
{"TimeGenerated":"2026-10-01T00:01:00Z","DeploymentName":"chat","ModelName":"gpt-4o","Region":"eastus2","PromptTokens":1000,"CompletionTokens":100,"StatusCode":429}]"#,
    );
    let e = refused(&[&het]);
    assert!(
        e.contains("het.json:2: field `statuscode`: first appears in this row")
            && e.contains("--columns"),
        "{e}"
    );
    let jsonl = write(
        dir.path(),
        "het.jsonl",
        "{\"timestamp\":\"2026-10-01T00:00:00Z\",\"deployment\":\"chat\",\"model\":\"gpt-4o\",\"region\":\"eastus2\",\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":100}}\n{\"timestamp\":\"2026-10-01T00:01:00Z\",\"deployment\":\"chat\",\"model\":\"gpt-4o\",\"region\":\"eastus2\",\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":100},\"status_code\":429}\n",
    );
    let r = report(&[&jsonl, "--quiet"]);
    assert_eq!(r["input"]["failed_requests"], 1);
    close(
        &option(&r["workloads"][0], "global-standard")["cost_usd"],
        0.0035,
    );
    // A `deployment_name` key is the deployment (it merged every deployment into `-`).
    let named = write(
        dir.path(),
        "dn.jsonl",
        "{\"timestamp\":\"2026-10-01T00:00:00Z\",\"deployment_name\":\"chat\",\"model\":\"gpt-4o\",\"region\":\"eastus2\",\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":100}}\n{\"timestamp\":\"2026-10-01T00:01:00Z\",\"deployment_name\":\"rag\",\"model\":\"gpt-4o\",\"region\":\"eastus2\",\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":100}}\n",
    );
    let (r, stderr) = run(&[&named]).expect("reads");
    workload(&r, "chat", "gpt-4o");
    workload(&r, "rag", "gpt-4o");
    assert!(!stderr.contains("unread"), "{stderr}");
}

// ---------------------------------------------------------------------------------------
// 3. Aggregates keep their truth.

#[test]
fn issue_19_one_request_in_a_day_bucket_is_a_day_of_traffic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "day.csv",
        "bucket_start,bucket,deployment,model,region,requests,prompt_tokens,completion_tokens\n2026-03-01T00:00:00Z,day,chat,gpt-4o,eastus2,1,1000,100\n",
    );
    for seed in ["1", "2", "99"] {
        let r = report(&[&path, "--seed", seed, "--quiet"]);
        assert_eq!(r["input"]["hours"], 24.0);
        let o = option(&r["workloads"][0], "global-standard");
        // 0.0035 USD a day, 730 / 24 days a month.
        close(&o["cost_usd"], 0.0035);
        close(&o["monthly_cost_usd"], 0.0035 * 730.0 / 24.0);
    }
}

#[test]
fn issue_19_a_bucket_off_the_minute_spans_its_own_length() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "mis.csv",
        "bucket_start,bucket,deployment,model,region,requests,prompt_tokens,completion_tokens\n2026-10-01T12:00:30Z,hour,chat,gpt-4o,eastus2,10,10000,1000\n",
    );
    let r = report(&[&path, "--quiet"]);
    assert_eq!(r["input"]["hours"], 1.0);
}

#[test]
fn issue_19_a_week_of_daily_openai_buckets_costs_the_same_whatever_the_seed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let day = 86_400i64;
    let data: Vec<Value> = (0..7)
        .map(|d| {
            let start = 1_772_323_200 + d * day;
            // Two empty days at the end: they are part of the span.
            let results = if d < 5 {
                json!([{"object": "organization.usage.completions.result", "input_tokens": 100_000,
                        "input_cached_tokens": 20_000, "output_tokens": 50_000,
                        "num_model_requests": 37, "model": "gpt-4o-2024-11-20"}])
            } else {
                json!([])
            };
            json!({"object": "bucket", "start_time": start, "end_time": start + day, "results": results})
        })
        .collect();
    let path = write(
        dir.path(),
        "week.json",
        serde_json::to_string_pretty(&json!({"object": "page", "data": data})).expect("json"),
    );
    // A day: 80,000 x 2.50 + 20,000 x 1.25 + 50,000 x 10.00 per 1M = 0.725 USD.
    let span = 5.0 * 0.725;
    for seed in ["1", "7", "12345"] {
        let r = report(&[&path, "--region", "eastus2", "--seed", seed, "--quiet"]);
        assert_eq!(r["input"]["hours"], 168.0);
        assert!(r["input"]["projection_note"].is_null());
        let o = option(&r["workloads"][0], "global-standard");
        close(&o["cost_usd"], span);
        close(&o["monthly_cost_usd"], span * 730.0 / 168.0);
    }
}

#[test]
fn issue_19_resource_level_series_split_by_model_stay_apart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mini = ("", "gpt-4o-mini", "ProcessedPromptTokens", 1_000_000.0);
    let big = ("", "gpt-4o", "ProcessedPromptTokens", 10_000.0);
    for (name, order) in [("a.json", [mini, big]), ("b.json", [big, mini])] {
        let path = write(dir.path(), name, az_metrics(1, "PT1M", &order));
        let r = report(&[&path, "--quiet"]);
        assert_eq!(r["workloads"].as_array().map(Vec::len), Some(2));
        // 1M x 0.15 + 10K x 2.50 per 1M: 0.175 USD at Global Standard.
        close(
            &option(workload(&r, "*", "gpt-4o-mini"), "global-standard")["cost_usd"],
            0.15,
        );
        close(
            &option(workload(&r, "*", "gpt-4o"), "global-standard")["cost_usd"],
            0.025,
        );
    }
}

#[test]
fn issue_19_each_file_keeps_its_interval() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write(
        dir.path(),
        "a.json",
        az_metrics(
            60,
            "PT1M",
            &[
                ("a", "gpt-4o", "ProcessedPromptTokens", 100_000.0),
                ("a", "gpt-4o", "GeneratedTokens", 10_000.0),
            ],
        ),
    );
    let b = write(
        dir.path(),
        "b.json",
        az_metrics(
            60,
            "PT1H",
            &[
                ("b", "gpt-4o", "ProcessedPromptTokens", 1_000.0),
                ("b", "gpt-4o", "GeneratedTokens", 100.0),
            ],
        ),
    );
    let alone = report(&[&a, "--quiet"]);
    let both = report(&[&a, &b, "--quiet"]);
    let wa = workload(&alone, "a", "gpt-4o");
    let wb = workload(&both, "a", "gpt-4o");
    for key in ["requests", "prompt_tokens", "peak_minute_weighted_tpm"] {
        assert_eq!(wa[key], wb[key], "{key}");
    }
    assert_eq!(
        option(wa, "global-standard")["monthly_cost_usd"],
        option(wb, "global-standard")["monthly_cost_usd"]
    );
    assert_eq!(wa["recommended"], wb["recommended"]);
}

#[test]
fn issue_19_a_minute_whose_only_record_is_a_429_keeps_its_metric_tokens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let metrics = write(
        dir.path(),
        "metrics.json",
        az_metrics(
            2,
            "PT1M",
            &[
                ("chat", "gpt-4o", "ProcessedPromptTokens", 10_000.0),
                ("chat", "gpt-4o", "GeneratedTokens", 1_000.0),
            ],
        ),
    );
    let record = |t: &str, status: u16| {
        json!({"time": t, "resourceId": "/SUBSCRIPTIONS/X/ACCOUNTS/CONTOSO", "category": "RequestResponse",
               "operationName": "ChatCompletions_Create", "durationMs": 900, "resultSignature": status.to_string(),
               "location": "eastus2",
               "properties": json!({"modelDeploymentName": "chat", "modelName": "gpt-4o", "streamType": "Non-Streaming"}).to_string()})
        .to_string()
    };
    let diag = write(
        dir.path(),
        "PT1H.json",
        format!(
            "{}\n{}\n",
            record("2026-03-01T00:00:20Z", 200),
            record("2026-03-01T00:01:30Z", 429)
        ),
    );
    let r = report(&[&metrics, &diag, "--quiet"]);
    let w = workload(&r, "chat", "gpt-4o");
    assert_eq!(w["prompt_tokens"], 20_000);
    assert_eq!(w["completion_tokens"], 2_000);
    assert_eq!(w["failed_requests"], 1);
}

#[test]
fn issue_19_duplicates_are_refused_or_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let header =
        "bucket_start,bucket,deployment,model,region,requests,prompt_tokens,completion_tokens\n";
    let row = "2026-03-01T10:00:00Z,minute,chat,gpt-4o,eastus2,2,1000,100\n";
    let once = write(dir.path(), "once.csv", format!("{header}{row}"));
    // The same file twice, under two names.
    let same = format!("{}/./once.csv", dir.path().display());
    let e = refused(&[&once, &same]);
    assert!(e.contains("is given twice"), "{e}");
    // The same bucket twice in one file: refused, or skipped and counted.
    let twice = write(dir.path(), "twice.csv", format!("{header}{row}{row}"));
    let e = refused(&[&twice]);
    assert!(
        e.contains("twice.csv:3: field `bucket_start`") && e.contains("twice.csv:2"),
        "{e}"
    );
    let r = report(&[&twice, "--skip-invalid", "--quiet"]);
    assert_eq!(r["input"]["skipped"], 1);
    assert_eq!(r["workloads"][0]["prompt_tokens"], 1000);
    // An hour bucket over a minute bucket of the same workload.
    let hour = write(
        dir.path(),
        "hour.csv",
        format!("{header}{row}2026-03-01T10:00:00Z,hour,chat,gpt-4o,eastus2,2,1000,100\n"),
    );
    assert!(refused(&[&hour]).contains("overlaps"));
    // The same metric series in two files.
    let series = [("chat", "gpt-4o", "ProcessedPromptTokens", 1000.0)];
    let m1 = write(dir.path(), "m1.json", az_metrics(3, "PT1M", &series));
    let again = [("chat", "gpt-4o", "ProcessedPromptTokens", 2000.0)];
    let m2 = write(dir.path(), "m2.json", az_metrics(3, "PT1M", &again));
    let e = refused(&[&m1, &m2]);
    assert!(e.contains("the same metric series twice"), "{e}");
}

/// The same metric with an extra split (ApiName, OperationName) or without FeatureName was
/// summed with the original (21.0 USD for 10.5); legitimately distinct groups (OpenAI Usage
/// results per api_key_id, AzureMetrics of two resources) were refused as "the same bucket
/// twice". Two splits of one metric over the same time are refused, naming the dimension;
/// distinct groups sum.
#[test]
fn issue_19_one_metric_split_two_ways_is_refused_and_distinct_groups_sum() {
    let dir = tempfile::tempdir().expect("tempdir");
    let series = [
        ("chat", "gpt-4o", "ProcessedPromptTokens", 1000.0),
        ("chat", "gpt-4o", "GeneratedTokens", 100.0),
    ];
    let text = az_metrics(3, "PT1M", &series);
    let tokens = write(dir.path(), "tokens.json", &text);
    let mut split: Value = serde_json::from_str(&text).expect("json");
    for metric in split["value"].as_array_mut().expect("value") {
        for ts in metric["timeseries"].as_array_mut().expect("series") {
            ts["metadatavalues"]
                .as_array_mut()
                .expect("dims")
                .push(json!({"name": {"value": "apiname"}, "value": "ChatCompletions_Create"}));
        }
    }
    let by_api = write(dir.path(), "by_api.json", split.to_string());
    let e = refused(&[&tokens, &by_api, "--region", "eastus2"]);
    assert!(
        e.contains("by_api.json:1: field `timeseries`")
            && e.contains("split by apiname here and not there")
            && e.contains("tokens.json:1"),
        "{e}"
    );
    // Alone, either split reads the same traffic.
    for file in [&tokens, &by_api] {
        let r = report(&[file, "--region", "eastus2", "--quiet"]);
        assert_eq!(r["workloads"][0]["prompt_tokens"], 3000, "{file}");
    }
    // OpenAI Usage results of one bucket per api_key_id: two keys' traffic sums.
    let result = |key: &str| {
        json!({"object": "organization.usage.completions.result", "input_tokens": 1000,
               "output_tokens": 100, "num_model_requests": 1, "model": "gpt-4o-2024-08-06",
               "api_key_id": key, "project_id": null})
    };
    let page = |results: Vec<Value>| {
        json!({"object": "page", "data": [{"object": "bucket", "start_time": 1790812800_i64,
               "end_time": 1790816400_i64, "results": results}]})
        .to_string()
    };
    let keys = write(
        dir.path(),
        "keys.json",
        page(vec![result("k1"), result("k2")]),
    );
    let r = report(&[&keys, "--region", "eastus2", "--quiet"]);
    assert_eq!(r["workloads"][0]["requests"], 2);
    assert_eq!(r["workloads"][0]["prompt_tokens"], 2000);
    // The same key twice in one bucket is the same group twice, named.
    let twice = write(
        dir.path(),
        "twice.json",
        page(vec![result("k1"), result("k1")]),
    );
    let e = refused(&[&twice, "--region", "eastus2"]);
    assert!(e.contains("api_key_id=k1") && e.contains("overlaps"), "{e}");
    // An ungrouped export of the same hour beside the grouped one: split two ways.
    let mut plain = result("k1");
    plain["api_key_id"] = Value::Null;
    plain["input_tokens"] = json!(2000);
    let ungrouped = write(dir.path(), "ungrouped.json", page(vec![plain]));
    let e = refused(&[&keys, &ungrouped, "--region", "eastus2"]);
    assert!(e.contains("split another way (by api_key_id)"), "{e}");
    // AzureMetrics rows of two resources: two resources' minutes sum.
    let azm = |resource: &str| {
        format!("t,Azure,\"10/1/2026, 12:00:00.000 AM\",ProcessedPromptTokens,10000,PT1M,/subscriptions/s/resourcegroups/rg/providers/microsoft.cognitiveservices/accounts/{resource},AzureMetrics\n")
    };
    let azm2 = write(
        dir.path(),
        "azm2.csv",
        format!(
            "TenantId,SourceSystem,TimeGenerated [UTC],MetricName,Total,TimeGrain,_ResourceId,Type\n{}{}",
            azm("contoso"),
            azm("fabrikam")
        ),
    );
    let (r, stderr) =
        run(&[&azm2, "--region", "eastus2", "--model-map", "*=gpt-4o"]).expect("reads");
    assert_eq!(r["workloads"][0]["prompt_tokens"], 20000);
    assert!(stderr.contains("the minutes of 2 resources"), "{stderr}");
}

/// Tokens in one metrics file and an implausible request count in another: the error named
/// the tokens' file. It names the file and line the count came from.
#[test]
fn issue_19_a_bad_request_count_is_blamed_on_its_own_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tokens = write(
        dir.path(),
        "tokens.json",
        az_metrics(
            1,
            "PT1M",
            &[("chat", "gpt-4o", "ProcessedPromptTokens", 1000.0)],
        ),
    );
    let requests = r#"{"interval":"PT1M","value":[{"name":{"value":"AzureOpenAIRequests"},"timeseries":[{"metadatavalues":[{"name":{"value":"modeldeploymentname"},"value":"chat"},{"name":{"value":"statuscode"},"value":"200"}],"data":[{"timeStamp":"2026-03-01T00:00:00Z","total":100000000000}]}]}]}"#;
    let requests = write(dir.path(), "requests.json", requests);
    let e = refused(&[&tokens, &requests, "--region", "eastus2"]);
    assert!(
        e.contains("requests.json:1: field `requests`") && !e.contains("tokens.json"),
        "{e}"
    );
}

/// A missing field in a file whose reader was detected said nothing of `--input-format`
/// (a LiteLLM daily rollup, JSON Lines pages whose first is empty).
#[test]
fn issue_19_a_missing_field_of_a_detected_reader_names_the_way_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daily = write(
        dir.path(),
        "daily.csv",
        "id,date,user_id,api_key,model,model_group,custom_llm_provider,prompt_tokens,completion_tokens,spend,api_requests,successful_requests,failed_requests\n1,2026-10-01,u,k,gpt-4o,gpt-4o,azure,100000,10000,0.35,100,100,0\n",
    );
    let e = refused(&[&daily, "--region", "eastus2"]);
    assert!(
        e.contains("daily.csv:2: field `timestamp`: missing")
            && e.contains("read as `litellm`, detected")
            && e.contains("--input-format NAME (csv, jsonl, aggregate"),
        "{e}"
    );
    // Forced, the reader is the user's choice: no hint.
    let e = refused(&[&daily, "--region", "eastus2", "--input-format", "litellm"]);
    assert!(!e.contains("detected from its first record"), "{e}");
}

// ---------------------------------------------------------------------------------------
// 5. Bounded work.

#[test]
fn issue_19_an_absurd_aggregate_row_is_refused_before_it_is_replayed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let temp = tempfile::tempdir().expect("tempdir");
    let row = "bucket_start,bucket,model,region,requests\n2026-03-01T10:00:00Z,hour,gpt-4o,eastus2,36000000\n";
    assert!(row.len() < 100);
    let path = write(dir.path(), "row.csv", row);
    let out = ptuplan()
        .env("TMPDIR", temp.path())
        .args(["compare", "--quiet", &path])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("row.csv:2: field `requests`")
            && e.contains("36000000 in this hour bucket")
            && e.contains("--max-expanded-requests"),
        "{e}"
    );
    assert_eq!(
        std::fs::read_dir(temp.path()).expect("temp").count(),
        0,
        "nothing written"
    );
    // The cap is per run: below it the same kind of row reads.
    let small = write(
        dir.path(),
        "small.csv",
        "bucket_start,bucket,model,region,requests\n2026-03-01T10:00:00Z,hour,gpt-4o,eastus2,36\n",
    );
    let e = refused(&[&small, "--max-expanded-requests", "35"]);
    assert!(e.contains("more than 35 requests"), "{e}");
}

// ---------------------------------------------------------------------------------------
// 6. Also seen.

/// A Parquet file of per-request rows as pandas 2 writes it: `timestamp` in epoch
/// nanoseconds (TIMESTAMP(NANOS)), token counts as doubles (NaN where pandas had none), a null
/// where pyarrow wrote one.
fn pandas_parquet(path: &Path, prompts: &[Option<f64>]) {
    use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    let schema = parse_message_type(
        "message schema {
            REQUIRED INT64 timestamp (TIMESTAMP(NANOS,false));
            REQUIRED BYTE_ARRAY model (UTF8);
            REQUIRED BYTE_ARRAY region (UTF8);
            OPTIONAL DOUBLE prompt_tokens;
            REQUIRED DOUBLE completion_tokens;
        }",
    )
    .expect("schema");
    let file = std::fs::File::create(path).expect("create");
    let props = Arc::new(WriterProperties::builder().build());
    let mut writer = SerializedFileWriter::new(file, Arc::new(schema), props).expect("writer");
    let mut group = writer.next_row_group().expect("row group");
    let n = prompts.len();
    let times: Vec<i64> = (0..n as i64)
        .map(|i| (1_772_359_200 + i * 60) * 1_000_000_000 + 250_000_000)
        .collect();
    let text = |s: &str| vec![ByteArray::from(s); n];
    let present: Vec<f64> = prompts.iter().flatten().copied().collect();
    let defs: Vec<i16> = prompts.iter().map(|p| i16::from(p.is_some())).collect();
    let mut column = 0;
    while let Some(mut col) = group.next_column().expect("column") {
        match column {
            0 => {
                col.typed::<Int64Type>()
                    .write_batch(&times, None, None)
                    .expect("times");
            }
            1 => {
                col.typed::<ByteArrayType>()
                    .write_batch(&text("gpt-4o"), None, None)
                    .expect("model");
            }
            2 => {
                col.typed::<ByteArrayType>()
                    .write_batch(&text("eastus2"), None, None)
                    .expect("region");
            }
            3 => {
                col.typed::<DoubleType>()
                    .write_batch(&present, Some(&defs), None)
                    .expect("prompt");
            }
            _ => {
                col.typed::<DoubleType>()
                    .write_batch(&vec![100.0; n], None, None)
                    .expect("completion");
            }
        }
        col.close().expect("close column");
        column += 1;
    }
    group.close().expect("close group");
    writer.close().expect("close");
}

#[test]
fn issue_19_pandas_parquet_nanoseconds_and_missing_tokens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("good.parquet");
    pandas_parquet(&good, &[Some(1000.0), Some(2000.0)]);
    let r = report(&[good.to_str().expect("utf8"), "--quiet"]);
    assert_eq!(r["input"]["start"], "2026-03-01T10:00:00Z");
    assert_eq!(r["input"]["end"], "2026-03-01T10:01:00Z");
    assert_eq!(r["workloads"][0]["prompt_tokens"], 3000);
    for (name, prompts, what) in [
        (
            "nan.parquet",
            [Some(1000.0), Some(f64::NAN)],
            "`NaN` is not a number",
        ),
        (
            "null.parquet",
            [Some(1000.0), None],
            "null (pandas writes NaN so)",
        ),
    ] {
        let path = dir.path().join(name);
        pandas_parquet(&path, &prompts);
        let e = refused(&[path.to_str().expect("utf8")]);
        assert!(
            e.contains(&format!("{name}:3: field `prompt_tokens`")) && e.contains(what),
            "{e}"
        );
    }
}

#[test]
fn issue_19_max_tokens_requests_above_the_requests_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "agg.csv",
        "bucket_start,bucket,model,region,requests,prompt_tokens,completion_tokens,max_tokens_sum,max_tokens_requests\n2026-03-01T10:00:00Z,minute,gpt-4o,eastus2,3,3000,300,5000,5\n",
    );
    let e = refused(&[&path]);
    assert!(
        e.contains("agg.csv:2: field `max_tokens_requests`: 5 requests logged a max_tokens, but the bucket has 3 successful request(s)"),
        "{e}"
    );
}

#[test]
fn issue_19_json_lines_rows_wrapped_in_data_are_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let row = |i: u32| {
        json!({"timestamp": minute(i), "model": "gpt-4o", "region": "eastus2",
               "usage": {"prompt_tokens": 1000, "completion_tokens": 100}})
    };
    let text = format!(
        "{}\n{}\n",
        json!({"data": [row(0), row(1)]}),
        json!({"data": [row(2)]})
    );
    let path = write(dir.path(), "wrapped.jsonl", text);
    let r = report(&[&path, "--quiet"]);
    assert_eq!(r["workloads"][0]["requests"], 3);
    // A key of known meaning the JSON Lines reader does not read is said, not dropped silently
    // (no mapping reaches the nested usage, so the run goes on).
    let line = json!({"timestamp": minute(0), "model": "gpt-4o", "region": "eastus2",
                      "cached_tokens": 5, "usage": {"prompt_tokens": 10, "completion_tokens": 1}});
    let path = write(dir.path(), "keys.jsonl", format!("{line}\n"));
    let r = report(&[&path, "--quiet"]);
    let warnings = r["warnings"].to_string();
    assert!(
        warnings.contains("key(s) `cached_tokens` (cached_tokens) are not read"),
        "{warnings}"
    );
    assert!(r["input"]["readers"][0]["unread"].is_string());
}

// ---------------------------------------------------------------------------------------
// 4. Spillover as documented today.

#[test]
fn issue_19_spillover_headers_count_a_request_once_as_spilled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let line = |i: u32, extra: Value| {
        let mut v = json!({"timestamp": minute(i), "deployment": "ptu", "model": "gpt-4o",
                           "region": "eastus2", "status": 200,
                           "usage": {"prompt_tokens": 1000, "completion_tokens": 100}});
        if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
            m.extend(e);
        }
        v.to_string()
    };
    let text = [
        line(0, json!({})),
        // Today's spelling, as the row's own keys: served by `std`, spilled from `ptu`.
        line(1, json!({"deployment": "std", "x-ms-spillover-from-deployment": "ptu", "x-ms-deployment-name": "std"})),
        // The older spelling in a headers object.
        line(2, json!({"deployment": "std", "headers": {"x-ms-spillover-from-ptu": "true", "x-ms-std": "1"}})),
        // A failed spillover: the provisioned deployment's own 429 came back.
        line(3, json!({"status": 429, "headers": {"x-ms-spillover-from-deployment": "ptu", "x-ms-spillover-error": "500"}})),
    ]
    .join("\n");
    let path = write(dir.path(), "app.jsonl", text);
    let r = report(&[&path, "--quiet"]);
    assert_eq!(r["input"]["spilled_requests"], 2);
    assert_eq!(r["workloads"].as_array().map(Vec::len), Some(1));
    let w = workload(&r, "ptu", "gpt-4o");
    assert_eq!(w["requests"], 3);
    assert_eq!(w["failed_requests"], 1);
    // The same as CSV columns.
    let csv = "timestamp,deployment,model,region,prompt_tokens,completion_tokens,status,spillover_from_deployment,spillover_error\n\
               2026-03-01T00:00:00Z,ptu,gpt-4o,eastus2,1000,100,200,,\n\
               2026-03-01T00:01:00Z,std,gpt-4o,eastus2,1000,100,200,ptu,\n\
               2026-03-01T00:02:00Z,ptu,gpt-4o,eastus2,0,0,429,ptu,500\n";
    let path = write(dir.path(), "app.csv", csv);
    let r = report(&[&path, "--quiet"]);
    assert_eq!(r["input"]["readers"][0]["reader"], "csv");
    assert_eq!(r["input"]["spilled_requests"], 1);
    let w = workload(&r, "ptu", "gpt-4o");
    assert_eq!(
        (w["requests"].clone(), w["failed_requests"].clone()),
        (json!(2), json!(1))
    );
}

#[test]
fn issue_19_is_spillover_answers_on_the_provisioned_deployment_are_not_failures_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dims = |d: &str, status: &str, spill: &str| {
        json!([
            {"name": {"value": "modeldeploymentname"}, "value": d},
            {"name": {"value": "statuscode"}, "value": status},
            {"name": {"value": "isspillover"}, "value": spill},
        ])
    };
    let series = |d: &str, status: &str, spill: &str, n: f64| {
        json!({"metadatavalues": dims(d, status, spill),
               "data": [{"timeStamp": "2026-03-01T10:00:00Z", "total": n}]})
    };
    let tokens = |d: &str, metric: &str, n: f64| {
        json!({"name": {"value": metric}, "timeseries": [{
            "metadatavalues": [{"name": {"value": "modeldeploymentname"}, "value": d},
                               {"name": {"value": "featurename"}, "value": "gpt-4o"}],
            "data": [{"timeStamp": "2026-03-01T10:00:00Z", "total": n}]}]})
    };
    let doc = json!({"interval": "PT1M", "resourceregion": "eastus2", "value": [
        tokens("ptu", "ProcessedPromptTokens", 8000.0), tokens("ptu", "GeneratedTokens", 800.0),
        tokens("std", "ProcessedPromptTokens", 2000.0), tokens("std", "GeneratedTokens", 200.0),
        {"name": {"value": "AzureOpenAIRequests"}, "timeseries": [
            series("ptu", "200", "False", 8.0),
            series("ptu", "429", "True", 2.0),
            series("std", "200", "True", 2.0),
        ]},
    ]});
    let path = write(dir.path(), "spill.json", doc.to_string());
    let r = report(&[&path, "--quiet"]);
    assert_eq!(r["input"]["spilled_requests"], 2);
    assert_eq!(workload(&r, "ptu", "gpt-4o")["failed_requests"], 0);
    assert_eq!(workload(&r, "ptu", "gpt-4o")["requests"], 8);
    assert_eq!(workload(&r, "std", "gpt-4o")["requests"], 2);
}

// ---------------------------------------------------------------------------------------
// Every run says how it read each file.

#[test]
fn issue_19_every_run_says_which_reader_read_each_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write(dir.path(), "requests.csv", azure_style_csv());
    let b = write(
        dir.path(),
        "agg.csv",
        "bucket_start,bucket,deployment,model,region,requests,prompt_tokens,completion_tokens\n2026-03-01T11:00:00Z,minute,rag,gpt-4o,eastus2,2,1000,100\n",
    );
    let (r, stderr) = run(&[&a, &b, "--input-format", "columns"]).expect("reads");
    let readers = r["input"]["readers"].as_array().expect("readers");
    assert_eq!(readers.len(), 2);
    assert_eq!(readers[1]["chosen_by"], "--input-format");
    assert_eq!(
        readers[1]["columns"][0],
        json!({"field": "bucket_start", "column": "bucket_start"})
    );
    assert!(
        stderr.contains("agg.csv: read as columns (csv, --input-format)"),
        "{stderr}"
    );
    let quiet = ptuplan()
        .args(["compare", "--quiet", &a])
        .output()
        .expect("runs");
    assert!(quiet.stderr.is_empty());
}

// ---- Issue 20 (fast readers) and issue 23 (one timestamp grammar), through the library. ----

mod library {
    use std::io::Write as _;
    use std::path::Path;

    use ptuplan::usage::{
        read_usage, InputFormat, InputSource, InputSpec, KeyRejection, RawKey, ReadOptions,
        RecordSink, RequestLimits, Resolved, SinkError, UsageRecord,
    };

    /// Numbers each distinct (deployment, model, region) in order of first sight.
    #[derive(Default)]
    struct Keys(std::sync::Mutex<Vec<String>>);

    impl ptuplan::usage::KeyResolver for Keys {
        fn resolve(&self, key: RawKey<'_>) -> Result<Resolved, KeyRejection> {
            let name = format!("{:?}/{:?}/{:?}", key.deployment, key.model, key.region);
            let mut seen = self.0.lock().expect("lock");
            let i = seen.iter().position(|k| *k == name).unwrap_or_else(|| {
                seen.push(name);
                seen.len() - 1
            });
            Ok(Resolved {
                workload: i as u32,
                limits: RequestLimits::default(),
            })
        }
    }

    /// Keeps every record, with forks joined in file order.
    #[derive(Default)]
    struct Keep(Vec<UsageRecord>);

    impl RecordSink for Keep {
        fn take(&mut self, record: UsageRecord) -> Result<(), SinkError> {
            self.0.push(record);
            Ok(())
        }
        fn fork(&self) -> Self {
            Keep::default()
        }
        fn join(&mut self, later: Self) -> Result<(), SinkError> {
            self.0.extend(later.0);
            Ok(())
        }
    }

    /// Read `path` with `threads` threads (any size reads in parallel); records, or the error.
    fn read(
        path: &Path,
        threads: usize,
        format: Option<InputFormat>,
    ) -> Result<Vec<UsageRecord>, String> {
        let spec = InputSpec {
            source: InputSource::File(path.to_owned()),
            format,
        };
        let options = ReadOptions {
            threads,
            parallel_min_bytes: 1,
            ..ReadOptions::default()
        };
        let mut sink = Keep::default();
        read_usage(&[spec], &options, &Keys::default(), &mut sink).map_err(|e| e.to_string())?;
        Ok(sink.0)
    }

    fn gzip(path: &Path, bytes: &[u8]) {
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(path).expect("create"),
            flate2::Compression::fast(),
        );
        enc.write_all(bytes).expect("write");
        enc.finish().expect("finish");
    }

    /// One logical log written in every shape a CSV may take: every variant must read to the
    /// same records on every path (plain lines split by hand, quoted records by `csv-core`,
    /// sequential, parallel, gzip through the inflating thread).
    fn variants(rows: &[[String; 7]], bad_at: Option<usize>) -> Vec<(&'static str, Vec<u8>)> {
        let header = [
            "timestamp",
            "deployment",
            "model",
            "region",
            "prompt_tokens",
            "completion_tokens",
            "note",
        ];
        let line = |cells: &[String], quote: bool| -> String {
            cells
                .iter()
                .map(|c| {
                    if quote || c.contains([',', '"', '\n']) {
                        format!("\"{}\"", c.replace('"', "\"\""))
                    } else {
                        c.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        let build = |quote: bool, end: &str, bom: bool, blank: bool| -> Vec<u8> {
            let mut s = String::new();
            if bom {
                s.push('\u{feff}');
            }
            s.push_str(&line(&header, quote));
            s.push_str(end);
            for (i, r) in rows.iter().enumerate() {
                if blank && i % 3 == 1 {
                    s.push_str(end);
                }
                let mut r = r.clone();
                if bad_at == Some(i) {
                    r[4] = "x".to_owned();
                }
                s.push_str(&line(&r, quote));
                s.push_str(end);
            }
            s.into_bytes()
        };
        vec![
            ("plain", build(false, "\n", false, false)),
            ("all quoted", build(true, "\n", false, false)),
            ("crlf", build(false, "\r\n", false, false)),
            ("quoted crlf", build(true, "\r\n", false, false)),
            ("bom and blank lines", build(false, "\n", true, true)),
            (
                "quoted, cr only, blank lines",
                build(true, "\r", true, true),
            ),
        ]
    }

    fn rows(n: usize) -> Vec<[String; 7]> {
        let notes = [
            "",
            "plain",
            "a, comma",
            "a \"quote\"",
            "two\nlines",
            "\"\"",
            "trailing,",
        ];
        (0..n)
            .map(|i| {
                [
                    format!(
                        "2026-03-01T10:{:02}:{:02}.{:03}Z",
                        i / 60 % 60,
                        i % 60,
                        i % 1000
                    ),
                    ["chat", "batch", "agent"][i % 3].to_owned(),
                    ["gpt-4o", "gpt-4.1"][i % 2].to_owned(),
                    "eastus2".to_owned(),
                    (100 + i * 7).to_string(),
                    (10 + i % 50).to_string(),
                    notes[i % notes.len()].to_owned(),
                ]
            })
            .collect()
    }

    #[test]
    fn issue_20_fast_and_csv_core_paths_read_tricky_records_alike() {
        let dir = tempfile::tempdir().expect("tempdir");
        let rows = rows(400);
        let mut want: Option<Vec<UsageRecord>> = None;
        for (name, bytes) in variants(&rows, None) {
            let path = dir
                .path()
                .join(format!("{}.csv", name.replace([' ', ','], "_")));
            std::fs::write(&path, &bytes).expect("write");
            let gz = dir
                .path()
                .join(format!("{}.csv.gz", name.replace([' ', ','], "_")));
            gzip(&gz, &bytes);
            for (p, threads) in [(&path, 1), (&path, 2), (&path, 3), (&gz, 2)] {
                let got = read(p, threads, None).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(got.len(), rows.len(), "{name}, {threads} threads");
                match &want {
                    None => want = Some(got),
                    Some(w) => assert_eq!(&got, w, "{name}, {} threads", threads),
                }
            }
        }
    }

    #[test]
    fn issue_20_a_bad_field_names_its_own_line_on_every_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let rows = rows(60);
        for (name, bytes) in variants(&rows, Some(40)) {
            // Count the record's own line: the line of its first byte in the file.
            let text = String::from_utf8_lossy(&bytes)
                .replace("\r\n", "\n")
                .replace('\r', "\n");
            let start = text.find(&rows[40][0]).expect("row 40 written");
            let line = text[..start].matches('\n').count() + 1;
            let want = format!(":{line}: field `prompt_tokens`: `x` is not a number");
            let path = dir
                .path()
                .join(format!("{}.csv", name.replace([' ', ','], "_")));
            std::fs::write(&path, &bytes).expect("write");
            let gz = dir
                .path()
                .join(format!("{}.csv.gz", name.replace([' ', ','], "_")));
            gzip(&gz, &bytes);
            for (p, threads) in [(&path, 1), (&path, 2), (&gz, 1)] {
                let e = read(p, threads, None).expect_err("refused");
                assert!(
                    e.contains(&want),
                    "{name}, {threads} threads: {e} (want {want})"
                );
            }
        }
    }

    /// Issue 23: every reader accepts the same timestamp formats, each to the same instant.
    #[test]
    fn issue_23_every_reader_kind_reads_every_timestamp_format() {
        let ms: i64 = 1_772_359_538_941; // 2026-03-01T10:05:38.941Z
        let formats: [(&str, &str, i64); 8] = [
            ("rfc 3339", "2026-03-01T10:05:38.941Z", ms),
            ("azure 7 digits", "2026-03-01T10:05:38.9410000Z", ms),
            ("offset", "2026-03-01T11:05:38.941+01:00", ms),
            ("space, no zone", "2026-03-01 10:05:38.941", ms),
            ("unix seconds", "1772359538.941", ms),
            ("unix ms", "1772359538941", ms),
            ("us locale am", "3/1/2026, 10:05:38.941 AM", ms),
            (
                "us locale pm",
                "3/1/2026, 10:05:38.941 PM",
                ms + 12 * 3_600_000,
            ),
        ];
        let dir = tempfile::tempdir().expect("tempdir");
        let csv_cell = |t: &str| {
            if t.contains(',') {
                format!("\"{t}\"")
            } else {
                t.to_owned()
            }
        };
        for (what, text, want) in formats {
            let kinds: Vec<(&str, String, Option<InputFormat>)> = vec![
                (
                    "csv",
                    format!("timestamp,model,region,prompt_tokens,completion_tokens\n{},gpt-4o,eastus2,10,1\n", csv_cell(text)),
                    None,
                ),
                (
                    "jsonl",
                    format!("{{\"timestamp\":\"{text}\",\"model\":\"gpt-4o\",\"region\":\"eastus2\",\"usage\":{{\"prompt_tokens\":10,\"completion_tokens\":1}}}}\n"),
                    None,
                ),
                (
                    "apim",
                    format!("TimeGenerated [UTC],CorrelationId,DeploymentName,ModelName,Region,PromptTokens,CompletionTokens\n{},c-1,chat,gpt-4o,East US 2,10,1\n", csv_cell(text)),
                    Some(InputFormat::Apim),
                ),
                (
                    "litellm",
                    format!("request_id,startTime,model,model_group,spend,prompt_tokens,completion_tokens\nr1,{},gpt-4o,chat,0.1,10,1\n", csv_cell(text)),
                    Some(InputFormat::LiteLlm),
                ),
                (
                    "columns",
                    format!("TimeGenerated,DeploymentName,ModelName,Region,PromptTokens,CompletionTokens\n{},chat,gpt-4o,eastus2,10,1\n", csv_cell(text)),
                    Some(InputFormat::Columns),
                ),
            ];
            for (kind, body, format) in kinds {
                let path = dir.path().join(format!("{kind}.log"));
                std::fs::write(&path, &body).expect("write");
                let got = read(&path, 1, format).unwrap_or_else(|e| panic!("{kind}, {what}: {e}"));
                assert_eq!(got.len(), 1, "{kind}, {what}");
                assert_eq!(got[0].timestamp_ms, want, "{kind}, {what}");
            }
        }
    }

    /// Issue 23: a slash date is month first; one whose first number cannot be a month is
    /// refused by every reader, never read day first.
    #[test]
    fn issue_23_a_day_first_date_is_refused_not_guessed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = "\"18/8/2025, 12:00:38.941 AM\"";
        for (kind, body, format) in [
            ("csv", format!("timestamp,model,region,prompt_tokens,completion_tokens\n{text},gpt-4o,eastus2,10,1\n"), None),
            ("apim", format!("TimeGenerated [UTC],CorrelationId,DeploymentName,ModelName,Region,PromptTokens,CompletionTokens\n{text},c-1,chat,gpt-4o,East US 2,10,1\n"), Some(InputFormat::Apim)),
        ] {
            let path = dir.path().join(format!("{kind}.csv"));
            std::fs::write(&path, body).expect("write");
            let e = read(&path, 1, format).expect_err("refused");
            assert!(e.contains(":2: field `") && e.contains("month first"), "{kind}: {e}");
        }
    }
}

/// A per-bucket status count is read whatever its spelling (`status 503`, `Status-503`,
/// `status.4xx`, `FailedRequests`), and one that names no HTTP status (`status_600`) or counts
/// that may overlap (`failed_requests` with `throttled_requests`) is refused. Before, such a
/// column was left unread without a word, and its failed requests counted as successful.
#[test]
fn issue_19_bucket_status_counts_are_read_in_any_spelling_or_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let head =
        "bucket_start,bucket,deployment,model,region,requests,prompt_tokens,completion_tokens";
    let rows = "2026-10-01T00:00:00Z,minute,chat,gpt-4o,eastus2,10,10000,2000,2\n2026-10-01T00:01:00Z,minute,chat,gpt-4o,eastus2,10,10000,2000,0\n";
    for column in [
        "status_503",
        "status 503",
        "Status-503",
        "status.4xx",
        "status_1xx",
        "FailedRequests",
        "throttled_requests",
    ] {
        let path = write(dir.path(), "agg.csv", format!("{head},{column}\n{rows}"));
        let r = report(&[&path]);
        assert_eq!(r["input"]["failed_requests"], 2, "{column}");
        assert_eq!(r["workloads"][0]["requests"], 18, "{column}");
    }
    for column in ["status_600", "status_6xx", "status 99"] {
        let path = write(dir.path(), "agg.csv", format!("{head},{column}\n{rows}"));
        let e = refused(&[&path]);
        assert!(
            e.contains("agg.csv")
                && e.contains(&format!("column `{column}`: not a count of an HTTP status")),
            "{e}"
        );
    }
    let path = write(
        dir.path(),
        "agg.csv",
        format!("{head},failed_requests,throttled_requests\n2026-10-01T00:00:00Z,minute,chat,gpt-4o,eastus2,10,10000,2000,3,3\n"),
    );
    let e = refused(&[&path]);
    assert!(
        e.contains("`failed_requests` and `throttled_requests` are both given"),
        "{e}"
    );
    // One `status` column cannot hold a bucket's statuses; a bad count names its column.
    let path = write(dir.path(), "agg.csv", format!("{head},status\n{rows}"));
    let e = refused(&[&path]);
    assert!(
        e.contains("column `status`: a per-bucket file has no single status"),
        "{e}"
    );
    let path = write(
        dir.path(),
        "agg.csv",
        format!(
            "{head},Status 503\n2026-10-01T00:00:00Z,minute,chat,gpt-4o,eastus2,10,10000,2000,-1\n"
        ),
    );
    let e = refused(&[&path]);
    assert!(e.contains("agg.csv:2: field `status 503`"), "{e}");
}

/// A request log and a per-bucket aggregate of the same workload over the same time are the
/// same traffic twice: refused in either order and with parallel reading, naming both files.
/// An aggregate of another day is read with the log.
#[test]
fn issue_19_a_request_log_and_its_aggregate_are_refused_together() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = write(
        dir.path(),
        "requests.csv",
        "timestamp,deployment,model,region,prompt_tokens,completion_tokens\n2026-10-01T10:00:05Z,chat,gpt-4o,eastus2,1000,100\n2026-10-01T10:40:00Z,chat,gpt-4o,eastus2,1000,100\n",
    );
    let head =
        "bucket_start,bucket,deployment,model,region,requests,prompt_tokens,completion_tokens\n";
    let same = write(
        dir.path(),
        "rollup.csv",
        format!("{head}2026-10-01T10:00:00Z,hour,chat,gpt-4o,eastus2,2,2000,200\n"),
    );
    for args in [
        vec![log.as_str(), same.as_str()],
        vec![
            same.as_str(),
            log.as_str(),
            "--threads",
            "2",
            "--parallel-min-bytes",
            "1",
        ],
    ] {
        let e = refused(&args);
        assert!(
            e.contains("requests.csv: has requests of a workload")
                && e.contains("rollup.csv:2 is a per-bucket aggregate of the same workload")
                && e.contains("count twice"),
            "{e}"
        );
    }
    let other_day = write(
        dir.path(),
        "earlier.csv",
        format!("{head}2026-09-30T10:00:00Z,hour,chat,gpt-4o,eastus2,2,2000,200\n"),
    );
    let r = report(&[&log, &other_day]);
    assert_eq!(r["input"]["records"], 4);
}

/// An OpenAI Usage page that says more pages follow is read with a warning naming its
/// `next_page` (as a document and as a line of JSON Lines); a bucket whose `results` is an
/// object, not an array, is an error at its line, never an empty bucket.
#[test]
fn issue_19_openai_usage_missing_pages_warn_and_results_must_be_an_array() {
    let dir = tempfile::tempdir().expect("tempdir");
    let more = openai_page(3)
        .replace("\"has_more\":false", "\"has_more\":true")
        .replace("\"next_page\":null", "\"next_page\":\"page_2\"");
    assert!(more.contains("page_2"), "{more}");
    for (name, text) in [
        ("first.json", format!("{more}\n")),
        (
            "pages.jsonl",
            format!(
                "{}\n{more}\n",
                openai_page(1)
                    .replace("1772323200", "1772300000")
                    .replace("1772323260", "1772300060")
            ),
        ),
    ] {
        let page = write(dir.path(), name, text);
        let r = report(&[&page, "--region", "eastus2"]);
        assert!(
            r["warnings"]
                .to_string()
                .contains("next_page page_2): their buckets are not in this file"),
            "{name}: {}",
            r["warnings"]
        );
    }
    let complete = write(dir.path(), "all.json", openai_page(3));
    let r = report(&[&complete, "--region", "eastus2"]);
    assert!(!r["warnings"].to_string().contains("more pages follow"));
    let object = openai_page(2)
        .replacen("\"results\":[", "\"results\":{\"x\":", 1)
        .replacen("}]", "}}", 1);
    let bad = write(dir.path(), "object.json", object);
    let e = refused(&[&bad, "--region", "eastus2"]);
    assert!(
        e.contains("object.json:1: field `results`: must be an array"),
        "{e}"
    );
}

/// Azure Monitor request counts without a `StatusCode` split are all taken as successful: a
/// warning says so (429s and errors would otherwise vanish without a word).
#[test]
fn issue_19_az_monitor_requests_without_status_say_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let series = [
        ("chat", "gpt-4o", "ProcessedPromptTokens", 1000.0),
        ("chat", "gpt-4o", "GeneratedTokens", 100.0),
        ("chat", "gpt-4o", "AzureOpenAIRequests", 2.0),
    ];
    let file = write(dir.path(), "m.json", az_metrics(5, "PT1M", &series));
    let r = report(&[&file]);
    assert!(
        r["warnings"].to_string().contains(
            "AzureOpenAIRequests is not split by StatusCode: every request is taken as successful"
        ),
        "{}",
        r["warnings"]
    );
    let tokens_only = write(dir.path(), "t.json", az_metrics(5, "PT1M", &series[..2]));
    let r = report(&[&tokens_only]);
    assert!(!r["warnings"]
        .to_string()
        .contains("not split by StatusCode"));
}

/// An Azure Monitor total that is not a whole count (an average exported as the total) is
/// refused, naming the metric, never rounded.
#[test]
fn issue_19_a_fractional_az_monitor_total_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let series = [
        ("chat", "gpt-4o", "ProcessedPromptTokens", 1000.5),
        ("chat", "gpt-4o", "GeneratedTokens", 100.0),
    ];
    let file = write(dir.path(), "frac.json", az_metrics(3, "PT1M", &series));
    let e = refused(&[&file]);
    assert!(
        e.contains("frac.json")
            && e.contains("ProcessedPromptTokens total `1000.5` is not a whole count"),
        "{e}"
    );
}

/// Azure Monitor metrics are deserialized as they stream in, never held whole or as a JSON
/// tree: a compact one-line response (as the REST API returns it) reads like the pretty one
/// `az` writes, responses one per line are named by their own line, and a point off the
/// interval's grid is named as such, not as a repeat.
#[test]
fn issue_19_az_monitor_responses_stream_and_name_their_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let series = [
        ("chat", "gpt-4o", "ProcessedPromptTokens", 1000.0),
        ("chat", "gpt-4o", "GeneratedTokens", 100.0),
    ];
    let pretty = az_metrics(5, "PT1M", &series);
    let compact: Value = serde_json::from_str(&pretty).expect("json");
    let compact = serde_json::to_string(&compact).expect("json");
    let a = report(&[&write(dir.path(), "pretty.json", &pretty)]);
    let b = report(&[&write(dir.path(), "compact.json", &compact)]);
    assert_eq!(a["workloads"], b["workloads"]);
    assert_eq!(
        a["workloads"][0]["requests"].as_u64().map(|n| n > 0),
        Some(true)
    );
    // Two responses, one a line; the second's interval is not read: its line is named.
    let second = compact.replace("\"PT1M\"", "\"PT5M\"");
    let two = write(dir.path(), "two.jsonl", format!("{compact}\n{second}\n"));
    let e = refused(&[&two, "--input-format", "azure-monitor"]);
    assert!(e.contains("two.jsonl:2: field `interval`"), "{e}");
    // A truncated document: the line where it ends.
    let cut = write(dir.path(), "cut.json", &pretty[..pretty.len() / 2]);
    let e = refused(&[&cut, "--input-format", "azure-monitor"]);
    assert!(e.contains("cut.json:") && e.contains("field `json`"), "{e}");
    // A metric ptuplan does not read is named, not dropped in silence.
    let mut renamed = series.to_vec();
    renamed.push(("chat", "gpt-4o", "TokenTransaction", 5.0));
    let r = report(&[&write(
        dir.path(),
        "renamed.json",
        az_metrics(5, "PT1M", &renamed),
    )]);
    assert!(
        r["warnings"]
            .to_string()
            .contains("Azure Monitor metric `TokenTransaction` is not read"),
        "{}",
        r["warnings"]
    );
    // A point half a minute off the grid is named as such.
    let off = pretty.replacen("2026-03-01T00:01:00Z", "2026-03-01T00:00:30Z", 1);
    let e = refused(&[&write(dir.path(), "off.json", off)]);
    assert!(
        e.contains("field `timeStamp`: 2026-03-01T00:00:30Z is not on a whole minute"),
        "{e}"
    );
    // A point half an hour off an hourly grid overlaps its neighbour: said so, whichever
    // of the two is read first.
    let hourly = az_metrics(180, "PT1H", &series);
    let off = hourly.replacen("2026-03-01T01:00:00Z", "2026-03-01T01:30:00Z", 1);
    let e = refused(&[&write(dir.path(), "off-hour.json", off)]);
    assert!(
        e.contains("overlaps a point of the series read before")
            && e.contains("points less than one hour apart"),
        "{e}"
    );
    // A truncated response of JSON Lines is named at its own line, not the next one.
    // (Cut inside a string, which serde notices only at the line's end.)
    let cut_line = &compact[..compact.find("PT1M").expect("interval") + 2];
    let lines = write(
        dir.path(),
        "cut.jsonl",
        format!("{compact}\n{cut_line}\n{compact}\n"),
    );
    let e = refused(&[&lines, "--input-format", "azure-monitor"]);
    assert!(e.contains("cut.jsonl:2: field `json`"), "{e}");
}

/// A JSON Lines line that is a whole API page is read row by row from its bytes; its rows'
/// repeated keys are refused as any row's are.
#[test]
fn issue_19_a_page_line_is_read_row_by_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let row = |s: u32| {
        format!("{{\"timestamp\":\"2026-03-01T10:00:{s:02}Z\",\"deployment\":\"chat\",\"model\":\"gpt-4o\",\"region\":\"eastus2\",\"usage\":{{\"prompt_tokens\":100,\"completion_tokens\":10}}}}")
    };
    let rows: Vec<String> = (0..3).map(row).collect();
    let page = write(
        dir.path(),
        "page.jsonl",
        format!("{{\"object\":\"list\",\"data\":[{}]}}\n", rows.join(",")),
    );
    assert_eq!(report(&[&page])["workloads"][0]["requests"], 3);
    let twice = rows[1].replace(
        "\"model\":\"gpt-4o\"",
        "\"model\":\"gpt-4o\",\"model\":\"gpt-4o\"",
    );
    let bad = write(
        dir.path(),
        "twice.jsonl",
        format!("{{\"data\":[{},{twice}]}}\n", rows[0]),
    );
    let e = refused(&[&bad]);
    assert!(e.contains("twice.jsonl:1") && e.contains("model"), "{e}");
}

/// Deployment names that differ only in letter case are separate workloads, and a warning
/// says so: one deployment written two ways would otherwise be sized as two halves.
#[test]
fn issue_19_deployments_differing_in_case_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = write(
        dir.path(),
        "case.csv",
        "timestamp,deployment,model,region,prompt_tokens,completion_tokens\n\
         2026-03-01T10:00:00Z,Chat-Prod,gpt-4o,eastus2,1000,100\n\
         2026-03-01T10:00:01Z,chat-prod,gpt-4o,eastus2,1000,100\n\
         2026-03-01T10:00:02Z,other,gpt-4o,eastus2,1000,100\n\
         2026-03-01T10:00:03Z,OTHER,gpt-4o,westus3,1000,100\n\
         2026-03-01T10:00:04Z,Other,gpt-4.1,eastus2,1000,100\n",
    );
    let r = report(&[&log]);
    let warnings = r["warnings"].to_string();
    assert!(
        warnings.contains(
            "deployments `Chat-Prod` and `chat-prod` (gpt-4o in eastus2) differ only in letter case"
        ),
        "{warnings}"
    );
    assert!(!warnings.contains("`other`"), "{warnings}");
}

/// An override for a model no workload runs changes nothing the log shows: a warning says
/// so, instead of listing it among the applied ones alone.
#[test]
fn issue_19_an_override_for_a_model_the_log_does_not_run_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = write(
        dir.path(),
        "log.csv",
        "timestamp,deployment,model,region,prompt_tokens,completion_tokens\n\
         2026-03-01T10:00:00Z,chat,gpt-4o,eastus2,1000,100\n",
    );
    let overrides = write(
        dir.path(),
        "overrides.yaml",
        "discounts:\n  - model: gpt-4.1\n    percent: 5\n  - model: gpt-4o\n    percent: 5\n",
    );
    let r = report(&[&log, "--overrides", &overrides]);
    let warnings = r["warnings"].to_string();
    assert!(
        warnings.contains(
            "overrides.yaml:2: the discount override for gpt-4.1 changes no workload of the log"
        ),
        "{warnings}"
    );
    assert!(!warnings.contains("override for gpt-4o"), "{warnings}");
}

/// A JSON document is read to its end (tester findings): pages appended to one file are all
/// read, at any size; rows in two arrays are refused, in a document or on a JSON Lines line,
/// where one array was read and the other dropped without a word.
#[test]
fn json_documents_are_read_to_their_end_and_two_row_arrays_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page =
        |rows: Vec<Value>| serde_json::to_string_pretty(&json!({ "data": rows })).expect("json");
    for n in [20, 1500] {
        let mut second = litellm_rows(n, "gpt-4o-mini");
        for (i, row) in second.iter_mut().enumerate() {
            row["request_id"] = json!(format!("second-{i}"));
        }
        let text = format!(
            "{}\n{}\n",
            page(litellm_rows(n, "gpt-4o-mini")),
            page(second)
        );
        let path = write(dir.path(), "pages.json", &text);
        let r = report(&[&path, "--quiet"]);
        assert_eq!(r["workloads"][0]["requests"], 2 * n, "{n} rows a page");
    }
    let text = serde_json::to_string_pretty(&json!({
        "data": litellm_rows(3, "gpt-4o-mini"),
        "value": litellm_rows(2, "gpt-4o-mini"),
    }))
    .expect("json");
    let line = 1 + text[..text.find("\"value\"").expect("key")]
        .matches('\n')
        .count();
    let path = write(dir.path(), "two.json", &text);
    let e = refused(&[&path]);
    assert!(
        e.contains(&format!("two.json:{line}: field `value`")),
        "{e}"
    );
    assert!(e.contains("both `data` and `value` hold rows"), "{e}");
    let line =
        json!({"data": litellm_rows(1, "gpt-4o-mini"), "rows": litellm_rows(1, "gpt-4o-mini")});
    let path = write(dir.path(), "two.jsonl", format!("{line}\n"));
    let e = refused(&[&path, "--input-format", "litellm"]);
    assert!(e.contains("two.jsonl:1: field `rows`"), "{e}");
}

#[test]
fn a_row_whose_values_would_outgrow_memory_is_refused_at_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 4 MiB of `{"a":0}` is about 400 MB once read as a tree of values.
    let many = format!("[{}{{\"a\":0}}]", "{\"a\":0},".repeat(600_000));
    let mut rows = litellm_rows(2, "gpt-4o-mini");
    let big = serde_json::to_string(&rows[1]).expect("json");
    let big = format!("{},\"messages\":{many}}}", &big[..big.len() - 1]);
    rows.truncate(1);
    let first = serde_json::to_string(&rows[0]).expect("json");
    let doc = write(
        dir.path(),
        "big.json",
        format!("{{\"data\":[\n{first},\n{big}\n]}}\n"),
    );
    let lines = write(dir.path(), "big.jsonl", format!("{first}\n{big}\n"));
    for (path, line) in [(&doc, 3), (&lines, 2)] {
        let e = refused(&[path, "--input-format", "litellm"]);
        assert!(e.contains(&format!(":{line}: field `json`")), "{e}");
        assert!(e.contains("more than 56 MiB of memory"), "{e}");
    }
    // A member given as JSON text in a string (LiteLLM's `metadata` as a CSV cell would be).
    let mut row = litellm_rows(1, "gpt-4o-mini").remove(0);
    row["metadata"] = json!(format!("{{\"x\":{many}}}"));
    let path = write(dir.path(), "cell.jsonl", format!("{row}\n"));
    let e = refused(&[&path, "--input-format", "litellm"]);
    assert!(e.contains("cell.jsonl:1: field `metadata`"), "{e}");
    assert!(e.contains("more than 56 MiB of memory"), "{e}");
    // Long text costs its length: an 8 MiB prompt logged in the row is read.
    let mut row = litellm_rows(1, "gpt-4o-mini").remove(0);
    row["messages"] = json!([{"role": "user", "content": "x".repeat(8 << 20)}]);
    let path = write(dir.path(), "long.jsonl", format!("{row}\n"));
    let r = report(&[&path, "--input-format", "litellm", "--quiet"]);
    assert_eq!(r["workloads"][0]["requests"], 1);
}

/// Tester findings on the memory budget: the old spillover key is found on a row that also
/// logs a large response (the key scan builds no tree), and realistic large rows are read.
#[test]
fn a_large_logged_response_neither_hides_spillover_nor_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 1,500 tokens of `top_logprobs` (20 each), as a gateway logs a response: about 30 MiB
    // once read as values, and not a member any reader reads.
    let top: Vec<Value> = (0..20)
        .map(|i| json!({"token": format!("t{i}"), "logprob": -0.5, "bytes": [116, 48 + i]}))
        .collect();
    let content: Vec<Value> = (0..1_500)
        .map(|i| json!({"token": format!("w{i}"), "logprob": -0.1, "bytes": [119], "top_logprobs": top}))
        .collect();
    let row = |second: u32, deployment: &str, extra: Option<&Value>| {
        let mut r = json!({
            "timestamp": format!("2026-10-01T00:00:{second:02}Z"), "deployment": deployment,
            "model": "gpt-4o", "region": "eastus2",
            "usage": {"prompt_tokens": 1000, "completion_tokens": 100},
        });
        if deployment == "std1" {
            r["x-ms-spillover-from-ptu1"] = json!("true");
        }
        if let Some(e) = extra {
            r["response"] = json!({"choices": [{"logprobs": {"content": e}}]});
        }
        r.to_string()
    };
    let big = Value::Array(content);
    let text = [
        row(0, "ptu1", None),
        row(1, "std1", None),
        row(2, "std1", Some(&big)),
        row(3, "std1", None),
    ]
    .join("\n");
    let path = write(dir.path(), "spill.jsonl", format!("{text}\n"));
    let r = report(&[&path, "--quiet"]);
    assert_eq!(r["input"]["spilled_requests"], 3);
    let workloads = r["workloads"].as_array().expect("workloads");
    assert_eq!(workloads.len(), 1, "{workloads:?}");
    assert_eq!(workloads[0]["requests"], 4);
    // `--default-region` takes a display name as the region column does.
    let r = report(&[&path, "--quiet", "--default-region", "East US 2"]);
    assert_eq!(r["workloads"][0]["region"], "eastus2");
}

/// Two Azure Monitor files with the same series name the same metric in every run (the
/// series were compared in a hash map's order).
#[test]
fn an_azure_monitor_series_read_twice_is_named_the_same_every_run() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sources");
    let (a, b) = (
        fixtures.join("azure-monitor-tokens.json"),
        fixtures.join("azure-monitor-metrics.json"),
    );
    let (a, b) = (a.display().to_string(), b.display().to_string());
    let first = refused(&[&a, &b]);
    assert!(first.contains("is already in"), "{first}");
    for _ in 0..5 {
        assert_eq!(refused(&[&a, &b]), first);
    }
}

/// Every new key of a JSON row is checked against the reader: rows that each bring a key of
/// their own stop at the 4,097th distinct key (20,000 such rows took 36 s).
#[test]
fn json_rows_with_thousands_of_distinct_keys_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::new();
    for i in 0..4_200 {
        let mut row = litellm_rows(1, "gpt-4o-mini").remove(0);
        row["request_id"] = json!(format!("r{i}"));
        if i > 0 {
            row[format!("k{i}")] = json!(1);
        }
        writeln!(text, "{row}").expect("write");
    }
    let path = write(dir.path(), "keys.jsonl", text);
    let e = refused(&[&path]);
    assert!(e.contains("more than 4096 distinct keys"), "{e}");
    // The LiteLLM rows have 16 keys; the 4,097th comes with row 4,082.
    assert!(e.contains("keys.jsonl:4082: field `k4081`"), "{e}");
}
