//! LiteLLM proxy `LiteLLM_SpendLogs` rows: the UI CSV, `/spend/logs` JSON, or a Postgres
//! `COPY ... TO STDOUT WITH CSV HEADER` (column names as in `schema.prisma`).
//!
//! Deployment: `model_group` (the public alias). Model: `model`, without a `provider/` prefix.
//! Region: from `api_base` where its host names one (`https://eastus2.api.cognitive.microsoft.com`,
//! `https://myres-swedencentral.openai.azure.com`), else `--region`. Cached and reasoning
//! tokens are not columns: they come from `metadata.usage_object` (`prompt_tokens_details`,
//! `completion_tokens_details`; `metadata` is JSON text in CSV). `max_tokens` comes from
//! `proxy_server_request` when prompts are stored. Status: `success`/`failure`. Latency:
//! `request_duration_ms`, else `endTime - startTime`. `cache_hit` is LiteLLM's own response
//! cache (no provider call), so such rows are left out and counted.

use serde_json::Value;

use super::{Out, Row, RowSource};
use crate::usage::{FieldProblem, RowValues, UsageError};

/// LiteLLM spend-log rows.
#[derive(Default)]
pub struct LiteLlmRows {
    cache_hits: u64,
}

fn nested_u64(v: Option<&Value>, path: &[&str]) -> Option<u64> {
    let mut cur = v?;
    for p in path {
        cur = cur.get(*p)?;
    }
    cur.as_u64().or_else(|| {
        cur.as_f64()
            .filter(|f| *f >= 0.0 && f.fract() == 0.0)
            .map(|f| f as u64)
    })
}

/// The region an endpoint URL names, if the resolver knows it.
fn region_of(api_base: &str, out: &Out<'_>) -> Option<String> {
    let host = api_base
        .split("://")
        .nth(1)
        .unwrap_or(api_base)
        .split(['/', ':'])
        .next()?
        .to_ascii_lowercase();
    host.split(['.', '-'])
        .find(|token| out.resolver().is_known_region(token))
        .map(str::to_owned)
}

impl LiteLlmRows {
    fn parse(
        &mut self,
        row: &Row<'_>,
        out: &Out<'_>,
    ) -> Result<Option<([String; 3], RowValues)>, FieldProblem> {
        if row
            .get(&["cache_hit"])
            .text("cache_hit")?
            .is_some_and(|c| c.eq_ignore_ascii_case("true"))
        {
            self.cache_hits += 1;
            return Ok(None);
        }
        let start = row
            .get(&["starttime", "start_time"])
            .timestamp_ms("startTime")?;
        let end = row.get(&["endtime", "end_time"]).timestamp_ms("endTime")?;
        let metadata = row.get(&["metadata"]).json("metadata")?;
        let usage = metadata.as_deref().and_then(|m| m.get("usage_object"));
        let request = row
            .get(&["proxy_server_request"])
            .json("proxy_server_request")?;
        let max_tokens = ["max_completion_tokens", "max_tokens", "max_output_tokens"]
            .iter()
            .find_map(|k| nested_u64(request.as_deref(), &[k]));
        let latency = match row
            .get(&["request_duration_ms"])
            .count("request_duration_ms")?
        {
            Some(ms) => Some(ms),
            None => match (start, end) {
                (Some(s), Some(e)) if e >= s => Some((e - s) as u64),
                _ => None,
            },
        };
        let cached = nested_u64(usage, &["prompt_tokens_details", "cached_tokens"])
            .or_else(|| nested_u64(usage, &["cache_read_input_tokens"]));
        let values = RowValues {
            timestamp_ms: start,
            prompt_tokens: row.get(&["prompt_tokens"]).count("prompt_tokens")?,
            cached_tokens: cached,
            cache_write_tokens: nested_u64(usage, &["prompt_tokens_details", "cache_write_tokens"]),
            completion_tokens: row.get(&["completion_tokens"]).count("completion_tokens")?,
            reasoning_tokens: nested_u64(usage, &["completion_tokens_details", "reasoning_tokens"]),
            max_completion_tokens: max_tokens,
            status: row.get(&["status"]).status("status")?,
            latency_ms: latency,
        };
        let model = row
            .get(&["model"])
            .text("model")?
            .map(|m| m.rsplit('/').next().unwrap_or(&m).to_owned())
            .unwrap_or_default();
        let deployment = row
            .get(&["model_group"])
            .text("model_group")?
            .map(|s| s.into_owned())
            .unwrap_or_default();
        let region = row
            .get(&["api_base"])
            .text("api_base")?
            .and_then(|b| region_of(&b, out))
            .unwrap_or_default();
        Ok(Some(([deployment, model, region], values)))
    }
}

impl RowSource for LiteLlmRows {
    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), UsageError> {
        match self.parse(row, out) {
            Ok(Some((key, values))) => {
                let k = [key[0].as_str(), key[1].as_str(), key[2].as_str()];
                out.request(row.line, k, Ok(values))
            }
            Ok(None) => Ok(()),
            Err(p) => out.problem(row.line, p),
        }
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Result<(), UsageError> {
        if self.cache_hits > 0 {
            out.summary.note(format!(
                "{} LiteLLM row(s) were answered from LiteLLM's response cache (cache_hit) and left out: no model call was made",
                self.cache_hits
            ));
        }
        Ok(())
    }
}
