//! Azure Monitor platform metrics: the Metrics REST API / `az monitor metrics list -o json`
//! response, and the Log Analytics `AzureMetrics` table as exported.
//!
//! **Metrics JSON.** One or more responses (a document, or one per line), each with an
//! `interval` (`PT1M`, `PT1H` or `P1D`) and `value[]` metrics whose `timeseries[]` carry
//! `metadatavalues` (dimensions; names matched without regard to case, as the REST API writes
//! them lower-cased) and `data[]` points. Tokens come from `ProcessedPromptTokens` and
//! `GeneratedTokens` (model in the `FeatureName` dimension) or, where those are absent,
//! `InputTokens` and `OutputTokens` (model in `ModelName`); never both for one bucket (that
//! would count tokens twice). Requests come from `AzureOpenAIRequests`, split by `StatusCode`
//! (and `IsSpillover`, counted as served). A point without `total` is "no data", not zero.
//! Buckets are per deployment (`ModelDeploymentName`); a series without that dimension is
//! resource-level, deployment `*`. Metrics carry no cached-token count on Standard
//! deployments and no reasoning split: all prompt tokens are taken as uncached and reasoning
//! as 0 (a note says so).
//!
//! **`AzureMetrics` rows** (Log Analytics, via diagnostic settings): `TimeGenerated`,
//! `MetricName`, `Total`, `Resource`/`_ResourceId`. Diagnostic-settings export drops
//! dimensions, so these are resource-level minutes: deployment `*` (name its model with
//! `--model-map '*=MODEL'`).

use std::collections::BTreeMap;
use std::io::Read;

use serde::Deserialize;

use super::table::{document_rows, MAX_JSON_DOCUMENT_BYTES};
use super::{Out, Row, RowSource};
use crate::usage::aggregate::{BucketAggregate, Granularity};
use crate::usage::detect::{Container, OpenedInput};
use crate::usage::{FieldProblem, UsageError};

/// The deployment name of resource-level metrics.
pub const ALL_DEPLOYMENTS: &str = "*";

#[derive(Deserialize)]
struct Response {
    #[serde(default)]
    interval: Option<String>,
    #[serde(default, alias = "resourceRegion")]
    resourceregion: Option<String>,
    #[serde(default)]
    value: Vec<Metric>,
}

#[derive(Deserialize)]
struct Metric {
    name: Name,
    #[serde(default, alias = "timeSeries")]
    timeseries: Vec<Series>,
}

#[derive(Deserialize)]
struct Name {
    value: String,
}

#[derive(Deserialize)]
struct Series {
    #[serde(default, alias = "metadataValues")]
    metadatavalues: Vec<Dimension>,
    #[serde(default)]
    data: Vec<Point>,
}

#[derive(Deserialize)]
struct Dimension {
    name: Name,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Deserialize)]
struct Point {
    #[serde(rename = "timeStamp", alias = "timestamp", alias = "TimeStamp")]
    time_stamp: String,
    #[serde(default)]
    total: Option<f64>,
}

/// One bucket of one deployment, as the metrics give it.
#[derive(Debug, Default, Clone)]
pub struct MetricBucket {
    /// Where it was read (for messages).
    pub line: u64,
    /// Model (FeatureName or ModelName), if a dimension named it.
    pub model: Option<String>,
    /// Region, if a dimension or the response named it.
    pub region: Option<String>,
    prompt: Option<u64>,
    completion: Option<u64>,
    input: Option<u64>,
    output: Option<u64>,
    /// Requests per status (`None` = no requests metric for this bucket).
    statuses: Option<BTreeMap<u16, u64>>,
    spilled: u64,
}

impl MetricBucket {
    /// The bucket as an aggregate: tokens from the first metric family present.
    pub fn to_aggregate(&self, start_ms: i64, g: Granularity) -> BucketAggregate {
        let mut agg = BucketAggregate::new(start_ms, g);
        let (p, c) = if self.prompt.is_some() || self.completion.is_some() {
            (self.prompt, self.completion)
        } else {
            (self.input, self.output)
        };
        agg.prompt_tokens = p.unwrap_or(0);
        agg.completion_tokens = c.unwrap_or(0);
        if let Some(statuses) = &self.statuses {
            agg.requests = Some(statuses.values().sum());
            agg.failed = statuses
                .iter()
                .filter(|(s, n)| !(200..300).contains(*s) && **n > 0)
                .map(|(s, n)| (*s, *n))
                .collect();
        }
        agg
    }

    fn both_families(&self) -> bool {
        (self.prompt.is_some() || self.completion.is_some())
            && (self.input.is_some() || self.output.is_some())
    }
}

/// Buckets keyed by (deployment, bucket start ms), with their nominal granularity.
#[derive(Debug, Default)]
pub struct MetricBuckets {
    /// The buckets.
    pub buckets: BTreeMap<(String, i64), MetricBucket>,
    /// Their granularity (the coarsest seen).
    pub granularity: Granularity,
    /// Notes for the report.
    pub notes: Vec<String>,
}

impl MetricBuckets {
    /// Add another input's buckets (metrics of one bucket may come in several files).
    pub fn absorb(&mut self, other: MetricBuckets) {
        self.granularity = self.granularity.max(other.granularity);
        for n in other.notes {
            if !self.notes.contains(&n) {
                self.notes.push(n);
            }
        }
        for (key, b) in other.buckets {
            let mine = self.buckets.entry(key).or_default();
            let add = |a: &mut Option<u64>, b: Option<u64>| {
                if let Some(b) = b {
                    *a = Some(a.unwrap_or(0).saturating_add(b));
                }
            };
            add(&mut mine.prompt, b.prompt);
            add(&mut mine.completion, b.completion);
            add(&mut mine.input, b.input);
            add(&mut mine.output, b.output);
            if let Some(s) = b.statuses {
                let m = mine.statuses.get_or_insert_with(BTreeMap::new);
                for (code, n) in s {
                    *m.entry(code).or_insert(0) += n;
                }
            }
            mine.spilled += b.spilled;
            if mine.line == 0 {
                mine.line = b.line;
            }
            mine.model = mine.model.take().or(b.model);
            mine.region = mine.region.take().or(b.region);
        }
    }
}

/// Read Azure Monitor metrics responses and replay their buckets.
pub fn read_metrics(input: OpenedInput, out: &mut Out<'_>) -> Result<(), UsageError> {
    let buckets = load_metrics(input)?;
    emit_buckets(&buckets, out, |_| false)
}

/// Replay `buckets` (those `skip` leaves) as aggregates through `out`.
pub fn emit_buckets(
    buckets: &MetricBuckets,
    out: &mut Out<'_>,
    skip: impl Fn(&(String, i64)) -> bool,
) -> Result<(), UsageError> {
    for n in &buckets.notes {
        out.summary.note(n.clone());
    }
    let mut both = 0u64;
    for (key, b) in &buckets.buckets {
        if skip(key) {
            continue;
        }
        both += u64::from(b.both_families());
        let agg = b.to_aggregate(key.1, buckets.granularity);
        let k = [
            key.0.as_str(),
            b.model.as_deref().unwrap_or(""),
            b.region.as_deref().unwrap_or(""),
        ];
        out.aggregate(b.line, k, Ok(agg))?;
    }
    if both > 0 {
        out.summary.note(format!(
            "{both} metric bucket(s) had both ProcessedPromptTokens/GeneratedTokens and InputTokens/OutputTokens; the first pair was used (the same tokens are not counted twice)"
        ));
    }
    out.summary.note(
        "Azure Monitor metrics carry no cached-token count (Standard) and no reasoning split: all prompt tokens are priced as uncached and reasoning is 0",
    );
    Ok(())
}

/// Read every metrics response of an input into buckets.
pub fn load_metrics(input: OpenedInput) -> Result<MetricBuckets, UsageError> {
    let path = input.name.clone();
    let mut bytes = Vec::new();
    input
        .reader
        .take(MAX_JSON_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| UsageError::Io {
            path: path.clone(),
            source,
        })?;
    if bytes.len() as u64 > MAX_JSON_DOCUMENT_BYTES {
        return Err(UsageError::File {
            path,
            message: "metrics responses over 1 GiB: fetch shorter time spans per file".to_owned(),
        });
    }
    let docs: Vec<(u64, serde_json::Value)> = match input.container {
        Container::JsonLines => {
            let mut docs = Vec::new();
            for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
                let line = line.trim_ascii();
                if line.is_empty() {
                    continue;
                }
                let v = serde_json::from_slice(line).map_err(|e| UsageError::Field {
                    path: path.clone(),
                    line: i as u64 + 1,
                    field: "json".to_owned(),
                    message: format!("invalid JSON: {e}"),
                })?;
                docs.push((i as u64 + 1, v));
            }
            docs
        }
        _ => {
            let v = serde_json::from_slice::<serde_json::Value>(
                bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes),
            );
            match v {
                Ok(v) => vec![(1, v)],
                Err(_) => document_rows(&bytes, &path)?,
            }
        }
    };
    let mut out = MetricBuckets::default();
    for (line, doc) in docs {
        let docs = match doc {
            serde_json::Value::Array(items) => items,
            other => vec![other],
        };
        for doc in docs {
            let response: Response =
                serde_json::from_value(doc).map_err(|e| UsageError::Field {
                    path: path.clone(),
                    line,
                    field: "value".to_owned(),
                    message: format!("not an Azure Monitor metrics response: {e}"),
                })?;
            add_response(&mut out, response, line).map_err(|p| UsageError::Field {
                path: path.clone(),
                line,
                field: p.field.to_owned(),
                message: p.message,
            })?;
        }
    }
    if out.buckets.is_empty() {
        return Err(UsageError::File {
            path,
            message: "no metric data points with a `total` (request ProcessedPromptTokens, GeneratedTokens and AzureOpenAIRequests with --aggregation Total)".to_owned(),
        });
    }
    Ok(out)
}

fn interval_of(text: Option<&str>) -> Result<Granularity, FieldProblem> {
    let text = text.unwrap_or("PT1M");
    match Granularity::parse_bucket(text) {
        Some(g @ (Granularity::Minute | Granularity::Hour | Granularity::Day)) => Ok(g),
        _ => Err(FieldProblem::new(
            "interval",
            format!("interval `{text}` is not read; fetch with --interval PT1M (or PT1H, P1D)"),
        )),
    }
}

fn dimension<'a>(dims: &'a [Dimension], name: &str) -> Option<&'a str> {
    dims.iter()
        .find(|d| d.name.value.eq_ignore_ascii_case(name))
        .and_then(|d| d.value.as_deref())
        .filter(|v| !v.trim().is_empty())
}

fn add_response(out: &mut MetricBuckets, r: Response, line: u64) -> Result<(), FieldProblem> {
    let g = interval_of(r.interval.as_deref())?;
    out.granularity = out.granularity.max(g);
    for metric in r.value {
        let name = metric.name.value.to_ascii_lowercase();
        for series in metric.timeseries {
            let dims = &series.metadatavalues;
            let deployment = dimension(dims, "ModelDeploymentName");
            if deployment.is_none() {
                let note = "metrics not split by ModelDeploymentName are resource-level: replayed as deployment `*` (add --filter \"ModelDeploymentName eq '*'\")".to_owned();
                if !out.notes.contains(&note) {
                    out.notes.push(note);
                }
            }
            let deployment = deployment.unwrap_or(ALL_DEPLOYMENTS).to_owned();
            let model = dimension(dims, "FeatureName").or_else(|| dimension(dims, "ModelName"));
            let region = dimension(dims, "Region").or(r.resourceregion.as_deref());
            let status = dimension(dims, "StatusCode");
            let spill =
                dimension(dims, "IsSpillover").is_some_and(|v| v.eq_ignore_ascii_case("true"));
            for p in &series.data {
                let Some(total) = p.total else {
                    continue;
                };
                let ms = crate::usage::fields::parse_timestamp_ms(p.time_stamp.as_bytes())
                    .map_err(|m| FieldProblem::new("timeStamp", m))?;
                let count = whole(total, &metric.name.value)?;
                let b = out.buckets.entry((deployment.clone(), ms)).or_default();
                if b.line == 0 {
                    b.line = line;
                }
                if b.model.is_none() {
                    b.model = model.map(str::to_owned);
                }
                if b.region.is_none() {
                    b.region = region.map(str::to_owned);
                }
                let add =
                    |slot: &mut Option<u64>| *slot = Some(slot.unwrap_or(0).saturating_add(count));
                match name.as_str() {
                    "processedprompttokens" => add(&mut b.prompt),
                    "generatedtokens" => add(&mut b.completion),
                    "inputtokens" => add(&mut b.input),
                    "outputtokens" => add(&mut b.output),
                    "azureopenairequests" => {
                        let code = match status {
                            Some(s) => s
                                .trim()
                                .parse::<u16>()
                                .ok()
                                .filter(|c| (100..=599).contains(c))
                                .ok_or_else(|| {
                                    FieldProblem::new(
                                        "StatusCode",
                                        format!("`{s}` is not an HTTP status"),
                                    )
                                })?,
                            None => 200,
                        };
                        let statuses = b.statuses.get_or_insert_with(BTreeMap::new);
                        let n = statuses.entry(code).or_insert(0);
                        *n = n.saturating_add(count);
                        if spill {
                            b.spilled = b.spilled.saturating_add(count);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let spilled: u64 = out.buckets.values().map(|b| b.spilled).sum();
    let note = format!("{spilled} request(s) were marked IsSpillover (served by the spillover deployment); they count as served demand");
    if spilled > 0 {
        out.notes.retain(|n| !n.contains("IsSpillover (served"));
        out.notes.push(note);
    }
    Ok(())
}

fn whole(total: f64, metric: &str) -> Result<u64, FieldProblem> {
    if !total.is_finite() || !(0.0..=1.8e19).contains(&total) {
        return Err(FieldProblem::new(
            "total",
            format!("{metric} total `{total}` is not a count"),
        ));
    }
    Ok(total.round() as u64)
}

/// Log Analytics `AzureMetrics` rows: summed per resource and minute, replayed at the end.
#[derive(Default)]
pub struct AzureMetricsRows {
    buckets: BTreeMap<(String, i64), (u64, Granularity, MetricBucket)>,
}

impl RowSource for AzureMetricsRows {
    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), UsageError> {
        match self.add(row) {
            Ok(()) => Ok(()),
            Err(p) => out.problem(row.line, p),
        }
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Result<(), UsageError> {
        out.summary.note(
            "AzureMetrics (Log Analytics) minutes are resource-level (diagnostic settings drop dimensions): replayed as deployment `*`",
        );
        for ((_, start), (line, g, b)) in std::mem::take(&mut self.buckets) {
            let agg = b.to_aggregate(start, g);
            out.aggregate(line, [ALL_DEPLOYMENTS, "", ""], Ok(agg))?;
        }
        Ok(())
    }
}

impl AzureMetricsRows {
    fn add(&mut self, row: &Row<'_>) -> Result<(), FieldProblem> {
        let time = row
            .get(&["timegenerated [utc]", "timegenerated", "timestamp"])
            .timestamp_ms("TimeGenerated")?
            .ok_or_else(|| FieldProblem::new("TimeGenerated", "empty"))?;
        let metric = row
            .get(&["metricname"])
            .text("MetricName")?
            .ok_or_else(|| FieldProblem::new("MetricName", "empty"))?
            .to_ascii_lowercase();
        let Some(total) = row.get(&["total"]).number("Total")? else {
            return Ok(());
        };
        let g = match row.get(&["timegrain"]).text("TimeGrain")? {
            Some(t) => Granularity::parse_bucket(&t)
                .filter(|g| *g >= Granularity::Minute)
                .ok_or_else(|| {
                    FieldProblem::new("TimeGrain", format!("`{t}` is not PT1M, PT1H or P1D"))
                })?,
            None => Granularity::Minute,
        };
        let resource = row
            .get(&["_resourceid", "resourceid", "resource"])
            .text("Resource")?
            .map(|r| r.to_ascii_lowercase())
            .unwrap_or_default();
        let count = whole(total, &metric)?;
        let entry = self
            .buckets
            .entry((resource, time))
            .or_insert_with(|| (row.line, g, MetricBucket::default()));
        let b = &mut entry.2;
        let add = |slot: &mut Option<u64>| *slot = Some(slot.unwrap_or(0).saturating_add(count));
        match metric.as_str() {
            "processedprompttokens" => add(&mut b.prompt),
            "generatedtokens" => add(&mut b.completion),
            "inputtokens" => add(&mut b.input),
            "outputtokens" => add(&mut b.output),
            "azureopenairequests" => {
                let n = b
                    .statuses
                    .get_or_insert_with(BTreeMap::new)
                    .entry(200)
                    .or_insert(0);
                *n = n.saturating_add(count);
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_without_total_is_no_data() {
        let doc = serde_json::json!({
            "interval": "PT1M",
            "value": [{"name": {"value": "ProcessedPromptTokens"}, "timeseries": [{
                "metadatavalues": [{"name": {"value": "modeldeploymentname"}, "value": "chat"},
                                   {"name": {"value": "featurename"}, "value": "gpt-5"}],
                "data": [{"timeStamp": "2026-01-05T00:00:00Z", "total": 100.0},
                         {"timeStamp": "2026-01-05T00:01:00Z"}]}]}]
        });
        let mut out = MetricBuckets::default();
        add_response(&mut out, serde_json::from_value(doc).expect("shape"), 1).expect("adds");
        assert_eq!(out.buckets.len(), 1);
        let b = out.buckets.values().next().expect("one");
        assert_eq!(b.model.as_deref(), Some("gpt-5"));
        let agg = b.to_aggregate(0, Granularity::Minute);
        assert_eq!(agg.prompt_tokens, 100);
        assert_eq!(agg.requests, None);
    }
}
