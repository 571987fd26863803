//! Entry points for fuzzing every parser: the cargo-fuzz targets in `fuzz/fuzz_targets/` call
//! [`run`] with libFuzzer's bytes, and `cargo test` runs the same entry points on generated
//! inputs (proptest, a bounded number of cases). Each entry point panics only when an
//! invariant breaks, never on bad input:
//!
//! - usage logs, one target per reader (`csv`, `jsonl`, `aggregate`, `azure_monitor`,
//!   `azure_metrics`, `azure_diagnostics` (beside fixed metrics), `apim`, `litellm`,
//!   `openai_usage`, `langfuse`, `columns`, `parquet`, and `detect` for an input whose format is
//!   detected): reading never panics, and one thread and three give the same records, totals,
//!   minutes, span and errors;
//! - YAML files (`catalog`, `overrides`, `prices`): whatever loads has only sane figures
//!   ([`crate::catalog::sanity`]): finite, positive, within their bounds unless marked.
//!
//! A new parser gets a line in [`TARGETS`] and a copy of a 10-line file in `fuzz/fuzz_targets/`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use crate::catalog::overrides::Overrides;
use crate::catalog::prices::{layer_prices, load_prices_file};
use crate::catalog::sanity::{self, Figure};
use crate::catalog::{load_catalog, Catalog, CatalogSource};
use crate::sim::{CatalogAccounting, EventSpool, Replay, WorkloadTotals};
use crate::usage::{
    read_usage, InputFormat, InputSource, InputSpec, ReadOptions, WorkloadKey, WorkloadRegistry,
};

/// A fuzzed entry point: bytes in, a panic only when an invariant breaks.
pub type EntryPoint = fn(&[u8]);

/// Every fuzzed entry point: its name (the cargo-fuzz target) and the function.
pub const TARGETS: &[(&str, EntryPoint)] = &[
    ("csv", csv),
    ("jsonl", jsonl),
    ("aggregate", aggregate),
    ("azure_monitor", azure_monitor),
    ("azure_metrics", azure_metrics),
    ("azure_diagnostics", azure_diagnostics),
    ("apim", apim),
    ("litellm", litellm),
    ("openai_usage", openai_usage),
    ("langfuse", langfuse),
    ("columns", columns),
    ("parquet", parquet),
    ("detect", detect),
    ("catalog", catalog),
    ("overrides", overrides),
    ("prices", prices),
];

/// Run the entry point `name` on `data`.
pub fn run(name: &str, data: &[u8]) {
    let (_, f) = TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no fuzz target `{name}`"));
    f(data);
}

fn embedded() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG
        .get_or_init(|| load_catalog(&CatalogSource::Embedded).expect("the bundled catalog loads"))
}

/// Entry points that read `data` as a usage log file named `$file` in format `$format`.
macro_rules! usage_log_targets {
    ($($(#[doc = $doc:literal])* $name:ident: $format:expr, $file:literal;)*) => {
        $(
            $(#[doc = $doc])*
            pub fn $name(data: &[u8]) {
                usage_log($format, $file, data);
            }
        )*
    };
}

usage_log_targets! {
    /// A CSV usage log.
    csv: Some(InputFormat::Csv), "log.csv";
    /// A JSON Lines usage log.
    jsonl: Some(InputFormat::Jsonl), "log.jsonl";
    /// A per-bucket aggregate (CSV, JSON or Parquet).
    aggregate: Some(InputFormat::Aggregate), "agg.csv";
    /// Azure Monitor metrics responses.
    azure_monitor: Some(InputFormat::AzureMonitor), "metrics.json";
    /// A Log Analytics `AzureMetrics` export.
    azure_metrics: Some(InputFormat::AzureMetrics), "azuremetrics.csv";
    /// An APIM `ApiManagementGatewayLlmLog` export.
    apim: Some(InputFormat::Apim), "apim.csv";
    /// LiteLLM spend logs.
    litellm: Some(InputFormat::LiteLlm), "spend.csv";
    /// OpenAI Usage API pages.
    openai_usage: Some(InputFormat::OpenAiUsage), "usage.json";
    /// A Langfuse observations export.
    langfuse: Some(InputFormat::Langfuse), "observations.jsonl";
    /// Any table through the column reader (ptuplan's, Azure's, APIM's or LiteLLM's spellings).
    columns: Some(InputFormat::Columns), "table.csv";
    /// A Parquet file (the shape is read from its schema).
    parquet: Some(InputFormat::Parquet), "table.parquet";
    /// An input whose format is detected from its content.
    detect: None, "input";
}

/// Metrics every diagnostics input is read beside (one deployment, three minutes).
const DIAGNOSTICS_METRICS: &str = r#"{"interval": "PT1M", "resourceregion": "eastus2", "value": [
 {"name": {"value": "ProcessedPromptTokens"}, "timeseries": [{"metadatavalues": [
   {"name": {"value": "modeldeploymentname"}, "value": "chat"}, {"name": {"value": "featurename"}, "value": "gpt-4o"}],
   "data": [{"timeStamp": "2026-03-01T10:00:00Z", "total": 9000}, {"timeStamp": "2026-03-01T10:01:00Z", "total": 3000},
            {"timeStamp": "2026-03-01T10:02:00Z"}]}]},
 {"name": {"value": "AzureOpenAIRequests"}, "timeseries": [{"metadatavalues": [
   {"name": {"value": "modeldeploymentname"}, "value": "chat"}, {"name": {"value": "statuscode"}, "value": "200"}],
   "data": [{"timeStamp": "2026-03-01T10:00:00Z", "total": 3}, {"timeStamp": "2026-03-01T10:01:00Z", "total": 1}]}]}]}"#;

/// Azure `RequestResponse` diagnostic records, joined with fixed metrics.
pub fn azure_diagnostics(data: &[u8]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let metrics = dir.path().join("metrics.json");
    std::fs::write(&metrics, DIAGNOSTICS_METRICS).expect("write");
    let diagnostics = dir.path().join("PT1H.json");
    std::fs::write(&diagnostics, data).expect("write");
    let inputs = [
        (metrics, Some(InputFormat::AzureMonitor)),
        (diagnostics, Some(InputFormat::AzureDiagnostics)),
    ];
    compare_thread_counts(&inputs);
}

/// What one read produced, keyed by workload name (ids depend on thread timing).
type Outcome = Result<
    (
        u64,
        u64,
        Vec<String>,
        i64,
        i64,
        BTreeMap<WorkloadKey, (WorkloadTotals, usize)>,
    ),
    String,
>;

fn read_once(
    files: &[(PathBuf, Option<InputFormat>)],
    threads: usize,
    skip_invalid: bool,
) -> Outcome {
    let catalog = embedded();
    let registry = WorkloadRegistry::new(catalog, BTreeMap::new(), Some("eastus2".to_owned()));
    let accounting = CatalogAccounting {
        registry: &registry,
        catalog,
    };
    let spool_dir = tempfile::tempdir().expect("temp dir");
    let mut replay = Replay::with_spool(&accounting, EventSpool::in_dir(spool_dir.path(), 7));
    let inputs: Vec<InputSpec> = files
        .iter()
        .map(|(path, format)| InputSpec {
            source: InputSource::File(path.clone()),
            format: *format,
        })
        .collect();
    let options = ReadOptions {
        skip_invalid,
        threads,
        parallel_min_bytes: 1,
        ..ReadOptions::default()
    };
    let mut read =
        read_usage(&inputs, &options, &registry, &mut replay).map_err(|e| e.to_string())?;
    let done = replay
        .finish_checked(skip_invalid)
        .map_err(|e| e.to_string())?;
    read.absorb_late_skips(done.outside_span.rows, done.outside_span.examples);
    let keys = registry.keys();
    let mut events = 0usize;
    done.events
        .for_each_all(|_| events += 1)
        .expect("spool reads back");
    let workloads = done
        .summary
        .workloads
        .iter()
        .enumerate()
        .filter(|(_, w)| w.totals != WorkloadTotals::default())
        .map(|(i, w)| {
            let key = keys.get(i).cloned().expect("every workload id has a key");
            (key, (w.totals.clone(), w.minutes.active_minutes()))
        })
        .collect();
    let requests: u64 = done
        .summary
        .workloads
        .iter()
        .map(|w| w.totals.requests)
        .sum();
    assert_eq!(
        requests as usize, events,
        "one spooled event per billed request"
    );
    Ok((
        read.records,
        read.skipped,
        read.skipped_examples,
        done.summary.first_ms,
        done.summary.last_ms,
        workloads,
    ))
}

fn usage_log(format: Option<InputFormat>, name: &str, data: &[u8]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, data).expect("write");
    compare_thread_counts(&[(path, format)]);
}

fn compare_thread_counts(files: &[(PathBuf, Option<InputFormat>)]) {
    for skip_invalid in [false, true] {
        let one = read_once(files, 1, skip_invalid);
        let three = read_once(files, 3, skip_invalid);
        assert_eq!(
            one, three,
            "1 and 3 threads differ (skip_invalid {skip_invalid})"
        );
    }
}

/// Panic unless every figure of `c` is finite, positive and within its sanity bound (or, for
/// prices, marked `accept_outlier`).
pub fn assert_sane(c: &Catalog) {
    let ok = |v: f64, kind: Figure, accepted: Option<&str>| {
        sanity::check("", "", v, kind, accepted).is_none()
    };
    for p in &c.token_prices {
        let a = p.accept_outlier.as_deref();
        let long = p.long_context.iter().flat_map(|l| l.named());
        for (_, v) in p.short_context().named().into_iter().chain(long) {
            assert!(ok(v, Figure::UsdPer1mTokens, a), "token price {v} of {p:?}");
        }
    }
    for p in &c.ptu_prices {
        let a = p.accept_outlier.as_deref();
        for (v, k) in [
            (p.usd_per_ptu_hour, Figure::UsdPerPtuHour),
            (p.reservation_1_month_usd_per_ptu, Figure::UsdPerPtuMonth),
            (p.reservation_1_year_usd_per_ptu, Figure::UsdPerPtuYear),
        ] {
            assert!(ok(v, k, a), "PTU price {v} of {p:?}");
        }
    }
    for m in c.models.values() {
        if let Some(ptu) = &m.ptu {
            let ratio = ptu
                .output_to_input_ratio
                .map(|r| (r, Figure::OutputToInputRatio));
            for (v, k) in [
                (ptu.input_tpm_per_ptu, Figure::InputTpmPerPtu),
                (
                    ptu.latency_target_tokens_per_s,
                    Figure::LatencyTargetTokensPerS,
                ),
            ]
            .into_iter()
            .chain(ratio)
            {
                assert!(ok(v, k, None), "{} capacity figure {v}", m.id);
            }
        }
    }
}

/// The catalog files as built in.
pub const CATALOG_TEXTS: [(&str, &str); 6] = [
    (
        "deployment_types.yaml",
        include_str!("../data/deployment_types.yaml"),
    ),
    ("models.yaml", include_str!("../data/models.yaml")),
    ("pricing.yaml", include_str!("../data/pricing.yaml")),
    ("regions.yaml", include_str!("../data/regions.yaml")),
    ("standard.yaml", include_str!("../data/standard.yaml")),
    ("network.yaml", include_str!("../data/network.yaml")),
];

/// A catalog directory where one file (chosen by the first byte) is the input.
pub fn catalog(data: &[u8]) {
    let Some((&which, text)) = data.split_first() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let replaced = usize::from(which) % CATALOG_TEXTS.len();
    for (i, (name, builtin)) in CATALOG_TEXTS.iter().enumerate() {
        let bytes = if i == replaced {
            text
        } else {
            builtin.as_bytes()
        };
        std::fs::write(dir.path().join(name), bytes).expect("write");
    }
    if let Ok(c) = load_catalog(&CatalogSource::Dir(dir.path().to_owned())) {
        assert_sane(&c);
    }
}

/// An `--overrides` file, applied to the built-in catalog.
pub fn overrides(data: &[u8]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("overrides.yaml");
    std::fs::write(&path, data).expect("write");
    let Ok(o) = Overrides::load(&path) else {
        return;
    };
    let mut c = embedded().clone();
    if o.apply(&mut c).is_ok() {
        assert_sane(&c);
        if let Some(cur) = &o.currency {
            assert!(cur.per_usd.is_finite() && cur.per_usd > 0.0);
        }
    }
}

/// A `--prices` file, layered over the built-in catalog.
pub fn prices(data: &[u8]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("prices.yaml");
    std::fs::write(&path, data).expect("write");
    let Ok((file, text)) = load_prices_file(&path) else {
        return;
    };
    let mut c = embedded().clone();
    if layer_prices(&mut c, &path, &text, file).is_ok() {
        assert_sane(&c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Lines of a usage log: headers, valid rows, near-valid rows (negative, huge, stray
    /// timestamps, NUL, bad UTF-8, quotes), JSON objects, and noise.
    fn log_line() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            Just(b"timestamp,deployment,model,region,prompt_tokens,completion_tokens,cached_tokens,max_completion_tokens,status".to_vec()),
            (0u32..3000, 0u64..5000, 0u64..500).prop_map(|(m, p, c)| format!(
                "2026-03-0{}T{:02}:{:02}:00Z,d{},gpt-4o,eastus2,{p},{c},{},,", 1 + m / 1440, m / 60 % 24, m % 60, m % 3, p / 2
            ).into_bytes()),
            Just(b"1999-01-01T00:00:00Z,d0,gpt-4o,eastus2,1,1,0,,".to_vec()),
            Just(b"2026-03-01T00:00:00Z,d0,gpt-4o,eastus2,-1,1,0,,".to_vec()),
            Just(b"2026-03-01T00:00:00Z,d\xff0,gpt-4o,eastus2,1,1,0,,".to_vec()),
            Just(b"2026-03-01T00:00:00Z,d\x000,gpt-4o,eastus2,1,1,0,,".to_vec()),
            Just(b"2026-03-01T00:00:00Z,\"d,\n0\",gpt-4o,eastus2,1,1,0,,".to_vec()),
            (0u32..3000).prop_map(|m| format!(
                "{{\"timestamp\":\"2026-03-0{}T{:02}:{:02}:00Z\",\"deployment\":\"d{}\",\"model\":\"gpt-4o\",\"usage\":{{\"prompt_tokens\":{},\"completion_tokens\":1}}}}",
                1 + m / 1440, m / 60 % 24, m % 60, m % 2, m
            ).into_bytes()),
            Just(b"{\"timestamp\":\"1980-01-01T00:00:00Z\",\"model\":\"gpt-4o\",\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..24),
        ]
    }

    fn log() -> impl Strategy<Value = Vec<u8>> {
        (
            proptest::collection::vec(log_line(), 0..40),
            proptest::collection::vec(
                prop_oneof![Just(&b"\n"[..]), Just(&b"\r\n"[..]), Just(&b"\r"[..])],
                1..4,
            ),
        )
            .prop_map(|(lines, ends)| {
                let mut out = Vec::new();
                for (i, l) in lines.iter().enumerate() {
                    out.extend_from_slice(l);
                    out.extend_from_slice(ends[i % ends.len()]);
                }
                out
            })
    }

    /// A valid text with a few bytes replaced, inserted or cut away.
    fn mutated(seed: &'static str) -> impl Strategy<Value = Vec<u8>> {
        mutated_bytes(seed.as_bytes())
    }

    /// Valid bytes with a few bytes replaced, inserted or cut away.
    fn mutated_bytes(seed: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<u8>()), 0..6)
            .prop_map(move |edits| {
                let mut bytes = seed.to_vec();
                for (at, kind, b) in edits {
                    if bytes.is_empty() {
                        break;
                    }
                    let i = at.index(bytes.len());
                    match kind {
                        0 => bytes[i] = b,
                        1 => bytes.insert(i, b),
                        2 => bytes.truncate(i),
                        _ => {
                            // Replace a number with an absurd one.
                            let end = bytes[i..]
                                .iter()
                                .position(|c| *c == b'\n')
                                .map_or(bytes.len(), |e| i + e);
                            if let Some(colon) = bytes[i..end].iter().position(|c| *c == b':') {
                                bytes.splice(i + colon + 1..end, b" 1e300".iter().copied());
                            }
                        }
                    }
                }
                bytes
            })
    }

    const PRICES: &str = "as_of: 2026-05-01\nendpoint: http://127.0.0.1/x\ntoken_prices:\n  - model: gpt-4o\n    deployment_type: global-standard\n    regions: [eastus2]\n    input_usd_per_1m: 2.4\n    cached_input_usd_per_1m: 1.2\n    output_usd_per_1m: 9.6\n    source: s\n    as_of: 2026-05-01\nptu_prices:\n  - deployment_type: global-provisioned\n    regions: [eastus2]\n    usd_per_ptu_hour: 1.0\n    reservation_1_month_usd_per_ptu: 260.0\n    reservation_1_year_usd_per_ptu: 2652.0\n    source: s\n    as_of: 2026-05-01\n";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn issue_12_fuzz_csv(data in log()) {
            run("csv", &data);
        }

        #[test]
        fn issue_12_fuzz_jsonl(data in log()) {
            run("jsonl", &data);
        }
    }

    /// A valid input of each source reader's target (the test fixtures of issue 10, an Azure-
    /// style per-request table for the column reader).
    const SOURCE_SEEDS: [(&str, &[u8]); 11] = [
        ("aggregate", include_bytes!("../tests/fixtures/sources/aggregate-minute.csv")),
        ("azure_monitor", include_bytes!("../tests/fixtures/sources/azure-monitor-metrics.json")),
        ("azure_metrics", include_bytes!("../tests/fixtures/sources/azure-metrics-loganalytics.csv")),
        ("azure_diagnostics", include_bytes!("../tests/fixtures/sources/azure-requestresponse.PT1H.jsonl")),
        ("apim", include_bytes!("../tests/fixtures/sources/apim-llm-log.csv")),
        ("litellm", include_bytes!("../tests/fixtures/sources/litellm-spendlogs.csv")),
        ("openai_usage", include_bytes!("../tests/fixtures/sources/openai-usage-1h.json")),
        ("langfuse", include_bytes!("../tests/fixtures/sources/langfuse-observations.jsonl")),
        ("columns", b"TimeGenerated,DeploymentName,ModelName,Region,PromptTokens,CachedTokens,CompletionTokens,MaxTokens,StatusCode,DurationMs\n2026-03-01T10:00:00Z,chat,gpt-4o,eastus2,2000,1024,300,1000,200,800\n2026-03-01T10:00:01Z,chat,gpt-4o,eastus2,0,0,0,1000,429,12\n"),
        ("parquet", include_bytes!("../tests/fixtures/sources/aggregate-minute.parquet")),
        ("detect", include_bytes!("../tests/fixtures/sources/litellm-spendlogs.json")),
    ];

    fn source_input() -> impl Strategy<Value = (&'static str, Vec<u8>)> {
        proptest::sample::select(SOURCE_SEEDS.to_vec())
            .prop_flat_map(|(name, seed)| mutated_bytes(seed).prop_map(move |b| (name, b)))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Issue 19: a fuzz target per source reader; each reads mutated real shapes without
        /// a panic, and alike with one thread and three.
        #[test]
        fn issue_19_fuzz_source_readers((name, data) in source_input()) {
            run(name, &data);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn issue_12_fuzz_catalog(which in 0u8..4, pricing in mutated(CATALOG_TEXTS[2].1), models in mutated(CATALOG_TEXTS[1].1)) {
            let text = if which % 2 == 0 { pricing } else { models };
            let mut data = vec![if which % 2 == 0 { 2 } else { 1 }];
            data.extend(text);
            run("catalog", &data);
        }

        #[test]
        fn issue_12_fuzz_overrides(data in mutated(include_str!("../data/overrides.example.yaml"))) {
            run("overrides", &data);
        }

        #[test]
        fn issue_12_fuzz_prices(data in mutated(PRICES)) {
            run("prices", &data);
        }
    }

    /// Inputs the fuzzers found that once read differently with one thread and three: a
    /// quoted header holding a line break, blank lines before the header, and a BOM alone on
    /// the first line (cargo fuzz, `csv`).
    #[test]
    fn issue_12_found_by_fuzzing() {
        for data in [
            &b"\"time\nstamp\",model\n1,2\n"[..],
            b"\n\ntimestamp,model,region,prompt_tokens,completion_tokens\n2026-03-01T00:00:00Z,gpt-4o,eastus2,1,1\n",
            b"\xef\xbb\xbf\r-",
        ] {
            run("csv", data);
        }
    }

    #[test]
    fn every_target_runs_on_its_seed() {
        for (name, _) in TARGETS {
            run(name, b"");
        }
        for (name, seed) in SOURCE_SEEDS {
            run(name, seed);
        }
        run("prices", PRICES.as_bytes());
        run(
            "overrides",
            include_bytes!("../data/overrides.example.yaml"),
        );
        let mut pricing = vec![2];
        pricing.extend_from_slice(CATALOG_TEXTS[2].1.as_bytes());
        run("catalog", &pricing);
    }
}
