//! Reading an Azure Monitor metrics document (`az monitor metrics list -o json`, the REST
//! response): its series split by model and deployment into per-bucket totals.

use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

use super::*;

/// Read every metrics response of an input into buckets. The responses are deserialized
/// straight into their typed form as the bytes stream in (never held whole, never as a
/// generic JSON tree), so memory follows the buckets, not the file's size.
pub fn load_metrics(input: OpenedInput) -> Result<MetricBuckets, UsageError> {
    let path = input.name.clone();
    let mut out = MetricBuckets {
        files: vec![path.clone()],
        ..MetricBuckets::default()
    };
    let add = |out: &mut MetricBuckets, response: Response, line: u64| {
        add_response(out, response, line).map_err(|p| UsageError::Field {
            path: path.clone(),
            line,
            field: p.field.into_owned(),
            message: p.message,
        })
    };
    let mut reader = input.reader;
    skip_bom(&mut reader).map_err(|source| UsageError::Io {
        path: path.clone(),
        source,
    })?;
    // One response per line, or a document holding one or an array of them: either way a
    // sequence of JSON values, read one at a time. A response of JSON Lines is named by the
    // line it ends on (each is one line); a document's by the line after the previous one
    // ended (line 1 for the first).
    let per_line = input.container == Container::JsonLines;
    let lines = Rc::new(Cell::new((0u64, 0u8)));
    let counting = LineCounting {
        inner: reader,
        seen: Rc::clone(&lines),
    };
    // Where the previous value ended: a document's next response starts on a later line.
    let mut after_previous = 1u64;
    for responses in serde_json::Deserializer::from_reader(counting).into_iter::<Responses>() {
        let responses = responses.map_err(|e| response_error(&path, &e))?;
        // The byte after the value has been read: a newline there was counted already.
        let (newlines, last) = lines.get();
        let end_line = newlines + u64::from(last != b'\n');
        let line = if per_line { end_line } else { after_previous };
        after_previous = newlines + 1;
        for response in responses.0 {
            add(&mut out, response, line)?;
        }
    }
    if !out
        .buckets
        .values()
        .any(|b| b.has_tokens() || b.statuses.is_some())
    {
        return Err(UsageError::File {
            path,
            message: "no metric data points with a `total` (request ProcessedPromptTokens, GeneratedTokens and AzureOpenAIRequests with --aggregation Total)".to_owned(),
        });
    }
    Ok(out)
}

/// One metrics response, or an array of them.
struct Responses(Vec<Response>);

impl<'de> Deserialize<'de> for Responses {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Responses;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an Azure Monitor metrics response (an object with `value`), or an array of them")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Responses, A::Error> {
                let one = Response::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Responses(vec![one]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Responses, A::Error> {
                let mut all = Vec::new();
                while let Some(one) = seq.next_element::<Response>()? {
                    all.push(one);
                }
                Ok(Responses(all))
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

/// A response that does not parse, at the line serde names.
fn response_error(path: &str, e: &serde_json::Error) -> UsageError {
    let message = if e.is_syntax() || e.is_eof() {
        format!("invalid JSON: {e}")
    } else {
        format!("not an Azure Monitor metrics response: {e}")
    };
    UsageError::Field {
        path: path.to_owned(),
        // serde counts a newline as it reads it: an error at column 0 was found at the end of
        // the line before (a string cut off by the line's end, say).
        line: if e.column() == 0 {
            (e.line() as u64).saturating_sub(1).max(1)
        } else {
            (e.line() as u64).max(1)
        },
        field: if e.is_data() { "value" } else { "json" }.to_owned(),
        message,
    }
}

/// A reader that counts the newlines read through it and keeps the last byte read.
struct LineCounting<R> {
    inner: R,
    seen: Rc<Cell<(u64, u8)>>,
}

impl<R: Read> Read for LineCounting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            let (newlines, _) = self.seen.get();
            let more = memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
            self.seen.set((newlines + more, buf[n - 1]));
        }
        Ok(n)
    }
}

/// Consume a UTF-8 byte order mark at the start of `reader`, if any.
fn skip_bom(reader: &mut dyn BufRead) -> std::io::Result<()> {
    let head = reader.fill_buf()?;
    if head.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    Ok(())
}

pub(super) fn interval_of(text: Option<&str>) -> Result<Granularity, FieldProblem> {
    // Never guessed: a point's bucket length is its traffic's span.
    let Some(text) = text else {
        return Err(FieldProblem::new(
            "interval",
            "the response has no `interval`, so how long each point's bucket is cannot be told; az and the REST API write it: fetch again with --interval PT1M (or PT1H, P1D)",
        ));
    };
    match Granularity::parse_bucket(text) {
        Some(g @ (Granularity::Minute | Granularity::Hour | Granularity::Day)) => Ok(g),
        _ => Err(FieldProblem::new(
            "interval",
            format!("interval `{text}` is not read; fetch with --interval PT1M (or PT1H, P1D)"),
        )),
    }
}

pub(super) fn dimension<'a>(dims: &'a [Dimension], name: &str) -> Option<&'a str> {
    dims.iter()
        .find(|d| d.name.value.eq_ignore_ascii_case(name))
        .and_then(|d| d.value.as_deref())
        .filter(|v| !v.trim().is_empty())
}

/// A dimension ptuplan reads named twice in one series with two values
/// (`ModelDeploymentName` `chat` and `rag`): which one the series is cannot be told, so it is
/// refused rather than read as the first. Linear in the series' dimensions.
fn repeated_dimension(dims: &[Dimension]) -> Result<(), FieldProblem> {
    for name in READ_DIMENSIONS {
        let mut named = dims
            .iter()
            .filter(|d| d.name.value.eq_ignore_ascii_case(name));
        let Some(first) = named.next() else {
            continue;
        };
        if let Some(other) = named.find(|d| d.value != first.value) {
            return Err(FieldProblem::new(
                "metadatavalues",
                format!(
                    "dimension `{}` is named twice in one series, as `{}` and `{}`: which one its points belong to cannot be told",
                    first.name.value.escape_debug(),
                    first.value.as_deref().unwrap_or("").escape_debug(),
                    other.value.as_deref().unwrap_or("").escape_debug()
                ),
            ));
        }
    }
    Ok(())
}

/// The dimensions a series is read by.
const READ_DIMENSIONS: [&str; 6] = [
    "ModelDeploymentName",
    "FeatureName",
    "ModelName",
    "Region",
    "StatusCode",
    "IsSpillover",
];

/// The field a metric fills.
pub(super) fn metric_field(lower: &str) -> Option<&'static str> {
    match lower {
        "processedprompttokens" | "inputtokens" => Some("prompt_tokens"),
        "generatedtokens" | "outputtokens" => Some("completion_tokens"),
        "azureopenairequests" => Some("requests"),
        _ => None,
    }
}

pub(super) fn note_mapped(out: &mut MetricBuckets, field: &str, name: &str) {
    let entry = (field.to_owned(), name.to_owned());
    if !out.mapped.contains(&entry) {
        out.mapped.push(entry);
    }
}

pub(super) fn add_response(
    out: &mut MetricBuckets,
    r: Response,
    line: u64,
) -> Result<(), FieldProblem> {
    let g = interval_of(r.interval.as_deref())?;
    let bucket_ms = g.bucket_ms().unwrap_or(60_000);
    out.granularity = out.granularity.max(g);
    for metric in r.value {
        let name = metric.name.value.to_ascii_lowercase();
        let field = metric_field(&name);
        match field {
            Some(f) => note_mapped(out, f, &metric.name.value),
            None => {
                // Its traffic is not counted: said, never dropped in silence.
                let note = format!(
                    "Azure Monitor metric `{}` is not read (ptuplan reads ProcessedPromptTokens, GeneratedTokens, InputTokens, OutputTokens and AzureOpenAIRequests): its values are not counted",
                    metric.name.value.escape_debug()
                );
                if !out.notes.contains(&note) {
                    out.notes.push(note);
                }
            }
        }
        for series in metric.timeseries {
            let dims = &series.metadatavalues;
            repeated_dimension(dims)?;
            let deployment = dimension(dims, "ModelDeploymentName");
            if deployment.is_none() {
                let note = "metrics not split by ModelDeploymentName are resource-level: replayed as deployment `*` (add --filter \"ModelDeploymentName eq '*'\")".to_owned();
                if !out.notes.contains(&note) {
                    out.notes.push(note);
                }
            }
            let deployment = deployment.unwrap_or(ALL_DEPLOYMENTS).to_owned();
            let (model_dim, model) = match dimension(dims, "FeatureName") {
                Some(m) => ("FeatureName", Some(m)),
                None => ("ModelName", dimension(dims, "ModelName")),
            };
            let region = dimension(dims, "Region").or(r.resourceregion.as_deref());
            let status = dimension(dims, "StatusCode");
            if status.is_none()
                && metric
                    .name
                    .value
                    .eq_ignore_ascii_case("AzureOpenAIRequests")
            {
                let note = "AzureOpenAIRequests is not split by StatusCode: every request is taken as successful, so throttled (429) and failed calls are counted as served demand and none as failed (add --filter \"StatusCode eq '*'\")".to_owned();
                if !out.notes.contains(&note) {
                    out.notes.push(note);
                }
            }
            let spill =
                dimension(dims, "IsSpillover").is_some_and(|v| v.eq_ignore_ascii_case("true"));
            if field.is_some() {
                for (f, d, present) in [
                    (
                        "deployment",
                        "ModelDeploymentName",
                        deployment != ALL_DEPLOYMENTS,
                    ),
                    ("model", model_dim, model.is_some()),
                    ("region", "Region", dimension(dims, "Region").is_some()),
                    ("status", "StatusCode", status.is_some()),
                    (
                        "spillover",
                        "IsSpillover",
                        dimension(dims, "IsSpillover").is_some(),
                    ),
                ] {
                    if present {
                        note_mapped(out, f, d);
                    }
                }
            }
            // Resource-level series keep their models apart (deployment-level ones have one).
            let model_key = match (deployment == ALL_DEPLOYMENTS, model) {
                (true, Some(m)) => m.to_owned(),
                _ => String::new(),
            };
            // One allocation per series, shared by its buckets.
            let (deployment_name, model_name): (Arc<str>, Arc<str>) = (
                Arc::from(deployment.as_str()),
                Arc::from(model_key.as_str()),
            );
            let (model_shared, region_shared) =
                (model.map(Arc::<str>::from), region.map(Arc::<str>::from));
            let mut sig = format!("{}\u{1f}{deployment}\u{1f}{model_key}", metric.name.value);
            let mut named: Vec<String> = dims
                .iter()
                .map(|d| {
                    format!(
                        "{}={}",
                        d.name.value.to_ascii_lowercase(),
                        d.value.as_deref().unwrap_or_default()
                    )
                })
                .collect();
            named.sort();
            for n in named {
                sig.push('\u{1f}');
                sig.push_str(&n);
            }
            let split_base = format!("{}\u{1f}{deployment}\u{1f}{model_key}", metric.name.value);
            let mut split: Vec<String> = dims
                .iter()
                .map(|d| d.name.value.to_ascii_lowercase())
                .collect();
            split.sort();
            for p in &series.data {
                let ms = p.time_stamp.ms()?;
                if ms.rem_euclid(60_000) != 0 {
                    // Every metric grain is whole minutes (PT1M is the finest).
                    return Err(FieldProblem::new(
                        "timeStamp",
                        format!(
                            "{} is not on a whole minute: Azure Monitor points start on whole minutes (PT1M is the finest grain)",
                            fmt_time_ms(ms)
                        ),
                    ));
                }
                // Every point of the grid is a bucket of the span, with data or not.
                let ranges = out.series.entry(sig.clone()).or_default();
                if let Err(first) = ranges.insert(ms, ms + bucket_ms, Origin { input: 0, line }) {
                    // The same point again, or one less than an interval from it (a point
                    // off the interval's grid): either would count traffic twice.
                    let message = format!(
                        "{} at {} overlaps a point of the series read before (line {}): the same metric series twice, or points less than one {} apart, would count its traffic twice",
                        describe_series(&sig),
                        fmt_time_ms(ms),
                        first.line,
                        g.as_str(),
                    );
                    return Err(FieldProblem::new("timeseries", message));
                }
                if let Err((theirs, first)) = claim_split(
                    &mut out.splits,
                    &split_base,
                    &split,
                    (ms, ms + bucket_ms),
                    Origin { input: 0, line },
                ) {
                    return Err(FieldProblem::new(
                        "timeseries",
                        format!(
                            "{} at {} is also in the series at line {}, {}: the same traffic split two ways would count twice; fetch each metric with one split",
                            describe_base(&split_base),
                            fmt_time_ms(ms),
                            first.line,
                            split_difference(&split, &theirs)
                        ),
                    ));
                }
                let b = out
                    .buckets
                    .entry((deployment_name.clone(), model_name.clone(), ms))
                    .or_insert_with(|| MetricBucket {
                        line,
                        granularity: g,
                        ..MetricBucket::default()
                    });
                if b.granularity != g {
                    return Err(FieldProblem::new(
                        "interval",
                        format!(
                            "deployment `{}` has {} and {} metrics for the same time ({}): fetch every metric of a deployment at one interval",
                            deployment.escape_debug(),
                            b.granularity.as_str(),
                            g.as_str(),
                            fmt_time_ms(ms)
                        ),
                    ));
                }
                if b.model.is_none() {
                    b.model = model_shared.clone();
                }
                if b.region.is_none() {
                    b.region = region_shared.clone();
                }
                let Some(total) = p.total else {
                    continue;
                };
                let count = whole(total, &metric.name.value)?;
                let add =
                    |slot: &mut Option<u64>| *slot = Some(slot.unwrap_or(0).saturating_add(count));
                match name.as_str() {
                    "processedprompttokens" => add(&mut b.prompt),
                    "generatedtokens" => add(&mut b.completion),
                    "inputtokens" => add(&mut b.input),
                    "outputtokens" => add(&mut b.output),
                    "azureopenairequests" => {
                        b.requests_at = b.requests_at.or(Some((0, line)));
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
                        let ok = (200..300).contains(&code);
                        if spill && !ok {
                            // The provisioned deployment's answer to a request it redirected:
                            // counted where it was served, not again here.
                            b.redirected = b.redirected.saturating_add(count);
                            continue;
                        }
                        b.statuses
                            .get_or_insert_with(Statuses::default)
                            .add(code, count);
                        if spill {
                            b.spilled = b.spilled.saturating_add(count);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

pub(super) fn whole(total: f64, metric: &str) -> Result<u64, FieldProblem> {
    if !total.is_finite() || !(0.0..=1.8e19).contains(&total) {
        return Err(FieldProblem::new(
            "total",
            format!("{metric} total `{total}` is not a count"),
        ));
    }
    // Counts are whole: a fraction means another aggregation (an average) exported as
    // `total`, never something to round.
    if total.fract() != 0.0 {
        return Err(FieldProblem::new(
            "total",
            format!("{metric} total `{total}` is not a whole count (an average or a rate exported as the total?); export the Total aggregation"),
        ));
    }
    Ok(total as u64)
}
