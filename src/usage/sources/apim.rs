//! Azure API Management `ApiManagementGatewayLlmLog` exports: the Log Analytics portal CSV
//! (`TimeGenerated [UTC]` in US-locale times) or `az monitor log-analytics query -o json`.
//!
//! One request per `CorrelationId`: a message over 32 KB is logged in chunks (rows with a
//! `SequenceNumber`), so rows of one id are collapsed (largest token counts, earliest time),
//! as Microsoft's own query does. Rows of one request are logged together; a request is
//! emitted once no row of it has been seen within [`COLLAPSE_WINDOW_MS`] of the current row's
//! time (memory: the requests of that window). `Region` display names ("East US 2") are read
//! as ARM names. Status and latency come from the joined `ApiManagementGatewayLogs` columns
//! `BackendResponseCode` and `BackendTime` when present (else `ResponseCode`, `TotalTime`).
//! Lost: cached and reasoning tokens and `max_tokens` (the table has no such columns).

use std::collections::{HashMap, VecDeque};

use super::{Out, Row, RowSource};
use crate::usage::{FieldProblem, RowValues, UsageError};

/// Rows of one `CorrelationId` further apart than this are not collapsed.
pub const COLLAPSE_WINDOW_MS: i64 = 10 * 60_000;

#[derive(Debug, Clone)]
struct Pending {
    line: u64,
    key: [String; 3],
    values: RowValues,
}

/// APIM LLM log rows, collapsed per `CorrelationId`.
#[derive(Default)]
pub struct ApimRows {
    pending: HashMap<String, Pending>,
    order: VecDeque<(String, i64)>,
    chunks: u64,
}

impl ApimRows {
    fn parse(row: &Row<'_>) -> Result<(Option<String>, [String; 3], RowValues), FieldProblem> {
        let text = |aliases: &[&str], field: &'static str| -> Result<String, FieldProblem> {
            Ok(row
                .get(aliases)
                .text(field)?
                .map(|s| s.into_owned())
                .unwrap_or_default())
        };
        let status = match row
            .get(&["backendresponsecode"])
            .status("BackendResponseCode")?
        {
            Some(s) => Some(s),
            None => row.get(&["responsecode"]).status("ResponseCode")?,
        };
        let latency = match row.get(&["backendtime"]).number("BackendTime")? {
            Some(ms) => Some(ms),
            None => row.get(&["totaltime"]).number("TotalTime")?,
        };
        let values = RowValues {
            timestamp_ms: row
                .get(&["timegenerated [utc]", "timegenerated", "timestamp"])
                .timestamp_ms("TimeGenerated")?,
            prompt_tokens: row.get(&["prompttokens"]).count("PromptTokens")?,
            completion_tokens: row.get(&["completiontokens"]).count("CompletionTokens")?,
            status,
            latency_ms: latency.filter(|v| *v >= 0.0).map(|v| v.round() as u64),
            ..RowValues::default()
        };
        let id = row
            .get(&["correlationid"])
            .text("CorrelationId")?
            .map(|s| s.into_owned());
        let key = [
            text(&["deploymentname"], "DeploymentName")?,
            text(&["modelname"], "ModelName")?,
            text(&["region"], "Region")?,
        ];
        Ok((id, key, values))
    }

    fn flush_before(&mut self, now_ms: Option<i64>, out: &mut Out<'_>) -> Result<(), UsageError> {
        while let Some((id, t)) = self.order.front().cloned() {
            if now_ms.is_some_and(|now| now.abs_diff(t) <= COLLAPSE_WINDOW_MS.unsigned_abs()) {
                break;
            }
            self.order.pop_front();
            // An id an earlier input held is the same request in overlapping exports.
            if let Some(p) = self
                .pending
                .remove(&id)
                .filter(|_| !out.request_id_seen(&id, false))
            {
                let key = [p.key[0].as_str(), p.key[1].as_str(), p.key[2].as_str()];
                out.request(p.line, key, Ok(p.values))?;
            }
        }
        Ok(())
    }
}

fn max_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

impl RowSource for ApimRows {
    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), UsageError> {
        let (id, key, values) = match Self::parse(row) {
            Ok(v) => v,
            Err(p) => return out.problem(row.line, p),
        };
        let now = values.timestamp_ms;
        self.flush_before(now, out)?;
        let Some(id) = id.filter(|i| !i.is_empty()) else {
            let k = [key[0].as_str(), key[1].as_str(), key[2].as_str()];
            return out.request(row.line, k, Ok(values));
        };
        match self.pending.get_mut(&id) {
            Some(p) => {
                self.chunks += 1;
                let v = &mut p.values;
                v.prompt_tokens = max_opt(v.prompt_tokens, values.prompt_tokens);
                v.completion_tokens = max_opt(v.completion_tokens, values.completion_tokens);
                v.timestamp_ms = match (v.timestamp_ms, values.timestamp_ms) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                v.status = v.status.or(values.status);
                v.latency_ms = v.latency_ms.or(values.latency_ms);
            }
            None => {
                self.order.push_back((id.clone(), now.unwrap_or(i64::MIN)));
                self.pending.insert(
                    id,
                    Pending {
                        line: row.line,
                        key,
                        values,
                    },
                );
            }
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Result<(), UsageError> {
        self.flush_before(None, out)?;
        out.note_request_ids("CorrelationId");
        if self.chunks > 0 {
            out.summary.note(format!(
                "{} APIM row(s) were further chunks of a request (same CorrelationId) and were collapsed into it",
                self.chunks
            ));
        }
        out.summary.note("APIM LLM logs have no cached or reasoning tokens and no max_tokens: cached tokens are priced as uncached, admission charges the actual completion");
        Ok(())
    }
}
