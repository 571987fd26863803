//! OpenAI Usage API pages: `GET /v1/organization/usage/completions` responses
//! (`{"object": "page", "data": [buckets], ...}`), one page per file, several files, or one
//! page per line.
//!
//! Each bucket (`start_time`, `end_time`, Unix seconds) holds `results[]`; each result is a
//! per-bucket aggregate: `num_model_requests` requests, `input_tokens` (cached included),
//! `input_cached_tokens`, `output_tokens` (reasoning included: the API has no reasoning split).
//! The bucket width (`1m`, `1h`, `1d`) is `end_time - start_time`; a partial first bucket
//! keeps its real length. The model is `model` when the query was grouped by it
//! (`group_by=model`); the deployment is the result's `project_id`, else `openai`. Results of
//! one bucket grouped further (`api_key_id`, `user_id`, `batch`, `service_tier`) are distinct
//! traffic and sum; the same group twice is refused. An empty
//! bucket (`"results": []`) is a bucket without traffic. Lost: deployment, region (`--region`),
//! status, latency and `max_tokens`.

use super::{Out, Row, RowSource};
use crate::usage::aggregate::{BucketAggregate, Granularity};
use crate::usage::ledger::Group;
use crate::usage::sources::cells::Cell;
use crate::usage::{FieldProblem, UsageError};

/// OpenAI Usage API buckets.
#[derive(Default)]
pub struct UsageRows;

fn result_aggregate(
    r: &serde_json::Value,
    start_ms: i64,
    end_ms: i64,
) -> Result<(BucketAggregate, String, String), FieldProblem> {
    let get = |k: &str| r.get(k).map_or(Cell::Absent, Cell::Json);
    let g = Granularity::from_width_ms(end_ms - start_ms);
    let mut agg = BucketAggregate::new(start_ms, g);
    agg.length_ms = end_ms - start_ms;
    agg.requests = get("num_model_requests").count("num_model_requests")?;
    agg.prompt_tokens = get("input_tokens").count("input_tokens")?.unwrap_or(0);
    agg.cached_tokens = get("input_cached_tokens")
        .count("input_cached_tokens")?
        .unwrap_or(0);
    agg.completion_tokens = get("output_tokens").count("output_tokens")?.unwrap_or(0);
    let model = get("model")
        .text("model")?
        .map(|m| m.into_owned())
        .unwrap_or_default();
    let deployment = get("project_id")
        .text("project_id")?
        .map_or_else(|| "openai".to_owned(), |p| p.into_owned());
    Ok((agg, deployment, model))
}

/// The grouping fields (`group_by`) a result carries besides its model and project: results of
/// one bucket that differ in them are distinct traffic (other keys, users, batch or not).
const GROUP_FIELDS: [&str; 4] = ["api_key_id", "user_id", "batch", "service_tier"];

fn group_of(r: &serde_json::Value) -> Group {
    Group::of(GROUP_FIELDS.iter().filter_map(|&k| {
        let value = match r.get(k)? {
            serde_json::Value::Null => return None,
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        Some((k.to_owned(), value))
    }))
}

impl RowSource for UsageRows {
    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), UsageError> {
        let times =
            (|| {
                let start = row.get(&["start_time"]).timestamp_ms("start_time")?;
                let end = row.get(&["end_time"]).timestamp_ms("end_time")?;
                match (start, end) {
                (Some(s), Some(e)) if e > s && e - s <= 86_400_000 => Ok((s, e)),
                (Some(_), Some(_)) => Err(FieldProblem::new(
                    "end_time",
                    "must be after start_time and at most a day later (bucket_width 1m, 1h or 1d)",
                )),
                _ => Err(FieldProblem::new("start_time", "missing start_time or end_time")),
            }
            })();
        let (start, end) = match times {
            Ok(t) => t,
            Err(p) => return out.problem(row.line, p),
        };
        out.set_granularity(Granularity::from_width_ms(end - start));
        // An empty bucket (`"results": []`) is a bucket without traffic: part of the span.
        out.cover(start, end);
        let results = match row.get(&["results", "result"]) {
            Cell::Json(serde_json::Value::Array(items)) => items.clone(),
            Cell::Absent | Cell::Json(serde_json::Value::Null) => Vec::new(),
            other => match other.json("results") {
                Ok(Some(v)) if v.is_array() => v.as_array().cloned().unwrap_or_default(),
                Ok(Some(v)) if v.is_null() => Vec::new(),
                Ok(None) => Vec::new(),
                // An object or a scalar is no list of results: never an empty bucket.
                Ok(Some(_)) => {
                    return out.problem(
                        row.line,
                        FieldProblem::new(
                            "results",
                            "must be an array of results (or [] for a bucket without traffic)",
                        ),
                    )
                }
                Err(p) => return out.problem(row.line, p),
            },
        };
        for r in &results {
            match result_aggregate(r, start, end) {
                Ok((agg, deployment, model)) => {
                    let key = [deployment.as_str(), model.as_str(), ""];
                    out.aggregate_in(row.line, key, &group_of(r), Ok(agg))?;
                }
                Err(p) => out.problem(row.line, p)?,
            }
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Result<(), UsageError> {
        out.summary.note("OpenAI Usage API buckets have no reasoning split, status or latency: reasoning is 0 (it is inside output tokens, billed as output)");
        Ok(())
    }
}
