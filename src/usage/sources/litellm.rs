//! LiteLLM proxy `LiteLLM_SpendLogs` rows: the UI CSV, `/spend/logs` JSON, or a Postgres
//! `COPY ... TO STDOUT WITH CSV HEADER` (column names as in `schema.prisma`).
//!
//! Names. LiteLLM's usual Azure configuration is `model: azure/<deployment-name>`, so the log's
//! `model` often names the **Azure deployment**, not a model (the deployment may also be in
//! `api_base`'s path, `/openai/deployments/<name>`). Then the workload's deployment is that
//! Azure deployment, and its model is, in order: `--model-map <deployment>=MODEL`,
//! `--model-map <model_group>=MODEL`, the deployment's name or the `model_group` when either is a
//! model ptuplan knows (deployments are often named after their model); else the row is an
//! error that names the deployment and the `--model-map` to pass. Otherwise the deployment is
//! `model_group` (the public alias) and the model is `model` without a `provider/` prefix.
//! Region: from `api_base` where its host names one (`https://eastus2.api.cognitive.microsoft.com`,
//! `https://myres-swedencentral.openai.azure.com`), said in a note, else `--region`. Cached and reasoning
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
    /// Regions read from `api_base` hosts: (host, region) -> rows.
    regions: std::collections::BTreeMap<(String, String), u64>,
    /// Azure deployments named by `azure/<name>` or `api_base`: (deployment, how its model was
    /// found) -> rows.
    deployments: std::collections::BTreeMap<(String, String), u64>,
}

/// The host of an endpoint URL, lower case.
fn host_of(api_base: &str) -> Option<String> {
    let host = api_base
        .split("://")
        .nth(1)
        .unwrap_or(api_base)
        .split(['/', ':', '?'])
        .next()?
        .to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// The Azure deployment an endpoint URL's path names (`/openai/deployments/<name>/...`).
fn deployment_in_path(api_base: &str) -> Option<String> {
    let after = api_base.split("/deployments/").nth(1)?;
    let name = after.split(['/', '?']).next()?.trim();
    (!name.is_empty()).then(|| name.to_owned())
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

/// The region an endpoint host names, if the resolver knows it.
fn region_of(host: &str, out: &Out<'_>) -> Option<String> {
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
        let raw_model = row
            .get(&["model"])
            .text("model")?
            .map(|m| m.into_owned())
            .unwrap_or_default();
        let group = row
            .get(&["model_group"])
            .text("model_group")?
            .map(|s| s.into_owned())
            .unwrap_or_default();
        let api_base = row
            .get(&["api_base"])
            .text("api_base")?
            .map(|s| s.into_owned())
            .unwrap_or_default();
        let (deployment, model) = self.names(&raw_model, &group, &api_base, out)?;
        let region = match host_of(&api_base) {
            Some(host) => match region_of(&host, out) {
                Some(region) => {
                    *self.regions.entry((host, region.clone())).or_insert(0) += 1;
                    region
                }
                None => String::new(),
            },
            None => String::new(),
        };
        Ok(Some(([deployment, model, region], values)))
    }
}

impl LiteLlmRows {
    /// The workload's deployment and model name (see the module docs).
    fn names(
        &mut self,
        raw_model: &str,
        group: &str,
        api_base: &str,
        out: &Out<'_>,
    ) -> Result<(String, String), FieldProblem> {
        let (prefix, rest) = raw_model.split_once('/').unwrap_or(("", raw_model));
        let azure = if prefix.eq_ignore_ascii_case("azure") {
            Some(rest.to_owned())
        } else {
            deployment_in_path(api_base)
        };
        let Some(azure) = azure.filter(|d| !d.is_empty()) else {
            return Ok((group.to_owned(), rest.to_owned()));
        };
        let r = out.resolver();
        let named = |n: &str| !n.is_empty();
        let found = if let Some(m) = named(&azure).then(|| r.mapped_model(&azure)).flatten() {
            Some((m, format!("--model-map {azure}")))
        } else if let Some(m) = named(group).then(|| r.mapped_model(group)).flatten() {
            Some((m, format!("--model-map {group} (model_group)")))
        } else if r.is_known_model(&azure) {
            Some((azure.clone(), "its name, a model ptuplan knows".to_owned()))
        } else if named(group) && r.is_known_model(group) {
            Some((group.to_owned(), format!("model_group `{group}`")))
        } else {
            None
        };
        let Some((model, how)) = found else {
            return Err(FieldProblem::new(
                "model",
                format!(
                    "LiteLLM model `{}` names the Azure deployment `{}`, not a model, and neither it nor model_group `{}` is a model ptuplan knows: pass --model-map {}=MODEL (e.g. --model-map {}=gpt-5.1)",
                    raw_model.escape_debug(),
                    azure.escape_debug(),
                    group.escape_debug(),
                    azure.escape_debug(),
                    azure.escape_debug()
                ),
            ));
        };
        *self.deployments.entry((azure.clone(), how)).or_insert(0) += 1;
        Ok((azure, model))
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
        for ((host, region), rows) in &self.regions {
            out.summary.note(format!(
                "LiteLLM: region `{region}` read from api_base host `{host}` ({rows} row(s)); --region applies only to rows whose api_base names none"
            ));
        }
        for ((deployment, how), rows) in &self.deployments {
            out.summary.note(format!(
                "LiteLLM: model `azure/{deployment}` (or api_base) names the Azure deployment `{deployment}`: its model comes from {how} ({rows} row(s))"
            ));
        }
        if self.cache_hits > 0 {
            out.summary.note(format!(
                "{} LiteLLM row(s) were answered from LiteLLM's response cache (cache_hit) and left out: no model call was made",
                self.cache_hits
            ));
        }
        Ok(())
    }
}
