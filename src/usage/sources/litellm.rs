//! LiteLLM proxy `LiteLLM_SpendLogs` rows: the UI CSV, `/spend/logs` JSON, or a Postgres
//! `COPY ... TO STDOUT WITH CSV HEADER` (column names as in `schema.prisma`).
//!
//! Names. A `model` column that names a model ptuplan knows (after a `provider/` prefix other
//! than `azure/`) is the model, whatever `model_group` or `--model-map` say (a map that
//! contradicts it is an error); the deployment is the Azure deployment in `api_base`'s path
//! (`/openai/deployments/<name>`), else `model_group` (the public alias). LiteLLM's usual Azure
//! configuration is `model: azure/<deployment-name>`, so the log's `model` often names the
//! **Azure deployment**, not a model: then the workload's deployment is that Azure deployment,
//! and its model is, in order: `--model-map <deployment>=MODEL`, `--model-map
//! <model_group>=MODEL`, the deployment's name or the `model_group` when either is a model
//! ptuplan knows (deployments are often named after their model); else the row is an error
//! that names the deployment and the `--model-map` to pass. The same holds for an unknown
//! `model` beside an `api_base` that names a deployment. Region: `--region` when given; else
//! from `api_base` only where it is Azure's regional endpoint
//! (`https://eastus2.api.cognitive.microsoft.com`), said in a note (a resource's own host name,
//! `team-westus-proxy.openai.azure.com`, is its owner's choice, not a region). Cached and reasoning
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
    /// Regions `api_base` hosts name that `--region` overrode: (host, region, flag) -> rows.
    overridden: std::collections::BTreeMap<(String, String, String), u64>,
    /// Azure deployments named by `azure/<name>` or `api_base`: (deployment, how its model was
    /// found when the row's model column did not name it) -> rows.
    deployments: std::collections::BTreeMap<(String, Option<String>), u64>,
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

/// The region an endpoint host names: only Azure's regional endpoint,
/// `<region>.api.cognitive.microsoft.com`, names one. A resource's own host
/// (`<resource>.openai.azure.com`) carries a name its owner chose (`team-westus-proxy`), which
/// says nothing reliable about where it runs.
fn region_of(host: &str, out: &Out<'_>) -> Option<String> {
    let region = host.strip_suffix(".api.cognitive.microsoft.com")?;
    (!region.contains('.') && out.resolver().is_known_region(region)).then(|| region.to_owned())
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
        let from_host = host_of(&api_base).and_then(|host| Some((region_of(&host, out)?, host)));
        let region = match (from_host, out.resolver().default_region()) {
            // An explicit --region wins over a region read from an endpoint.
            (Some((region, host)), Some(flag)) => {
                if region != flag {
                    *self.overridden.entry((host, region, flag)).or_insert(0) += 1;
                }
                String::new()
            }
            (Some((region, host)), None) => {
                *self.regions.entry((host, region.clone())).or_insert(0) += 1;
                region
            }
            (None, _) => String::new(),
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
        let r = out.resolver();
        let names_deployment = prefix.eq_ignore_ascii_case("azure");
        let in_path = deployment_in_path(api_base).filter(|d| !d.is_empty());
        // A model column that names a model ptuplan knows is the model: it wins over any
        // `--model-map` of the deployment (a contradicting map is an error, see
        // `WorkloadRegistry::model_map_conflicts`) and over `model_group`.
        if !names_deployment && (r.is_known_model(rest) || in_path.is_none()) {
            let deployment = match in_path {
                Some(d) => {
                    *self.deployments.entry((d.clone(), None)).or_insert(0) += 1;
                    d
                }
                None => group.to_owned(),
            };
            return Ok((deployment, rest.to_owned()));
        }
        let azure = if names_deployment {
            Some(rest.to_owned())
        } else {
            in_path
        };
        let Some(azure) = azure.filter(|d| !d.is_empty()) else {
            return Ok((group.to_owned(), rest.to_owned()));
        };
        let named = |n: &str| !n.is_empty();
        let found = if let Some(m) = named(&azure).then(|| r.mapped_model(&azure)).flatten() {
            Some((
                m,
                format!("--model-map {}", crate::text::shell_word(&azure)),
            ))
        } else if let Some(m) = named(group).then(|| r.mapped_model(group)).flatten() {
            Some((
                m,
                format!(
                    "--model-map {} (model_group)",
                    crate::text::shell_word(group)
                ),
            ))
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
                    "LiteLLM model `{}` names the Azure deployment `{}`, not a model, and neither it nor model_group `{}` is a model ptuplan knows: pass --model-map {} (e.g. --model-map {})",
                    raw_model.escape_debug(),
                    azure.escape_debug(),
                    group.escape_debug(),
                    crate::text::shell_word(&format!("{}=MODEL", azure.escape_debug())),
                    crate::text::shell_word(&format!("{}=gpt-5.1", azure.escape_debug()))
                ),
            ));
        };
        let how = if names_deployment {
            format!("model `azure/{azure}` names the Azure deployment `{azure}`: its model comes from {how}")
        } else {
            format!("api_base's path names the Azure deployment `{azure}` and model `{raw_model}` is no model ptuplan knows: its model comes from {how}")
        };
        *self
            .deployments
            .entry((azure.clone(), Some(how)))
            .or_insert(0) += 1;
        Ok((azure, model))
    }
}

impl RowSource for LiteLlmRows {
    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), UsageError> {
        match self.parse(row, out) {
            Ok(Some((key, values))) => {
                // LiteLLM's request_id is the spend log's primary key: a repeat is the same
                // request logged twice (overlapping exports), counted once.
                let id = match row.get(&["request_id"]).text("request_id") {
                    Ok(id) => id.map(|s| s.into_owned()).filter(|s| !s.is_empty()),
                    Err(p) => return out.problem(row.line, p),
                };
                if id.is_some_and(|id| out.request_id_seen(&id, true)) {
                    return Ok(());
                }
                let k = [key[0].as_str(), key[1].as_str(), key[2].as_str()];
                out.request(row.line, k, Ok(values))
            }
            Ok(None) => Ok(()),
            Err(p) => out.problem(row.line, p),
        }
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Result<(), UsageError> {
        out.note_request_ids("request_id");
        for ((host, region), rows) in &self.regions {
            out.summary.note(format!(
                "LiteLLM: region `{region}` read from api_base's regional endpoint `{host}` ({rows} row(s)); pass --default-region to set another"
            ));
        }
        for ((host, region, flag), rows) in &self.overridden {
            out.summary.note(format!(
                "LiteLLM: api_base `{host}` is the regional endpoint of `{region}`, but --default-region {flag} applies ({rows} row(s)): the flag wins"
            ));
        }
        for ((deployment, how), rows) in &self.deployments {
            out.summary.note(match how {
                Some(how) => format!("LiteLLM: {how} ({rows} row(s))"),
                None => format!(
                    "LiteLLM: api_base's path names the Azure deployment `{deployment}`: the workload is that deployment, its model the model column ({rows} row(s))"
                ),
            });
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
