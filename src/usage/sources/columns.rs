//! Tables in ptuplan's own column names, and any other table through a `--columns` mapping.
//!
//! Two shapes share the names of the per-request CSV:
//! - **requests**: `timestamp`, `deployment`, `model`, `region`, `prompt_tokens`,
//!   `cached_tokens`, `cache_write_tokens`, `completion_tokens`, `reasoning_tokens`,
//!   `max_completion_tokens`, `status`, `latency_ms` (as JSON or Parquet columns, or any CSV
//!   or JSON through `--columns timestamp=ts,prompt_tokens=InputTokens,...`);
//! - the **per-bucket aggregate** (`bucket_start` present): `bucket_start`, `bucket`
//!   (`second|minute|hour|day`, `1s|1m|1h|1d` or `PT1M`; or `bucket_seconds`), optional
//!   `bucket_end` (a partial bucket), `deployment`, `model`, `region`, `requests` (all of
//!   them, failed included; empty = unknown), the token sums of successful requests,
//!   `status_NNN` / `status_4xx` / `status_5xx` counts of failed requests (`status_2xx` is
//!   counted as successful; with no `requests` column, the status counts add up to it),
//!   `max_tokens_max`, the largest `max_tokens` in the bucket, and `max_tokens_sum` /
//!   `max_tokens_requests`, the sum of `max_tokens` over the successful requests that logged
//!   one and how many did (see [`crate::usage::aggregate`] for how each is replayed).

use super::{Out, Row, RowSource};
use crate::usage::aggregate::{BucketAggregate, Granularity};
use crate::usage::formats::resolve_columns;
use crate::usage::names::{concat_names, REQUEST_FIELDS, SPILLOVER_FIELDS};
use crate::usage::{FieldProblem, RowValues, SpilloverHeaders, UsageError};

/// `--columns`: canonical field name -> the table's column name.
pub type ColumnMap = Vec<(String, String)>;

/// Every canonical field a `--columns` mapping may name.
pub const CANONICAL_FIELDS: [&str; 20] = concat_names(
    REQUEST_FIELDS,
    [
        "bucket_start",
        "bucket",
        "bucket_seconds",
        "bucket_end",
        "requests",
        "status_429",
        "status_4xx",
        "status_5xx",
    ],
);

/// Fields a mapping may name besides [`CANONICAL_FIELDS`]: the bucket's largest `max_tokens`
/// and the spillover response headers (see [`crate::usage::SpilloverHeaders`]).
pub const EXTRA_FIELDS: [&str; 4] = concat_names(["max_tokens_max"], SPILLOVER_FIELDS);

/// Parse `--columns` (`FIELD=COLUMN,...`; also the [`EXTRA_FIELDS`]).
pub fn parse_column_map(text: &str) -> Result<ColumnMap, String> {
    let mut map = ColumnMap::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (field, column) = part
            .split_once('=')
            .ok_or_else(|| format!("`{part}`: expected FIELD=COLUMN"))?;
        let field = field.trim().to_ascii_lowercase();
        if !CANONICAL_FIELDS.contains(&field.as_str()) && !EXTRA_FIELDS.contains(&field.as_str()) {
            return Err(format!(
                "`{field}` is not a field ptuplan reads; fields: {}, {}",
                CANONICAL_FIELDS.join(", "),
                EXTRA_FIELDS.join(", ")
            ));
        }
        if column.trim().is_empty() {
            return Err(format!("`{part}`: the column name is empty"));
        }
        if map.iter().any(|(f, _)| *f == field) {
            return Err(format!("`{field}` is mapped twice"));
        }
        map.push((field, column.trim().to_owned()));
    }
    if map.is_empty() {
        return Err("expected FIELD=COLUMN,...".to_owned());
    }
    Ok(map)
}

/// Column indexes of one header version.
#[derive(Debug, Default, Clone)]
struct Cols {
    version: u64,
    idx: Vec<Option<usize>>,
    /// Failed-request count columns and the status each stands for.
    statuses: Vec<(usize, Option<u16>)>,
    aggregate: bool,
}

/// Rows in ptuplan's column names, or mapped with `--columns`.
pub struct MappedRows {
    map: Option<ColumnMap>,
    cols: Option<Cols>,
}

impl MappedRows {
    /// Rows read with `map` (or ptuplan's own names).
    pub fn new(map: Option<ColumnMap>) -> MappedRows {
        MappedRows { map, cols: None }
    }

    fn columns(&mut self, row: &Row<'_>, out: &Out<'_>) -> Result<Cols, UsageError> {
        if let Some(c) = &self.cols {
            if c.version == row.header.version() {
                return Ok(c.clone());
            }
        }
        let known: Vec<&str> = CANONICAL_FIELDS
            .iter()
            .chain(EXTRA_FIELDS.iter())
            .copied()
            .collect();
        let resolved = resolve_columns(row.header.names(), self.map.as_deref());
        let idx: Vec<Option<usize>> = known
            .iter()
            .map(|f| {
                resolved
                    .iter()
                    .find(|(field, _)| field == f)
                    .map(|(_, i)| *i)
            })
            .collect();
        if let Some(map) = &self.map {
            let missing: Vec<&str> = map
                .iter()
                .filter(|(_, c)| {
                    row.header
                        .find(&[crate::usage::formats::exact_name(c).as_str()])
                        .is_none()
                })
                .map(|(_, c)| c.as_str())
                .collect();
            // JSON rows may bring keys later; a CSV or Parquet header is complete.
            if !missing.is_empty() && row.width() == row.header.names().len() && row.line <= 2 {
                return Err(out.file_error(format!(
                    "--columns names column(s) {} that the input does not have; its columns: {}",
                    missing.join(", "),
                    row.header.names().join(", ")
                )));
            }
        }
        let aggregate = idx[12].is_some();
        let mut statuses = Vec::new();
        if aggregate {
            for (i, name) in row.header.names().iter().enumerate() {
                match status_count_column(name) {
                    Ok(Some(s)) => statuses.push((i, s)),
                    Ok(None) => {}
                    Err(why) => return Err(out.file_error(why)),
                }
            }
            let named = |n: &str| {
                row.header
                    .names()
                    .iter()
                    .any(|c| crate::usage::formats::loose(c) == n)
            };
            if named("failedrequests") && named("throttledrequests") {
                return Err(out.file_error(
                    "the columns `failed_requests` and `throttled_requests` are both given, and \
                     ptuplan cannot tell whether the failed count includes the throttled one \
                     (it would count those requests twice or not at all); give disjoint counts \
                     as `status_429`, `status_4xx` (without 429) and `status_5xx`",
                ));
            }
        }
        for (k, code) in [(17, 429), (18, 400), (19, 500)] {
            if let Some(i) = idx[k] {
                if !statuses.iter().any(|(j, _)| *j == i) {
                    statuses.push((i, Some(code)));
                }
            }
        }
        let required: &[(usize, &str)] = if aggregate {
            &[(12, "bucket_start")]
        } else {
            &[
                (0, "timestamp"),
                (4, "prompt_tokens"),
                (7, "completion_tokens"),
            ]
        };
        let missing: Vec<&str> = required
            .iter()
            .filter(|(i, _)| idx[*i].is_none())
            .map(|(_, n)| *n)
            .collect();
        if !missing.is_empty() && row.line <= 2 && row.width() == row.header.names().len() {
            return Err(out.file_error(format!(
                "no column for {}; found [{}]; map yours with --columns FIELD=COLUMN (fields: {})",
                missing.join(", "),
                row.header.names().join(", "),
                known.join(", ")
            )));
        }
        let cols = Cols {
            version: row.header.version(),
            idx,
            statuses,
            aggregate,
        };
        self.cols = Some(cols.clone());
        Ok(cols)
    }
}

/// What a per-bucket column counts, by its loose name: `Some(None)` successful requests
/// (`status_2xx`, `status_200`), `Some(Some(code))` failed requests with that status
/// (`status_429`, `Status 503`, `status-4xx`, `throttled_requests` as 429, `failed_requests`
/// as 500), `None` for a column that is no status count. A status count of no HTTP status
/// (`status_600`, `status_6xx`) is refused rather than left unread: its requests would vanish.
fn status_count_column(name: &str) -> Result<Option<Option<u16>>, String> {
    let l = crate::usage::formats::loose(name);
    match l.as_str() {
        "throttledrequests" => return Ok(Some(Some(429))),
        "failedrequests" => return Ok(Some(Some(500))),
        _ => {}
    }
    let Some(rest) = l.strip_prefix("status") else {
        return Ok(None);
    };
    let refused = || {
        format!(
            "column `{}`: not a count of an HTTP status; status counts are `status_NNN` (a status \
             100 to 599) or `status_1xx` to `status_5xx`",
            name.trim()
        )
    };
    if let Some(class) = rest.strip_suffix("xx") {
        return match class {
            "2" => Ok(Some(None)),
            "1" => Ok(Some(Some(100))),
            "3" => Ok(Some(Some(300))),
            "4" => Ok(Some(Some(400))),
            "5" => Ok(Some(Some(500))),
            _ if !class.is_empty() && class.bytes().all(|b| b.is_ascii_digit()) => Err(refused()),
            _ => Ok(None),
        };
    }
    // One `status` column cannot hold a bucket's many statuses: refused, never left unread.
    if rest.is_empty() || rest == "code" {
        return Err(format!(
            "column `{}`: a per-bucket file has no single status; count each status in its own \
             column (`status_429`, `status_4xx`, `status_5xx`, `status_NNN`)",
            name.trim()
        ));
    }
    if !rest.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    match rest.parse::<u16>() {
        Ok(c) if (100..=599).contains(&c) => Ok(Some((!(200..300).contains(&c)).then_some(c))),
        _ => Err(refused()),
    }
}

impl RowSource for MappedRows {
    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), UsageError> {
        let c = self.columns(row, out)?;
        let cell = |i: usize| row.cell(c.idx[i]);
        let key = match (
            cell(1).text("deployment"),
            cell(2).text("model"),
            cell(3).text("region"),
        ) {
            (Ok(d), Ok(m), Ok(r)) => [d, m, r],
            (Err(p), _, _) | (_, Err(p), _) | (_, _, Err(p)) => return out.problem(row.line, p),
        };
        let mut key_str = [
            key[0].as_deref().unwrap_or(""),
            key[1].as_deref().unwrap_or(""),
            key[2].as_deref().unwrap_or(""),
        ];
        if c.aggregate {
            let agg = aggregate_of(row, &c);
            return out.aggregate(row.line, key_str, agg);
        }
        let headers = (
            cell(21).text("spillover_from_deployment"),
            cell(22).text("spillover_error"),
            cell(23).text("served_deployment"),
        );
        let (from, error, served) = match headers {
            (Ok(f), Ok(e), Ok(s)) => (f, e, s),
            (Err(p), _, _) | (_, Err(p), _) | (_, _, Err(p)) => return out.problem(row.line, p),
        };
        let values = (|| {
            let values = RowValues {
                timestamp_ms: cell(0).timestamp_ms("timestamp")?,
                prompt_tokens: row.tokens(c.idx[4], "prompt_tokens")?,
                cached_tokens: row.tokens(c.idx[5], "cached_tokens")?,
                cache_write_tokens: row.tokens(c.idx[6], "cache_write_tokens")?,
                completion_tokens: row.tokens(c.idx[7], "completion_tokens")?,
                reasoning_tokens: row.tokens(c.idx[8], "reasoning_tokens")?,
                max_completion_tokens: cell(9).count("max_completion_tokens")?,
                status: cell(10).status("status")?,
                latency_ms: cell(11).count("latency_ms")?,
            };
            let headers = SpilloverHeaders {
                from: from.as_deref().map(str::as_bytes),
                error: error.as_deref().map(str::as_bytes),
                served: served.as_deref().map(str::as_bytes),
            };
            let (deployment, spill) = headers.resolve(key_str[0].as_bytes(), values.status)?;
            Ok((values, deployment, spill))
        })();
        let (values, spill) = match values {
            Ok((v, deployment, spill)) => {
                key_str[0] = std::str::from_utf8(deployment).unwrap_or_default();
                (Ok(v), spill)
            }
            Err(p) => (Err(p), false),
        };
        let before = out.summary.records;
        out.request(row.line, key_str, values)?;
        if spill && out.summary.records > before {
            out.summary.spilled_requests += 1;
        }
        Ok(())
    }
}

fn aggregate_of(row: &Row<'_>, c: &Cols) -> Result<BucketAggregate, FieldProblem> {
    let cell = |i: usize| row.cell(c.idx[i]);
    let start_ms = cell(12)
        .timestamp_ms("bucket_start")?
        .ok_or_else(|| FieldProblem::new("bucket_start", "empty"))?;
    let granularity = match (cell(13).text("bucket")?, cell(14).count("bucket_seconds")?) {
        (Some(name), _) => Granularity::parse_bucket(&name).ok_or_else(|| {
            FieldProblem::new(
                "bucket",
                format!(
                    "`{name}` is not a bucket; use second, minute, hour or day (or 1s, 1m, 1h, 1d)"
                ),
            )
        })?,
        (None, Some(secs)) => match secs {
            1 => Granularity::Second,
            60 => Granularity::Minute,
            3600 => Granularity::Hour,
            86_400 => Granularity::Day,
            other => {
                return Err(FieldProblem::new(
                    "bucket_seconds",
                    format!("{other} s is not a bucket; use 1, 60, 3600 or 86400"),
                ))
            }
        },
        (None, None) => {
            return Err(FieldProblem::new(
                "bucket",
                "missing: add a `bucket` column (second, minute, hour or day)",
            ))
        }
    };
    let mut agg = BucketAggregate::new(start_ms, granularity);
    if let Some(end) = cell(15).timestamp_ms("bucket_end")? {
        let nominal = granularity.bucket_ms().unwrap_or(1);
        if end <= start_ms || end - start_ms > nominal {
            return Err(FieldProblem::new(
                "bucket_end",
                format!(
                    "must be after bucket_start and at most one {} later",
                    granularity.as_str()
                ),
            ));
        }
        agg.length_ms = end - start_ms;
    }
    agg.requests = cell(16).count("requests")?;
    agg.prompt_tokens = row.tokens(c.idx[4], "prompt_tokens")?.unwrap_or(0);
    agg.cached_tokens = row.tokens(c.idx[5], "cached_tokens")?.unwrap_or(0);
    agg.cache_write_tokens = row.tokens(c.idx[6], "cache_write_tokens")?.unwrap_or(0);
    agg.completion_tokens = row.tokens(c.idx[7], "completion_tokens")?.unwrap_or(0);
    agg.reasoning_tokens = row.tokens(c.idx[8], "reasoning_tokens")?.unwrap_or(0);
    // In a bucket, a `max_tokens` column is the largest of the bucket.
    agg.max_tokens_max = match c.idx[20] {
        Some(_) => cell(20).count("max_tokens_max")?,
        None => cell(9).count("max_tokens_max")?,
    };
    let sum = row.get(&["max_tokens_sum"]).count("max_tokens_sum")?;
    let with = row
        .get(&["max_tokens_requests"])
        .count("max_tokens_requests")?;
    agg.max_tokens_sum = match (sum, with) {
        (Some(s), Some(k)) => Some((s, k)),
        (None, Some(0)) => Some((0, 0)),
        (None, None) => None,
        _ => {
            return Err(FieldProblem::new(
                "max_tokens_sum",
                "max_tokens_sum and max_tokens_requests go together",
            ))
        }
    };
    let mut from_statuses = 0u64;
    let mut any_status = false;
    for &(i, status) in &c.statuses {
        // Named by its column (`status 503`, `throttled_requests`), not a generic `status`.
        let n = row.cell(Some(i)).count("status").map_err(|mut p| {
            if let Some(column) = row.header.names().get(i) {
                p.field = column.trim().to_owned().into();
            }
            p
        })?;
        let Some(n) = n else {
            continue;
        };
        any_status = true;
        from_statuses = from_statuses.saturating_add(n);
        if let Some(code) = status {
            if n > 0 {
                agg.failed.push((code, n));
            }
        }
    }
    if agg.requests.is_none() && any_status {
        agg.requests = Some(from_statuses);
    }
    Ok(agg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_column_maps() {
        let m = parse_column_map("timestamp=ts, prompt_tokens=InputTokens").expect("ok");
        assert_eq!(m[1], ("prompt_tokens".to_owned(), "InputTokens".to_owned()));
        assert!(parse_column_map("tokens=x")
            .unwrap_err()
            .contains("not a field"));
        assert!(parse_column_map("timestamp=a,timestamp=b")
            .unwrap_err()
            .contains("twice"));
        assert!(parse_column_map("timestamp").is_err());
    }
}
