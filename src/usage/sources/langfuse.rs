//! Langfuse observation exports (CSV, JSON Lines, Parquet; public API or UI export).
//!
//! Only `GENERATION` observations carry model usage; other types (spans, events) are counted
//! and left out. Langfuse stores **exclusive** buckets in `usageDetails`: `input` excludes
//! `input_cached_tokens` (and other `input_*` keys), `output` excludes `output_reasoning_tokens`,
//! so they are summed back: prompt = every `input*` key, completion = every `output*` key,
//! cached = `input_cached_tokens` (or `input_cache_read`, `cache_read_input_tokens`),
//! cache-write = `input_cache_creation` (or `cache_creation_input_tokens`), reasoning =
//! `output_reasoning_tokens` (or `output_reasoning`). An object Langfuse stored verbatim (it
//! has OpenAI keys such as `prompt_tokens`) is inclusive and read as such. Older exports with
//! `promptTokens`/`completionTokens` columns are inclusive totals. Time: `startTime`; latency:
//! `endTime - startTime`; `max_tokens` from `modelParameters`; `level` `ERROR` is a failed
//! call. Lost: deployment and region (`--region`).

use serde_json::Value;

use super::{Out, Row, RowSource};
use crate::usage::{FieldProblem, RowValues, UsageError};

/// Langfuse observations.
#[derive(Default)]
pub struct LangfuseRows {
    other_types: u64,
}

fn as_count(v: &Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| {
            v.as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                .map(|f| f as u64)
        })
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// Prompt, cached, cache-write, completion and reasoning tokens of a `usageDetails` map.
fn from_usage_details(map: &serde_json::Map<String, Value>) -> Result<[u64; 5], FieldProblem> {
    // Columnar exports (Parquet) unify the keys of every row, so absent keys arrive as null.
    let present = |k: &str| map.get(k).is_some_and(|v| !v.is_null());
    let key = |names: &[&str]| names.iter().find_map(|n| map.get(*n).and_then(as_count));
    if present("prompt_tokens") || present("completion_tokens") {
        // Stored verbatim (OpenAI shape): inclusive.
        let prompt = key(&["prompt_tokens"]).unwrap_or(0);
        let completion = key(&["completion_tokens"]).unwrap_or(0);
        let nested = |obj: &str, k: &str| map.get(obj).and_then(|d| d.get(k)).and_then(as_count);
        let cached = nested("prompt_tokens_details", "cached_tokens").unwrap_or(0);
        let reasoning = nested("completion_tokens_details", "reasoning_tokens").unwrap_or(0);
        return Ok([prompt, cached, 0, completion, reasoning]);
    }
    let (mut prompt, mut completion) = (0u64, 0u64);
    for (k, v) in map.iter().filter(|(_, v)| !v.is_null()) {
        let lower = k.to_ascii_lowercase();
        let Some(n) = as_count(v) else {
            if lower.starts_with("input") || lower.starts_with("output") {
                return Err(FieldProblem::new(
                    "usageDetails",
                    format!("`{k}` is not a token count"),
                ));
            }
            continue;
        };
        if lower.starts_with("input")
            || lower.starts_with("cache_read")
            || lower.starts_with("cache_creation")
        {
            prompt = prompt.saturating_add(n);
        } else if lower.starts_with("output") {
            completion = completion.saturating_add(n);
        }
    }
    let cached = key(&[
        "input_cached_tokens",
        "input_cache_read",
        "cache_read_input_tokens",
    ])
    .unwrap_or(0);
    let write = key(&[
        "input_cache_creation",
        "input_cache_write",
        "cache_creation_input_tokens",
    ])
    .unwrap_or(0);
    let reasoning = key(&["output_reasoning_tokens", "output_reasoning"]).unwrap_or(0);
    Ok([prompt, cached, write, completion, reasoning])
}

impl LangfuseRows {
    fn parse(&mut self, row: &Row<'_>) -> Result<Option<(String, RowValues)>, FieldProblem> {
        if let Some(t) = row.get(&["type"]).text("type")? {
            if !t.eq_ignore_ascii_case("generation") {
                self.other_types += 1;
                return Ok(None);
            }
        }
        let start = row
            .get(&["starttime", "start_time"])
            .timestamp_ms("startTime")?;
        let end = row.get(&["endtime", "end_time"]).timestamp_ms("endTime")?;
        let tokens = match row
            .get(&["usagedetails", "usage_details"])
            .json("usageDetails")?
        {
            Some(v) => match v.as_object() {
                Some(map) => from_usage_details(map)?,
                None => {
                    return Err(FieldProblem::new(
                        "usageDetails",
                        "expected an object of token counts",
                    ))
                }
            },
            None => {
                let prompt = row
                    .get(&["prompttokens", "prompt_tokens", "inputusage"])
                    .count("promptTokens")?;
                let completion = row
                    .get(&["completiontokens", "completion_tokens", "outputusage"])
                    .count("completionTokens")?;
                match (prompt, completion) {
                    (None, None) => {
                        return Err(FieldProblem::new(
                            "usageDetails",
                            "missing: a generation without usage",
                        ))
                    }
                    (p, c) => [p.unwrap_or(0), 0, 0, c.unwrap_or(0), 0],
                }
            }
        };
        let params = row
            .get(&["modelparameters", "model_parameters"])
            .json("modelParameters")?;
        let max_tokens = ["max_completion_tokens", "max_tokens", "max_output_tokens"]
            .iter()
            .find_map(|k| params.as_deref().and_then(|p| p.get(*k)).and_then(as_count));
        let failed = row
            .get(&["level"])
            .text("level")?
            .is_some_and(|l| l.eq_ignore_ascii_case("error"));
        let model = row
            .get(&["model", "providedmodelname", "provided_model_name"])
            .text("model")?
            .map(|m| m.into_owned())
            .unwrap_or_default();
        Ok(Some((
            model,
            RowValues {
                timestamp_ms: start,
                prompt_tokens: Some(tokens[0]),
                cached_tokens: Some(tokens[1]),
                cache_write_tokens: Some(tokens[2]),
                completion_tokens: Some(tokens[3]),
                reasoning_tokens: Some(tokens[4]),
                max_completion_tokens: max_tokens,
                status: failed.then_some(500),
                latency_ms: match (start, end) {
                    (Some(s), Some(e)) if e >= s => Some((e - s) as u64),
                    _ => None,
                },
            },
        )))
    }
}

impl RowSource for LangfuseRows {
    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), UsageError> {
        match self.parse(row) {
            Ok(Some((model, values))) => {
                out.request(row.line, ["", model.as_str(), ""], Ok(values))
            }
            Ok(None) => Ok(()),
            Err(p) => out.problem(row.line, p),
        }
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Result<(), UsageError> {
        if self.other_types > 0 {
            out.summary.note(format!(
                "{} Langfuse observation(s) were not generations (spans, events) and carry no model usage: left out",
                self.other_types
            ));
        }
        Ok(())
    }
}
