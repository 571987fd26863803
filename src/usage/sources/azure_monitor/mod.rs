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

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::sync::Arc;

use serde::Deserialize;

use super::{Out, Row, RowSource};
use crate::text::fmt_time_ms;
use crate::usage::aggregate::{BucketAggregate, Granularity};
use crate::usage::formats::Container;
use crate::usage::input::OpenedInput;
use crate::usage::ledger::{Group, Origin, Ranges};
use crate::usage::{FieldProblem, MappedColumn, UsageError};

mod parse;

pub use parse::*;

/// The deployment name of resource-level metrics.
pub const ALL_DEPLOYMENTS: &str = "*";

#[derive(Deserialize)]
struct Response {
    #[serde(default)]
    interval: Option<String>,
    #[serde(default, alias = "resourceRegion")]
    resourceregion: Option<String>,
    /// Required: a JSON object without it (an error response, another file) is no metrics
    /// response, and reading it as one with no metrics would drop it in silence.
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
    time_stamp: Stamp,
    #[serde(default)]
    total: Option<f64>,
}

/// A point's time, parsed as it is read (a response holds every point of its series until it
/// is added: a month of per-minute points is 43,200 a series); text that is no timestamp is
/// kept for the error.
enum Stamp {
    Ms(i64),
    Bad(Box<str>),
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = Stamp;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a timestamp")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Stamp, E> {
                Ok(
                    match crate::usage::timestamps::parse_timestamp_ms(text.as_bytes()) {
                        Ok(ms) => Stamp::Ms(ms),
                        Err(_) => Stamp::Bad(text.into()),
                    },
                )
            }
        }
        deserializer.deserialize_str(Visit)
    }
}

impl Stamp {
    /// The time in ms, or the problem with its text.
    fn ms(&self) -> Result<i64, FieldProblem> {
        match self {
            Stamp::Ms(ms) => Ok(*ms),
            Stamp::Bad(text) => Err(FieldProblem::new(
                "timeStamp",
                crate::usage::timestamps::parse_timestamp_ms(text.as_bytes())
                    .err()
                    .unwrap_or_default(),
            )),
        }
    }
}

/// One bucket of one deployment (and, for resource-level series split by model, one model),
/// as the metrics give it.
#[derive(Debug, Default, Clone)]
pub struct MetricBucket {
    /// Where it was read (for messages).
    pub line: u64,
    /// The input it was first read from (an index into [`MetricBuckets::files`]).
    pub file: u32,
    /// The interval of the response it came from (each file keeps its own).
    pub granularity: Granularity,
    /// Model (FeatureName or ModelName), if a dimension named it (shared by the series'
    /// buckets).
    pub model: Option<Arc<str>>,
    /// Region, if a dimension or the response named it.
    pub region: Option<Arc<str>>,
    prompt: Option<u64>,
    completion: Option<u64>,
    input: Option<u64>,
    output: Option<u64>,
    /// Requests per status (`None` = no requests metric for this bucket).
    statuses: Option<Statuses>,
    /// Successful requests marked `IsSpillover` (served by the spillover deployment).
    spilled: u64,
    /// Non-2xx requests marked `IsSpillover`: the provisioned deployment's 429 (or 400, 500,
    /// 503) for a request it redirected; the request is counted where it was served.
    redirected: u64,
    /// Where its request counts were first read (file index, line), when a requests metric
    /// counted them: a problem with the count names that file, not the tokens'.
    requests_at: Option<(u32, u64)>,
}

impl MetricBucket {
    /// The bucket as an aggregate: tokens from the first metric family present.
    pub fn to_aggregate(&self, start_ms: i64) -> BucketAggregate {
        let mut agg = BucketAggregate::new(start_ms, self.granularity);
        let (p, c) = if self.prompt.is_some() || self.completion.is_some() {
            (self.prompt, self.completion)
        } else {
            (self.input, self.output)
        };
        agg.prompt_tokens = p.unwrap_or(0);
        agg.completion_tokens = c.unwrap_or(0);
        if let Some(statuses) = &self.statuses {
            agg.requests = Some(statuses.total());
            agg.failed = statuses
                .0
                .iter()
                .filter(|(s, n)| !(200..300).contains(s) && *n > 0)
                .copied()
                .collect();
        }
        agg
    }

    fn both_families(&self) -> bool {
        (self.prompt.is_some() || self.completion.is_some())
            && (self.input.is_some() || self.output.is_some())
    }

    /// True when a requests metric (AzureOpenAIRequests) counted this bucket's requests.
    pub fn has_requests(&self) -> bool {
        self.statuses.is_some()
    }

    fn has_tokens(&self) -> bool {
        self.prompt.is_some()
            || self.completion.is_some()
            || self.input.is_some()
            || self.output.is_some()
    }

    /// Add another file's metrics of the same bucket (tokens in one file, requests in another).
    fn absorb(&mut self, b: MetricBucket) {
        let add = |a: &mut Option<u64>, b: Option<u64>| {
            if let Some(b) = b {
                *a = Some(a.unwrap_or(0).saturating_add(b));
            }
        };
        add(&mut self.prompt, b.prompt);
        add(&mut self.completion, b.completion);
        add(&mut self.input, b.input);
        add(&mut self.output, b.output);
        if let Some(s) = b.statuses {
            let m = self.statuses.get_or_insert_with(Statuses::default);
            for (code, n) in s.0 {
                m.add(code, n);
            }
        }
        self.spilled = self.spilled.saturating_add(b.spilled);
        self.redirected = self.redirected.saturating_add(b.redirected);
        self.requests_at = self.requests_at.or(b.requests_at);
        if self.line == 0 {
            (self.line, self.file) = (b.line, b.file);
        }
        self.model = self.model.take().or(b.model);
        self.region = self.region.take().or(b.region);
    }
}

/// Requests per HTTP status, in status order: a handful per bucket, so a short vector rather
/// than a tree (a month of per-minute buckets holds hundreds of thousands).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Statuses(Vec<(u16, u64)>);

impl Statuses {
    /// Add `n` requests answered `code`.
    pub fn add(&mut self, code: u16, n: u64) {
        match self.0.binary_search_by_key(&code, |e| e.0) {
            Ok(i) => self.0[i].1 = self.0[i].1.saturating_add(n),
            Err(i) => self.0.insert(i, (code, n)),
        }
    }

    /// Requests of every status.
    pub fn total(&self) -> u64 {
        self.0.iter().fold(0u64, |a, (_, n)| a.saturating_add(*n))
    }
}

/// A bucket's key: deployment, model (only for resource-level series, which may hold several
/// models; empty otherwise) and start in ms. The names are shared by a series' buckets.
pub type BucketKey = (Arc<str>, Arc<str>, i64);

/// Buckets keyed by (deployment, model of resource-level series, bucket start ms).
#[derive(Debug, Default)]
pub struct MetricBuckets {
    /// The buckets.
    pub buckets: BTreeMap<BucketKey, MetricBucket>,
    /// The coarsest interval seen.
    pub granularity: Granularity,
    /// Notes for the report.
    pub notes: Vec<String>,
    /// The input names, in order (buckets and series refer to them by index).
    pub files: Vec<String>,
    /// Each series' covered time (metric, deployment, model and dimensions), to refuse a
    /// series given twice.
    series: HashMap<String, Ranges>,
    /// Metrics and dimensions read, as (field, name), in first-seen order.
    mapped: Vec<(String, String)>,
    /// The time each split of a metric covers (see [`claim_split`]).
    splits: Splits,
}

/// Per metric, deployment and model (`metric\u{1f}deployment\u{1f}model`), the time covered by
/// each split: the sorted dimension names of its series. Series of one split with other values
/// (`StatusCode` 200 and 429) are distinct traffic and sum; two splits over the same time
/// (`StatusCode` in one file, `StatusCode` and `ApiName` in another) are the same traffic
/// counted twice.
type Splits = HashMap<String, Vec<(Vec<String>, Ranges)>>;

/// Record that `split` of `base` covers `[start, end)`; the other split covering some of that
/// time, and where it was read, if any.
fn claim_split(
    splits: &mut Splits,
    base: &str,
    split: &[String],
    (start, end): (i64, i64),
    origin: Origin,
) -> Result<(), (Vec<String>, Origin)> {
    let entry = splits.entry(base.to_owned()).or_default();
    for (other, ranges) in entry.iter() {
        if other.as_slice() != split {
            if let Some(o) = ranges.overlapping(start, end) {
                return Err((other.clone(), o));
            }
        }
    }
    // Series of the same split cover the same buckets: the first one's range stands for all.
    match entry.iter_mut().find(|(s, _)| s.as_slice() == split) {
        Some((_, ranges)) => {
            let _ = ranges.insert(start, end, origin);
        }
        None => {
            let mut ranges = Ranges::default();
            let _ = ranges.insert(start, end, origin);
            entry.push((split.to_vec(), ranges));
        }
    }
    Ok(())
}

/// How two splits differ, for messages: `split by ApiName here and not there`.
fn split_difference(here: &[String], there: &[String]) -> String {
    let only = |a: &[String], b: &[String]| -> Vec<String> {
        a.iter().filter(|d| !b.contains(d)).cloned().collect()
    };
    let (mine, theirs) = (only(here, there), only(there, here));
    match (mine.is_empty(), theirs.is_empty()) {
        (false, true) => format!("split by {} here and not there", mine.join(", ")),
        (true, false) => format!("split by {} there and not here", theirs.join(", ")),
        _ => format!(
            "split by {} here and by {} there",
            mine.join(", "),
            theirs.join(", ")
        ),
    }
}

fn describe_base(base: &str) -> String {
    let mut parts = base.split('\u{1f}');
    let metric = parts.next().unwrap_or_default();
    let deployment = parts.next().unwrap_or_default();
    match parts.next().filter(|m| !m.is_empty()) {
        Some(model) => format!("metric `{metric}` of deployment `{deployment}` (model {model})"),
        None => format!("metric `{metric}` of deployment `{deployment}`"),
    }
}

impl MetricBuckets {
    /// Add another input's buckets (metrics of one bucket may come in several files); a
    /// series covered twice, or one deployment's buckets at two intervals for the same time,
    /// is an error.
    pub fn absorb(&mut self, other: MetricBuckets) -> Result<(), UsageError> {
        self.granularity = self.granularity.max(other.granularity);
        for n in other.notes {
            if !self.notes.contains(&n) {
                self.notes.push(n);
            }
        }
        for m in other.mapped {
            if !self.mapped.contains(&m) {
                self.mapped.push(m);
            }
        }
        let base = self.files.len() as u32;
        self.files.extend(other.files.iter().cloned());
        let shifted = |o: Origin| Origin {
            input: o.input + base,
            line: o.line,
        };
        // In a fixed order, so that the series an overlap is reported for is the same every run.
        let mut series: Vec<(String, Ranges)> = other.series.into_iter().collect();
        series.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (sig, ranges) in series {
            let mine = self.series.entry(sig.clone()).or_default();
            for (start, end, origin) in ranges.iter() {
                let origin = shifted(origin);
                if let Err(first) = mine.insert(start, end, origin) {
                    return Err(self.series_error(
                        origin,
                        format!(
                            "{} at {} is already in {}:{}: the same metric series twice would count its traffic twice; pass each span once",
                            describe_series(&sig),
                            fmt_time_ms(start),
                            file_name(&self.files, first.input),
                            first.line
                        ),
                    ));
                }
            }
        }
        for (split_base, splits) in other.splits {
            for (split, ranges) in splits {
                for (start, end, origin) in ranges.iter() {
                    let origin = shifted(origin);
                    if let Err((theirs, first)) =
                        claim_split(&mut self.splits, &split_base, &split, (start, end), origin)
                    {
                        return Err(self.series_error(
                            origin,
                            format!(
                                "{} at {} is also in {}:{}, {}: the same traffic split two ways would count twice; fetch each metric with one split",
                                describe_base(&split_base),
                                fmt_time_ms(start),
                                file_name(&self.files, first.input),
                                first.line,
                                split_difference(&split, &theirs)
                            ),
                        ));
                    }
                }
            }
        }
        for (key, mut b) in other.buckets {
            b.file += base;
            if let Some((file, _)) = &mut b.requests_at {
                *file += base;
            }
            match self.buckets.get_mut(&key) {
                Some(mine) if mine.granularity != b.granularity => {
                    return Err(UsageError::Field {
                        path: file_name(&self.files, b.file),
                        line: b.line,
                        field: "interval".to_owned(),
                        message: format!(
                            "deployment `{}` has {} metrics here and {} metrics in {} for the same time ({}): fetch every metric of a deployment at one interval",
                            key.0.as_ref().escape_debug(),
                            b.granularity.as_str(),
                            mine.granularity.as_str(),
                            file_name(&self.files, mine.file),
                            fmt_time_ms(key.2)
                        ),
                    });
                }
                Some(mine) => mine.absorb(b),
                None => {
                    self.buckets.insert(key, b);
                }
            }
        }
        Ok(())
    }

    /// The metrics and dimensions read, as the report's mapped columns.
    pub fn mapped_columns(&self) -> Vec<MappedColumn> {
        self.mapped
            .iter()
            .map(|(field, column)| MappedColumn {
                field: field.clone(),
                column: column.clone(),
            })
            .collect()
    }

    /// Resource-level buckets split by model stay apart; series of the same bucket without
    /// the model split (requests split by StatusCode only, say) join the model when there is
    /// one, and are an error when the bucket holds several (they cannot be told apart).
    pub fn settle(&mut self) -> Result<(), UsageError> {
        let unsplit: Vec<BucketKey> = self
            .buckets
            .keys()
            .filter(|(d, m, _)| d.as_ref() == ALL_DEPLOYMENTS && m.is_empty())
            .cloned()
            .collect();
        for key in unsplit {
            let models: Vec<BucketKey> = self
                .buckets
                .range((key.0.clone(), Arc::from(""), i64::MIN)..)
                .take_while(|((d, _, _), _)| *d == key.0)
                .filter(|((_, m, t), _)| !m.is_empty() && *t == key.2)
                .map(|(k, _)| k.clone())
                .collect();
            match models.as_slice() {
                [] => {}
                [one] => {
                    if let Some(b) = self.buckets.remove(&key) {
                        if let Some(target) = self.buckets.get_mut(one) {
                            target.absorb(b);
                        }
                    }
                }
                several => {
                    let b = &self.buckets[&key];
                    let names: Vec<&str> = several.iter().map(|k| k.1.as_ref()).collect();
                    let split_in = self
                        .buckets
                        .get(&several[0])
                        .map(|m| file_name(&self.files, m.file))
                        .unwrap_or_default();
                    return Err(self.series_error(
                        Origin {
                            input: b.file,
                            line: b.line,
                        },
                        format!(
                            "resource-level metrics at {} are split by model ({}, in {split_in}) in some series and not in others ({} here): the unsplit ones cannot be told apart by model; split every metric by ModelName or FeatureName, or better by ModelDeploymentName",
                            fmt_time_ms(key.2),
                            names.join(", "),
                            if b.has_tokens() { "tokens" } else { "AzureOpenAIRequests" }
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The name of input `input` (empty if out of range).
fn file_name(files: &[String], input: u32) -> String {
    files.get(input as usize).cloned().unwrap_or_default()
}

impl MetricBuckets {
    /// An error about the metric series read at `origin`.
    fn series_error(&self, origin: Origin, message: String) -> UsageError {
        UsageError::Field {
            path: file_name(&self.files, origin.input),
            line: origin.line,
            field: "timeseries".to_owned(),
            message,
        }
    }
}

fn describe_series(sig: &str) -> String {
    let mut parts = sig.split('\u{1f}');
    let metric = parts.next().unwrap_or_default();
    let deployment = parts.next().unwrap_or_default();
    format!("metric `{metric}` of deployment `{deployment}`")
}

/// Replay `buckets` (those `skip` leaves) as aggregates through `out`.
pub fn emit_buckets(
    buckets: &MetricBuckets,
    out: &mut Out<'_>,
    skip: impl Fn(&BucketKey) -> bool,
) -> Result<(), UsageError> {
    for n in &buckets.notes {
        out.summary.note(n.clone());
    }
    // Every bucket is in memory: the requests they become are known before one is replayed.
    let params = out.expand_params();
    let planned = buckets
        .buckets
        .iter()
        .filter(|(key, _)| !skip(key))
        .map(|(key, b)| b.to_aggregate(key.2).planned_requests(&params).unwrap_or(0))
        .fold(0u64, u64::saturating_add);
    if let Some((_, first)) = buckets.buckets.iter().next() {
        if let Some(file) = buckets.files.get(first.file as usize) {
            out.path = file.clone();
        }
        out.ensure_expansion_room(planned, first.line)?;
    }
    let mut both = 0u64;
    let (mut spilled, mut redirected) = (0u64, 0u64);
    for (key, b) in &buckets.buckets {
        spilled = spilled.saturating_add(b.spilled);
        redirected = redirected.saturating_add(b.redirected);
        if skip(key) {
            continue;
        }
        both += u64::from(b.both_families());
        let agg = b.to_aggregate(key.2);
        let k = [
            key.0.as_ref(),
            b.model.as_deref().unwrap_or(""),
            b.region.as_deref().unwrap_or(""),
        ];
        if let Some(file) = buckets.files.get(b.file as usize) {
            out.path = file.clone();
        }
        // Resource-level series of two model names (that may resolve to one model) are
        // distinct traffic.
        let group = if key.1.is_empty() {
            Group::default()
        } else {
            Group::of([("model".to_owned(), key.1.to_string())])
        };
        out.aggregate_in(b.line, k, &group, Ok(agg))
            .map_err(|e| blame_requests(e, b, &buckets.files))?;
    }
    if both > 0 {
        out.summary.note(format!(
            "{both} metric bucket(s) had both ProcessedPromptTokens/GeneratedTokens and InputTokens/OutputTokens; the first pair was used (the same tokens are not counted twice)"
        ));
    }
    if spilled > 0 || redirected > 0 {
        out.summary.spilled_requests = out.summary.spilled_requests.saturating_add(spilled);
        out.summary.note(format!(
            "IsSpillover: {spilled} request(s) were served by a spillover (Standard) deployment and count as its served demand; {redirected} 429 (or 400/500/503) answer(s) a provisioned deployment gave to requests it redirected are not counted again as failures (\"they still generate 429 response codes on the provisioned deployment before being redirected\", S42); metrics do not split tokens by IsSpillover, so spilled tokens stay with the deployment that served them"
        ));
    }
    out.summary.note(
        "Azure Monitor metrics carry no cached-token count (Standard) and no reasoning split: all prompt tokens are priced as uncached and reasoning is 0",
    );
    Ok(())
}

/// A problem with a bucket's request count names the file and line the count came from (the
/// tokens' may be another file).
fn blame_requests(e: UsageError, b: &MetricBucket, files: &[String]) -> UsageError {
    match (e, b.requests_at) {
        (UsageError::Field { field, message, .. }, Some((file, line))) if field == "requests" => {
            UsageError::Field {
                path: files.get(file as usize).cloned().unwrap_or_default(),
                line,
                field,
                message,
            }
        }
        (e, _) => e,
    }
}

/// Log Analytics `AzureMetrics` rows: summed per resource and minute, replayed at the end.
#[derive(Default)]
pub struct AzureMetricsRows {
    buckets: BTreeMap<(String, i64), MetricBucket>,
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
        // Two resources are two groups of traffic: their minutes sum as deployment `*`.
        let resources: std::collections::BTreeSet<&str> =
            self.buckets.keys().map(|(r, _)| r.as_str()).collect();
        if resources.len() > 1 {
            out.summary.note(format!(
                "AzureMetrics: the minutes of {} resources ({}) are summed as deployment `*`; export one resource per file to keep them apart",
                resources.len(),
                resources.iter().take(3).copied().collect::<Vec<_>>().join(", ")
            ));
        }
        for ((resource, start), b) in std::mem::take(&mut self.buckets) {
            let agg = b.to_aggregate(start);
            let group = Group::of([("Resource".to_owned(), resource)]);
            out.aggregate_in(b.line, [ALL_DEPLOYMENTS, "", ""], &group, Ok(agg))?;
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
            .or_insert_with(|| MetricBucket {
                line: row.line,
                granularity: g,
                ..MetricBucket::default()
            });
        let b = entry;
        if b.granularity != g {
            return Err(FieldProblem::new(
                "TimeGrain",
                format!(
                    "{} here, {} at line {} for the same resource and time: one interval per resource",
                    g.as_str(),
                    b.granularity.as_str(),
                    b.line
                ),
            ));
        }
        // One row per resource, metric and time: a second one is the same row again.
        let first_line = b.line;
        let add = |slot: &mut Option<u64>| -> Result<(), FieldProblem> {
            if slot.is_some() {
                return Err(FieldProblem::new(
                    "MetricName",
                    format!(
                        "`{metric}` for this resource and time is already in the bucket first read at line {first_line}: the same row twice would count its traffic twice"
                    ),
                ));
            }
            *slot = Some(count);
            Ok(())
        };
        match metric.as_str() {
            "processedprompttokens" => add(&mut b.prompt),
            "generatedtokens" => add(&mut b.completion),
            "inputtokens" => add(&mut b.input),
            "outputtokens" => add(&mut b.output),
            "azureopenairequests" => {
                let mut requests = b.statuses.as_ref().map(Statuses::total);
                add(&mut requests)?;
                b.statuses = Some(Statuses(vec![(200, count)]));
                Ok(())
            }
            _ => Ok(()),
        }
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
        let b = out.buckets.values().next().expect("one");
        assert_eq!(b.model.as_deref(), Some("gpt-5"));
        assert_eq!(
            out.buckets.len(),
            2,
            "a point without total is an empty bucket"
        );
        let agg = b.to_aggregate(0);
        assert_eq!(agg.prompt_tokens, 100);
        assert_eq!(agg.requests, None);
    }

    /// What an odd response would have had guessed or dropped is refused (tester findings):
    /// no `interval`, no `value`, a dimension named twice with two values.
    #[test]
    fn a_response_is_refused_where_it_would_be_guessed() {
        let response = |interval: Option<&str>, dims: serde_json::Value| {
            let mut doc = serde_json::json!({
                "value": [{"name": {"value": "GeneratedTokens"}, "timeseries": [{
                    "metadatavalues": dims,
                    "data": [{"timeStamp": "2026-01-05T00:00:00Z", "total": 10.0}]}]}]
            });
            if let Some(interval) = interval {
                doc["interval"] = serde_json::json!(interval);
            }
            let mut out = MetricBuckets::default();
            let r: Response = serde_json::from_value(doc).expect("shape");
            add_response(&mut out, r, 1).map(|()| out.buckets.len())
        };
        let chat = serde_json::json!([{"name": {"value": "ModelDeploymentName"}, "value": "chat"}]);
        assert_eq!(response(Some("PT1M"), chat.clone()).ok(), Some(1));
        let e = response(None, chat).expect_err("no interval");
        assert_eq!(e.field, "interval");
        let twice = serde_json::json!([
            {"name": {"value": "ModelDeploymentName"}, "value": "chat"},
            {"name": {"value": "modeldeploymentname"}, "value": "rag"}]);
        let e = response(Some("PT1M"), twice).expect_err("named twice");
        assert_eq!(e.field, "metadatavalues");
        assert!(e.message.contains("as `chat` and `rag`"), "{}", e.message);
        let same = serde_json::json!([
            {"name": {"value": "ModelDeploymentName"}, "value": "chat"},
            {"name": {"value": "ModelDeploymentName"}, "value": "chat"}]);
        assert_eq!(response(Some("PT1M"), same).ok(), Some(1));
        assert!(serde_json::from_value::<Response>(serde_json::json!({"foo": 1})).is_err());
    }
}
