//! Azure OpenAI `RequestResponse` diagnostic records (storage `PT1H.json` lines, Event Hub, or
//! Log Analytics `AzureDiagnostics` with `properties_s`), joined with Azure Monitor token
//! metrics to rebuild requests with real arrivals.
//!
//! The records carry arrival time, status and duration but **no tokens**. Given metrics for
//! the same span and deployments, every completion record becomes one request:
//! - arrival: `properties.requestTime` (.NET ticks), else `time - durationMs` (the record
//!   `time` is about the end of the call);
//! - status: `resultSignature`; latency: `durationMs` for non-streaming calls only (for
//!   streaming ones it is the time to the first bytes, not the whole answer);
//! - tokens: **assumption** — the bucket's (minute's) prompt and completion tokens are shared
//!   evenly by that deployment's successful records in the bucket (remainders in rotation, so
//!   the sums, and every per-token cost, are exact). Request sizes inside a minute are lost:
//!   a minute of one huge and nine tiny calls replays as ten equal ones.
//!
//! Buckets with tokens but no records replay as aggregates (Poisson arrivals); records in
//! buckets without token metrics replay with no tokens (a note counts them). Records of other
//! operations (`Embeddings_Create`, ...) are counted and left out.

use std::collections::{BTreeMap, BTreeSet};

use super::azure_monitor::{BucketKey, MetricBuckets};
use super::table;
use super::{Out, Row};
use crate::usage::aggregate::{token_share, Granularity};
use crate::usage::detect::{open_input, InputFormat, InputSource, InputSpec};
use crate::usage::{FieldProblem, RowValues, UsageError};

/// .NET ticks of the Unix epoch.
const EPOCH_TICKS: i64 = 621_355_968_000_000_000;

/// The error for diagnostic records read without token metrics.
pub fn without_metrics(name: &str) -> UsageError {
    UsageError::Field {
        path: name.to_owned(),
        line: 1,
        field: "usage".to_owned(),
        message: "this is an Azure Monitor `RequestResponse` diagnostic record: it has arrival time, status and latency but no token counts; \
                  pass the same span's token metrics too (`az monitor metrics list ... -o json`, see docs/inputs.md, \"Getting your data in\") and ptuplan rebuilds requests from both"
            .to_owned(),
    }
}

/// One diagnostic record, as needed for the join.
struct Record {
    arrival_ms: i64,
    deployment: String,
    model: Option<String>,
    region: Option<String>,
    status: Option<u16>,
    latency_ms: Option<u64>,
    completion_call: bool,
}

fn parse(row: &Row<'_>) -> Result<Record, FieldProblem> {
    let props_cell = row.get(&["properties", "properties_s"]);
    let props = props_cell.json("properties")?;
    let prop = |key: &str| -> Option<serde_json::Value> {
        props.as_deref().and_then(|p| {
            p.as_object()?
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.clone())
        })
    };
    let prop_text = |key: &str| {
        prop(key)
            .and_then(|v| v.as_str().map(str::to_owned))
            .filter(|s| !s.is_empty())
    };
    let duration = row.get(&["durationms"]).count("durationMs")?;
    let end = row
        .get(&["time", "timegenerated [utc]", "timegenerated"])
        .timestamp_ms("time")?;
    let ticks = prop("requestTime").and_then(|v| v.as_i64());
    let arrival_ms = match (ticks, end) {
        (Some(t), _) if t > EPOCH_TICKS => (t - EPOCH_TICKS) / 10_000,
        (_, Some(end)) => end - duration.unwrap_or(0) as i64,
        _ => {
            return Err(FieldProblem::new(
                "time",
                "missing (need `time` or properties.requestTime)",
            ))
        }
    };
    let deployment = prop_text("modelDeploymentName")
        .ok_or_else(|| FieldProblem::new("properties.modelDeploymentName", "missing"))?;
    let streaming = prop_text("streamType").is_some_and(|s| s.eq_ignore_ascii_case("streaming"));
    let operation = row
        .get(&["operationname"])
        .text("operationName")?
        .unwrap_or_default()
        .to_ascii_lowercase();
    Ok(Record {
        arrival_ms,
        deployment,
        model: prop_text("modelName"),
        region: row
            .get(&["location"])
            .text("location")?
            .map(|s| s.into_owned()),
        status: row.get(&["resultsignature"]).status("resultSignature")?,
        latency_ms: if streaming { None } else { duration },
        completion_call: operation.is_empty()
            || operation.contains("completion")
            || operation.contains("response"),
    })
}

/// Read `diagnostics` (files), apportioning `metrics`' tokens to their records; then replay
/// the metric buckets no record took the tokens of.
///
/// A bucket whose metrics hold tokens but which has no successful record (its only records
/// are 429s, say) keeps its tokens: it replays from the metrics, whose request counts already
/// hold those failures (or, without a requests metric, the failed records are added as they
/// are). A bucket with records but no tokens keeps its records.
pub fn read_with_metrics(
    diagnostics: &[InputSpec],
    metrics: &MetricBuckets,
    out: &mut Out<'_>,
) -> Result<(), UsageError> {
    let mut intervals: Vec<Granularity> = metrics.buckets.values().map(|b| b.granularity).collect();
    intervals.sort();
    intervals.dedup();
    // Deployment-level buckets by lower-case deployment and start.
    let lower: BTreeMap<(String, i64), BucketKey> = metrics
        .buckets
        .keys()
        .filter(|(d, m, _)| d.as_ref() != super::azure_monitor::ALL_DEPLOYMENTS && m.is_empty())
        .map(|k| ((k.0.to_ascii_lowercase(), k.2), k.clone()))
        .collect();
    let bucket_of = |r: &Record| -> Option<&BucketKey> {
        let d = r.deployment.to_ascii_lowercase();
        intervals.iter().find_map(|g| {
            let ms = g.bucket_ms().unwrap_or(60_000);
            let key = lower.get(&(d.clone(), r.arrival_ms.div_euclid(ms) * ms))?;
            (metrics.buckets.get(key)?.granularity == *g).then_some(key)
        })
    };
    // Pass 1: successful completion records per bucket.
    let mut counts: BTreeMap<BucketKey, u64> = BTreeMap::new();
    for spec in diagnostics {
        if spec.source == InputSource::Stdin {
            return Err(UsageError::File {
                path: "-".to_owned(),
                message: "RequestResponse logs are read twice to share tokens: pass them as files, not stdin".to_owned(),
            });
        }
        for_each_record(spec, |_, rec| {
            if let Ok(r) = rec {
                if r.completion_call && r.status.is_none_or(|s| (200..300).contains(&s)) {
                    if let Some(b) = bucket_of(&r) {
                        *counts.entry(b.clone()).or_insert(0) += 1;
                    }
                }
            }
            Ok(())
        })?;
    }
    // Pass 2: emit.
    let mut seen: BTreeMap<BucketKey, u64> = BTreeMap::new();
    let mut used: BTreeSet<BucketKey> = BTreeSet::new();
    let (mut other_ops, mut without_tokens, mut folded) = (0u64, 0u64, 0u64);
    for spec in diagnostics {
        let name = spec.source.name();
        out.path = name.clone();
        for_each_record(spec, |line, rec| {
            let r = match rec {
                Ok(r) => r,
                Err(p) => return out.problem(line, p),
            };
            if !r.completion_call {
                other_ops += 1;
                return Ok(());
            }
            let metric = bucket_of(&r).and_then(|k| metrics.buckets.get(k).map(|m| (k, m)));
            let ok = r.status.is_none_or(|s| (200..300).contains(&s));
            let (tokens, model, region) = match metric {
                Some((key, m)) => {
                    let successes = counts.get(key).copied().unwrap_or(0);
                    let agg = m.to_aggregate(key.2);
                    let has_tokens = agg.prompt_tokens > 0 || agg.completion_tokens > 0;
                    if successes == 0 && has_tokens {
                        // The bucket replays from its metrics, tokens and all.
                        if m.has_requests() {
                            folded += 1;
                            return Ok(());
                        }
                    } else {
                        used.insert(key.clone());
                    }
                    let tokens = if ok && successes > 0 {
                        let i = seen.entry(key.clone()).or_insert(0);
                        let share = token_share(&agg, successes, *i);
                        *i += 1;
                        share
                    } else {
                        [0; 5]
                    };
                    (
                        tokens,
                        m.model.as_deref().map(str::to_owned).or(r.model.clone()),
                        m.region.as_deref().map(str::to_owned).or(r.region.clone()),
                    )
                }
                None => {
                    without_tokens += 1;
                    ([0; 5], r.model.clone(), r.region.clone())
                }
            };
            let values = RowValues {
                timestamp_ms: Some(r.arrival_ms),
                prompt_tokens: Some(tokens[0]),
                cached_tokens: Some(tokens[1]),
                cache_write_tokens: Some(tokens[2]),
                completion_tokens: Some(tokens[3]),
                reasoning_tokens: Some(tokens[4]),
                max_completion_tokens: None,
                status: r.status,
                latency_ms: r.latency_ms,
            };
            let key = [
                r.deployment.as_str(),
                model.as_deref().unwrap_or(""),
                region.as_deref().unwrap_or(""),
            ];
            out.request(line, key, Ok(values))
        })?;
    }
    for key in &used {
        if let Some(b) = metrics.buckets.get(key) {
            out.set_granularity(b.granularity);
            let length = b.granularity.bucket_ms().unwrap_or(60_000);
            out.cover(key.2, key.2 + length);
        }
    }
    let g = metrics.granularity;
    out.summary.note(format!(
        "requests rebuilt from RequestResponse records (real arrival times) with each {}'s metric tokens shared evenly among its successful records: request sizes inside {} are averages",
        g.as_str(),
        g.with_article()
    ));
    if other_ops > 0 {
        out.summary.note(format!(
            "{other_ops} RequestResponse record(s) of other operations (embeddings, ...) left out"
        ));
    }
    if without_tokens > 0 {
        out.summary.note(format!(
            "{without_tokens} RequestResponse record(s) fell in buckets without token metrics and replay with no tokens"
        ));
    }
    if folded > 0 {
        out.summary.note(format!(
            "{folded} failed RequestResponse record(s) fell in buckets whose metrics hold tokens but no successful record: those buckets replay from their metrics (tokens and request counts, these failures included)"
        ));
    }
    super::azure_monitor::emit_buckets(metrics, out, |k| used.contains(k))
}

fn for_each_record(
    spec: &InputSpec,
    mut f: impl FnMut(u64, Result<Record, FieldProblem>) -> Result<(), UsageError>,
) -> Result<(), UsageError> {
    let opened = open_input(spec)?;
    let mut t = table::open(opened, InputFormat::AzureDiagnostics)?;
    while let Some(row) = t.next_row()? {
        let line = row.line;
        f(line, parse(&row))?;
    }
    Ok(())
}
