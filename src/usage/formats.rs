//! The input formats as data: one row per format with its `--input-format` name, what it is,
//! the columns it reads (each with the field it fills) and the columns that mark a file as its
//! own. Detection ([`choose`]), the rule that a column whose name carries a known meaning is
//! read or the run stops ([`unread_columns`]), and the report of what each file's reader mapped
//! ([`mapped_columns`]) all come from these rows.
//!
//! Column names are compared loosely ([`loose`]): case, a `[UTC]` suffix (Log Analytics portal
//! exports) and the separators ` `, `_`, `-`, `.` aside, so `PromptTokens`, `prompt_tokens` and
//! `Prompt Tokens` are one name. [`MEANINGS`] lists the spellings ptuplan, Azure Monitor, APIM,
//! Log Analytics and LiteLLM use for each field. A file whose chosen reader would leave such a
//! column unread is read by the generic column reader instead when that one reads every such
//! column and the file has nothing only the specific reader understands (a per-request CSV
//! with Azure-style headers is not an APIM log); otherwise the run stops and names the columns,
//! `--columns` and `--input-format`.

use std::fmt;

/// A usage-log format: which source wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// Per-request CSV with ptuplan's column names (the fast path).
    Csv,
    /// Per-request JSON Lines with an OpenAI `usage` object (the fast path).
    Jsonl,
    /// ptuplan's per-bucket aggregate (`bucket_start`, `bucket`, `requests`, token sums).
    Aggregate,
    /// Any table through a `--columns` mapping, or columns spelled as [`MEANINGS`] lists them.
    Columns,
    /// Azure Monitor platform metrics (`az monitor metrics list -o json`, the Metrics REST API).
    AzureMonitor,
    /// A Log Analytics `AzureMetrics` export (resource-level minutes).
    AzureMetrics,
    /// Azure OpenAI `RequestResponse` diagnostic records (arrivals, no tokens).
    AzureDiagnostics,
    /// An APIM `ApiManagementGatewayLlmLog` export.
    Apim,
    /// LiteLLM `LiteLLM_SpendLogs`.
    LiteLlm,
    /// OpenAI Usage API `/v1/organization/usage/completions` pages.
    OpenAiUsage,
    /// A Langfuse observations export.
    Langfuse,
    /// A Parquet file of any columnar shape above (the shape is read from its schema).
    Parquet,
}

/// One field a reader fills and the columns (loose names, preferred first) it reads it from.
#[derive(Debug, Clone, Copy)]
pub struct Reads {
    /// The field (ptuplan's name).
    pub field: &'static str,
    /// Loose column names read for it, the first present wins.
    pub columns: &'static [&'static str],
}

/// One format: its names, the columns it reads and the columns only it understands.
#[derive(Debug, Clone, Copy)]
pub struct FormatRow {
    /// The format.
    pub format: InputFormat,
    /// The `--input-format` name.
    pub name: &'static str,
    /// What it is (help and errors).
    pub about: &'static str,
    /// The columns it reads. Empty for readers of nested JSON (Azure Monitor) and for the
    /// column reader, whose columns are [`MEANINGS`] (or `--columns`).
    pub reads: &'static [Reads],
    /// Loose column names that only this reader understands: when present, a column the
    /// reader leaves unread stops the run instead of sending the file to the column reader.
    pub distinctive: &'static [&'static str],
}

const fn r(field: &'static str, columns: &'static [&'static str]) -> Reads {
    Reads { field, columns }
}

/// Every format, in the order errors list them.
pub const FORMATS: [FormatRow; 12] = [
    FormatRow {
        format: InputFormat::Csv,
        name: "csv",
        about: "per-request CSV: timestamp,deployment,model,region,prompt_tokens,cached_tokens,completion_tokens,...",
        reads: &[],
        distinctive: &[],
    },
    FormatRow {
        format: InputFormat::Jsonl,
        name: "jsonl",
        about: "per-request JSON Lines with an OpenAI `usage` object (Chat Completions or Responses)",
        reads: &[
            r("timestamp", &["timestamp", "time", "created", "createdat"]),
            r("deployment", &["deployment"]),
            r("model", &["model"]),
            r("region", &["region"]),
            r("usage", &["usage"]),
            r("max_completion_tokens", &["maxcompletiontokens", "maxoutputtokens", "maxtokens"]),
            r("status", &["status"]),
            r("latency_ms", &["latencyms"]),
            r("spillover_from_deployment", &["spilloverfromdeployment", "xmsspilloverfromdeployment"]),
            r("spillover_error", &["spillovererror", "xmsspillovererror"]),
            r("served_deployment", &["serveddeployment", "xmsdeploymentname"]),
            r("headers", &["headers", "responseheaders"]),
        ],
        distinctive: &["usage"],
    },
    FormatRow {
        format: InputFormat::Aggregate,
        name: "aggregate",
        about: "per-bucket totals: bucket_start,bucket,deployment,model,region,requests,prompt_tokens,... (CSV, JSON or Parquet; what queries/ write)",
        reads: &[],
        distinctive: &["bucketstart"],
    },
    FormatRow {
        format: InputFormat::AzureMonitor,
        name: "azure-monitor",
        about: "Azure Monitor metrics JSON (az monitor metrics list -o json)",
        reads: &[],
        distinctive: &["timeseries"],
    },
    FormatRow {
        format: InputFormat::AzureMetrics,
        name: "azure-metrics",
        about: "Log Analytics AzureMetrics export (TimeGenerated, MetricName, Total)",
        reads: &[
            r("timestamp", &["timegenerated", "timestamp"]),
            r("metric", &["metricname"]),
            r("total", &["total"]),
            r("bucket", &["timegrain"]),
            r("resource", &["resourceid", "resource"]),
        ],
        distinctive: &["metricname"],
    },
    FormatRow {
        format: InputFormat::AzureDiagnostics,
        name: "azure-diagnostics",
        about: "Azure OpenAI RequestResponse diagnostic logs, together with Azure Monitor metrics",
        reads: &[
            r("timestamp", &["time", "timegenerated"]),
            r("properties", &["properties", "propertiess"]),
            r("latency_ms", &["durationms"]),
            r("operation", &["operationname"]),
            r("region", &["location"]),
            r("status", &["resultsignature"]),
        ],
        distinctive: &["category", "properties", "propertiess"],
    },
    FormatRow {
        format: InputFormat::Apim,
        name: "apim",
        about: "APIM ApiManagementGatewayLlmLog export (portal CSV or az monitor log-analytics query -o json)",
        reads: &[
            r("timestamp", &["timegenerated", "timestamp"]),
            r("request_id", &["correlationid"]),
            r("deployment", &["deploymentname"]),
            r("model", &["modelname"]),
            r("region", &["region"]),
            r("prompt_tokens", &["prompttokens"]),
            r("completion_tokens", &["completiontokens"]),
            r("status", &["backendresponsecode", "responsecode"]),
            r("latency_ms", &["backendtime", "totaltime"]),
        ],
        distinctive: &["correlationid", "sequencenumber"],
    },
    FormatRow {
        format: InputFormat::LiteLlm,
        name: "litellm",
        about: "LiteLLM_SpendLogs (CSV, /spend/logs JSON, Postgres COPY)",
        reads: &[
            r("timestamp", &["starttime"]),
            r("end", &["endtime"]),
            r("request_id", &["requestid"]),
            r("deployment", &["modelgroup"]),
            r("model", &["model"]),
            r("endpoint", &["apibase"]),
            r("prompt_tokens", &["prompttokens"]),
            r("completion_tokens", &["completiontokens"]),
            r("usage", &["metadata"]),
            r("max_completion_tokens", &["proxyserverrequest"]),
            r("status", &["status"]),
            r("latency_ms", &["requestdurationms"]),
            r("cache_hit", &["cachehit"]),
        ],
        distinctive: &["modelgroup", "metadata", "cachehit", "apibase", "spend"],
    },
    FormatRow {
        format: InputFormat::OpenAiUsage,
        name: "openai-usage",
        about: "OpenAI Usage API /v1/organization/usage/completions pages (JSON)",
        reads: &[
            r("bucket_start", &["starttime"]),
            r("bucket_end", &["endtime"]),
            r("results", &["results", "result"]),
        ],
        distinctive: &["results", "nummodelrequests"],
    },
    FormatRow {
        format: InputFormat::Langfuse,
        name: "langfuse",
        about: "Langfuse observations export (CSV, JSON Lines, Parquet)",
        reads: &[
            r("type", &["type"]),
            r("timestamp", &["starttime"]),
            r("end", &["endtime"]),
            r("usage", &["usagedetails"]),
            r("prompt_tokens", &["prompttokens", "inputusage"]),
            r("completion_tokens", &["completiontokens", "outputusage"]),
            r("max_completion_tokens", &["modelparameters"]),
            r("status", &["level"]),
            r("model", &["model", "providedmodelname"]),
        ],
        distinctive: &["usagedetails", "providedmodelname", "type"],
    },
    FormatRow {
        format: InputFormat::Columns,
        name: "columns",
        about: "any CSV, JSON or Parquet table through --columns timestamp=COL,prompt_tokens=COL,... (or columns spelled as ptuplan, Azure, APIM or LiteLLM spell them)",
        reads: &[],
        distinctive: &[],
    },
    FormatRow {
        format: InputFormat::Parquet,
        name: "parquet",
        about: "a Parquet file of any of the table shapes above",
        reads: &[],
        distinctive: &[],
    },
];

/// Each field of the request and aggregate records, with every loose spelling that carries
/// its meaning (ptuplan's, Azure Monitor's, APIM's and Log Analytics', LiteLLM's), ptuplan's
/// own first. A column so named is read, or the run stops.
pub const MEANINGS: [(&str, &[&str]); 17] = [
    (
        "timestamp",
        &["timestamp", "timegenerated", "time", "starttime"],
    ),
    (
        "deployment",
        &[
            "deployment",
            "deploymentname",
            "modeldeploymentname",
            "modelgroup",
        ],
    ),
    ("model", &["model", "modelname"]),
    ("region", &["region", "location"]),
    ("prompt_tokens", &["prompttokens", "inputtokens"]),
    (
        "cached_tokens",
        &[
            "cachedtokens",
            "cachedinputtokens",
            "inputcachedtokens",
            "cachereadinputtokens",
        ],
    ),
    (
        "cache_write_tokens",
        &["cachewritetokens", "cachecreationinputtokens"],
    ),
    ("completion_tokens", &["completiontokens", "outputtokens"]),
    ("reasoning_tokens", &["reasoningtokens"]),
    (
        "max_completion_tokens",
        &["maxcompletiontokens", "maxtokens", "maxoutputtokens"],
    ),
    (
        "status",
        &[
            "status",
            "statuscode",
            "httpstatus",
            "responsecode",
            "backendresponsecode",
            "resultsignature",
        ],
    ),
    (
        "latency_ms",
        &[
            "latencyms",
            "durationms",
            "requestdurationms",
            "backendtime",
            "totaltime",
        ],
    ),
    (
        "spillover_from_deployment",
        &["spilloverfromdeployment", "xmsspilloverfromdeployment"],
    ),
    ("spillover_error", &["spillovererror", "xmsspillovererror"]),
    (
        "served_deployment",
        &["serveddeployment", "xmsdeploymentname"],
    ),
    ("bucket_start", &["bucketstart"]),
    ("requests", &["requests"]),
];

/// The fields the per-request CSV fast path reads, by their exact (lower-case) names.
pub const CSV_FAST_FIELDS: [&str; 15] =
    super::names::concat_names(super::names::REQUEST_FIELDS, super::names::SPILLOVER_FIELDS);

/// The top-level keys the JSON Lines fast path reads (exactly so spelled).
pub const JSONL_KEYS: [&str; 24] = [
    "timestamp",
    "time",
    "created",
    "created_at",
    "category",
    "deployment",
    "deployment_name",
    "model",
    "region",
    "usage",
    "max_completion_tokens",
    "max_output_tokens",
    "max_tokens",
    "status",
    "status_code",
    "latency_ms",
    "spillover_from_deployment",
    "x-ms-spillover-from-deployment",
    "spillover_error",
    "x-ms-spillover-error",
    "served_deployment",
    "x-ms-deployment-name",
    "headers",
    "response_headers",
];

impl InputFormat {
    /// The `--input-format` name.
    pub fn name(self) -> &'static str {
        row(self).name
    }

    /// True for the per-request fast paths (read by `csv.rs` / `jsonl.rs`, also in parallel).
    pub fn is_fast_path(self) -> bool {
        matches!(self, InputFormat::Csv | InputFormat::Jsonl)
    }

    /// True for the formats read by the column reader (`--columns`, aggregates).
    pub fn is_column_reader(self) -> bool {
        matches!(
            self,
            InputFormat::Columns | InputFormat::Aggregate | InputFormat::Parquet
        )
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The row of `format`.
pub fn row(format: InputFormat) -> &'static FormatRow {
    FORMATS
        .iter()
        .find(|r| r.format == format)
        .expect("every format has a row")
}

/// The list of formats for error messages.
pub fn formats_list() -> String {
    FORMATS
        .iter()
        .map(|r| format!("{} ({})", r.name, r.about))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A column name as compared: lower case, BOM, surrounding space and a `[UTC]` suffix removed,
/// and the separators ` `, `_`, `-`, `.` dropped.
pub fn loose(name: &str) -> String {
    let t = name.trim_start_matches('\u{feff}').trim().to_lowercase();
    let t = match t.strip_suffix("[utc]") {
        Some(head) => head.trim_end(),
        None => t.as_str(),
    };
    t.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.' | '\t'))
        .collect()
}

/// The field a column's (loose) name means, if any.
pub fn meaning_of(loose_name: &str) -> Option<&'static str> {
    MEANINGS
        .iter()
        .find(|(_, spellings)| spellings.contains(&loose_name))
        .map(|(field, _)| *field)
}

/// A column the chosen reader would leave unread although its name carries a meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread {
    /// The column as written.
    pub column: String,
    /// The field its name means.
    pub field: &'static str,
    /// The column that field is read from instead, when another one is.
    pub instead: Option<String>,
}

/// The column reader's choice of column per field: `--columns` first, else the first column
/// whose loose name is a spelling of the field (ptuplan's own spelling preferred). Indexes
/// into `names`.
pub fn resolve_columns(
    names: &[String],
    map: Option<&[(String, String)]>,
) -> Vec<(&'static str, usize)> {
    let looses: Vec<String> = names.iter().map(|n| loose(n)).collect();
    let mut out = Vec::new();
    for (field, spellings) in MEANINGS.iter().chain(AGGREGATE_FIELDS.iter()) {
        let mapped = map.and_then(|m| m.iter().find(|(f, _)| f == field));
        let found = match mapped {
            Some((_, column)) => {
                let want = loose(column);
                names
                    .iter()
                    .position(|n| n.trim().eq_ignore_ascii_case(column.trim()))
                    .or_else(|| looses.iter().position(|l| *l == want))
            }
            None => spellings
                .iter()
                .find_map(|s| looses.iter().position(|l| l == s)),
        };
        if let Some(i) = found {
            out.push((*field, i));
        }
    }
    out
}

/// Fields only the per-bucket aggregate has (besides [`MEANINGS`]).
pub const AGGREGATE_FIELDS: [(&str, &[&str]); 8] = [
    ("bucket", &["bucket"]),
    ("bucket_seconds", &["bucketseconds"]),
    ("bucket_end", &["bucketend"]),
    ("status_429", &["status429"]),
    ("status_4xx", &["status4xx"]),
    ("status_5xx", &["status5xx"]),
    ("max_tokens_max", &["maxtokensmax"]),
    ("max_tokens_sum", &["maxtokenssum"]),
];

/// Columns of `names` whose name carries a meaning and that `format` would leave unread
/// (`map`: the `--columns` mapping, for the column reader).
pub fn unread_columns(
    format: InputFormat,
    names: &[String],
    map: Option<&[(String, String)]>,
) -> Vec<Unread> {
    let looses: Vec<String> = names.iter().map(|n| loose(n)).collect();
    let read: Vec<bool> = match format {
        InputFormat::AzureMonitor => return Vec::new(),
        InputFormat::Csv | InputFormat::Jsonl => {
            let known: &[&str] = if format == InputFormat::Csv {
                &CSV_FAST_FIELDS
            } else {
                &JSONL_KEYS
            };
            let exact: Vec<String> = names.iter().map(|n| exact_name(n)).collect();
            (0..names.len())
                .map(|i| {
                    known.contains(&exact[i].as_str())
                        && exact.iter().position(|e| *e == exact[i]) == Some(i)
                })
                .collect()
        }
        f if f.is_column_reader() => {
            let chosen = resolve_columns(names, map);
            (0..names.len())
                .map(|i| chosen.iter().any(|(_, c)| *c == i))
                .collect()
        }
        f => {
            let reads = row(f).reads;
            (0..names.len())
                .map(|i| {
                    reads
                        .iter()
                        .any(|rd| rd.columns.contains(&looses[i].as_str()))
                })
                .collect()
        }
    };
    let chosen = resolve_columns(names, map);
    let mut unread = Vec::new();
    for (i, l) in looses.iter().enumerate() {
        let Some(field) = meaning_of(l) else {
            continue;
        };
        if read[i] {
            continue;
        }
        // A field the mapping names explicitly: its other columns are left out on purpose.
        if map.is_some_and(|m| m.iter().any(|(f, _)| f == field)) {
            continue;
        }
        let instead = chosen
            .iter()
            .find(|(f, c)| *f == field && *c != i && read.get(*c).copied().unwrap_or(false))
            .map(|(_, c)| names[*c].clone());
        unread.push(Unread {
            column: names[i].clone(),
            field,
            instead,
        });
    }
    unread
}

/// A column name as the fast paths match it: trimmed, lower case, BOM removed.
pub fn exact_name(name: &str) -> String {
    name.trim_start_matches('\u{feff}').trim().to_lowercase()
}

/// How a table with these column names (as written) is read: the format whose signature the
/// names match, unless it would leave a meaningful column unread. `None` when no format fits.
pub fn choose_table(names: &[String], container: Container) -> Result<InputFormat, Refusal> {
    let looses: Vec<String> = names.iter().map(|n| loose(n)).collect();
    let has = |n: &str| looses.iter().any(|c| c == n);
    let any = |ns: &[&str]| ns.iter().any(|n| has(n));
    let specific = signature(&looses);
    let generic = generic_choice(names, container);
    let Some(first) = specific.or(generic) else {
        return Err(Refusal::Unknown);
    };
    let unread = unread_columns(first, names, None);
    if unread.is_empty() {
        return Ok(first);
    }
    // A file nothing but the matched reader understands stays with it: stop.
    let own = specific.is_some_and(|s| any(row(s).distinctive));
    if !own {
        for alternative in [InputFormat::Csv, InputFormat::Columns] {
            if alternative != first
                && columns_reader_fits(alternative, names, container)
                && unread_columns(alternative, names, None).is_empty()
            {
                return Ok(alternative);
            }
        }
    }
    // JSON Lines keep their nested `usage`, which no column mapping reads: the keys left
    // unread are said in a warning instead (see [`unread_note`]).
    if first == InputFormat::Jsonl {
        return Ok(first);
    }
    Err(Refusal::Unread {
        format: first,
        unread,
    })
}

/// The warning for keys of a JSON Lines log that carry a known meaning but that the JSON
/// Lines reader does not read (it reads ptuplan's keys only, and no mapping can reach its
/// nested `usage` object).
pub fn unread_note(file: &str, unread: &[Unread]) -> String {
    let each: Vec<String> = unread
        .iter()
        .map(|u| format!("`{}` ({})", u.column.escape_debug(), u.field))
        .collect();
    format!(
        "{file}: key(s) {} are not read: the JSON Lines reader reads ptuplan's keys ({}); rename them in the log to be read",
        each.join(", "),
        JSONL_KEYS[..14].join(", ")
    )
}

/// True when `format` (the CSV fast path or the column reader) finds its required columns.
fn columns_reader_fits(format: InputFormat, names: &[String], container: Container) -> bool {
    let chosen = resolve_columns(names, None);
    let has = |f: &str| chosen.iter().any(|(field, _)| *field == f);
    match format {
        InputFormat::Csv => {
            container == Container::Csv
                && ["timestamp", "prompt_tokens", "completion_tokens"]
                    .iter()
                    .all(|f| names.iter().any(|n| exact_name(n) == *f))
        }
        _ => {
            has("bucket_start")
                || (has("timestamp") && has("prompt_tokens") && has("completion_tokens"))
        }
    }
}

/// The per-request readers for a table no specific source claims.
fn generic_choice(names: &[String], container: Container) -> Option<InputFormat> {
    let looses: Vec<String> = names.iter().map(|n| loose(n)).collect();
    let has = |n: &str| looses.iter().any(|c| c == n);
    let any = |ns: &[&str]| ns.iter().any(|n| has(n));
    match container {
        Container::Csv
            if any(&[
                "timestamp",
                "prompttokens",
                "completiontokens",
                "model",
                "deployment",
            ]) =>
        {
            Some(InputFormat::Csv)
        }
        Container::JsonLines
            if has("usage")
                || (any(&["timestamp", "time", "created", "createdat", "model"])
                    && !any(&["prompttokens", "inputtokens"])) =>
        {
            Some(InputFormat::Jsonl)
        }
        _ if columns_reader_fits(InputFormat::Columns, names, container) => {
            Some(InputFormat::Columns)
        }
        _ if has("usage") => Some(InputFormat::Columns),
        _ => None,
    }
}

/// The source whose own columns these (loose) names carry.
fn signature(cols: &[String]) -> Option<InputFormat> {
    let has = |n: &str| cols.iter().any(|c| c == n);
    let any = |ns: &[&str]| ns.iter().any(|n| has(n));
    if has("bucketstart") {
        return Some(InputFormat::Aggregate);
    }
    if has("timeseries") || (has("value") && any(&["interval", "timespan"])) {
        return Some(InputFormat::AzureMonitor);
    }
    if has("metricname") && any(&["total", "average", "count"]) {
        return Some(InputFormat::AzureMetrics);
    }
    if has("category")
        && any(&[
            "operationname",
            "properties",
            "propertiess",
            "resultsignature",
        ])
    {
        return Some(InputFormat::AzureDiagnostics);
    }
    if any(&["prompttokens", "completiontokens"]) && any(&["deploymentname", "correlationid"]) {
        return Some(InputFormat::Apim);
    }
    // LiteLLM's own columns: the proxy's alias, or spend with its start time.
    if has("modelgroup") || (has("spend") && has("starttime")) {
        return Some(InputFormat::LiteLlm);
    }
    if any(&["usagedetails", "providedmodelname"])
        || (has("type") && has("starttime") && any(&["prompttokens", "usage", "totaltokens"]))
    {
        return Some(InputFormat::Langfuse);
    }
    if has("nummodelrequests") || (has("starttime") && has("endtime") && has("results")) {
        return Some(InputFormat::OpenAiUsage);
    }
    None
}

/// Why no reader was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No format's columns match.
    Unknown,
    /// The matched reader would leave these meaningful columns unread.
    Unread {
        /// The reader the columns matched.
        format: InputFormat,
        /// What it would leave unread.
        unread: Vec<Unread>,
    },
}

/// The message for columns a reader would leave unread.
pub fn unread_message(format: InputFormat, unread: &[Unread], forced: bool) -> String {
    let each: Vec<String> = unread
        .iter()
        .map(|u| match &u.instead {
            Some(other) => format!(
                "`{}` ({}, read from `{}` already)",
                u.column.escape_debug(),
                u.field,
                other.escape_debug()
            ),
            None => format!("`{}` ({})", u.column.escape_debug(), u.field),
        })
        .collect();
    let how = if forced {
        format!("--input-format {}", format.name())
    } else {
        format!("the {} reader (its columns match)", format.name())
    };
    format!(
        "{how} would leave column(s) {} unread, and ptuplan drops no data in silence; map every column with --columns FIELD=COLUMN,... (e.g. --columns {}=COLUMN), pass another --input-format, or remove the column(s)",
        each.join(", "),
        unread[0].field
    )
}

/// How the bytes are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// A header row, then rows.
    Csv,
    /// One JSON value per line.
    JsonLines,
    /// One JSON array or object over the whole input.
    JsonDocument,
    /// Apache Parquet.
    Parquet,
}

impl Container {
    /// The name in reports: `csv`, `json-lines`, `json`, `parquet`.
    pub fn name(self) -> &'static str {
        match self {
            Container::Csv => "csv",
            Container::JsonLines => "json-lines",
            Container::JsonDocument => "json",
            Container::Parquet => "parquet",
        }
    }
}

/// Which columns a reader maps, as `(field, column as written)`, for the report: the column
/// reader's choice, the fast CSV path's exact names, or the format's declared columns that are
/// present.
pub fn mapped_columns(
    format: InputFormat,
    names: &[String],
    map: Option<&[(String, String)]>,
) -> Vec<(String, String)> {
    match format {
        InputFormat::AzureMonitor => Vec::new(),
        InputFormat::Csv => names
            .iter()
            .filter(|n| CSV_FAST_FIELDS.contains(&exact_name(n).as_str()))
            .map(|n| (exact_name(n), n.trim().to_owned()))
            .collect(),
        f if f.is_column_reader() => {
            let mut chosen = resolve_columns(names, map);
            chosen.sort_by_key(|(_, i)| *i);
            chosen
                .into_iter()
                .map(|(f, i)| (f.to_owned(), names[i].trim().to_owned()))
                .collect()
        }
        f => {
            let looses: Vec<String> = names.iter().map(|n| loose(n)).collect();
            let mut out = Vec::new();
            for rd in row(f).reads {
                let found = rd
                    .columns
                    .iter()
                    .find_map(|c| looses.iter().position(|l| l == c));
                if let Some(i) = found {
                    out.push((rd.field.to_owned(), names[i].trim().to_owned()));
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn loose_names_ignore_case_separators_and_utc() {
        assert_eq!(loose("TimeGenerated [UTC]"), "timegenerated");
        assert_eq!(loose("prompt_tokens"), "prompttokens");
        assert_eq!(loose(" Prompt-Tokens "), "prompttokens");
        assert_eq!(
            loose("x-ms-spillover-from-deployment"),
            "xmsspilloverfromdeployment"
        );
        assert_eq!(meaning_of(&loose("StatusCode")), Some("status"));
        assert_eq!(meaning_of(&loose("TotalTokens")), None);
    }

    #[test]
    fn every_reader_column_is_loose() {
        for f in FORMATS {
            for rd in f.reads {
                for c in rd.columns {
                    assert_eq!(loose(c), *c, "{}: {c}", f.name);
                }
            }
        }
        for (_, spellings) in MEANINGS.iter().chain(AGGREGATE_FIELDS.iter()) {
            for s in *spellings {
                assert_eq!(loose(s), *s);
            }
        }
    }

    #[test]
    fn issue_19_azure_style_per_request_csv_is_not_apim() {
        let cols = names(&[
            "TimeGenerated",
            "DeploymentName",
            "ModelName",
            "Region",
            "PromptTokens",
            "CachedTokens",
            "CompletionTokens",
            "ReasoningTokens",
            "MaxTokens",
            "StatusCode",
            "DurationMs",
        ]);
        assert_eq!(
            choose_table(&cols, Container::Csv),
            Ok(InputFormat::Columns)
        );
        let mapped = mapped_columns(InputFormat::Columns, &cols, None);
        assert_eq!(mapped.len(), 11, "{mapped:?}");
        // With a CorrelationId, only the APIM reader can collapse its chunks: stop.
        let mut apim = cols.clone();
        apim.push("CorrelationId".to_owned());
        match choose_table(&apim, Container::Csv) {
            Err(Refusal::Unread { format, unread }) => {
                assert_eq!(format, InputFormat::Apim);
                let which: Vec<&str> = unread.iter().map(|u| u.column.as_str()).collect();
                assert_eq!(
                    which,
                    [
                        "CachedTokens",
                        "ReasoningTokens",
                        "MaxTokens",
                        "StatusCode",
                        "DurationMs"
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn issue_19_request_id_and_spend_are_not_litellm() {
        let cols = names(&[
            "timestamp",
            "deployment",
            "model",
            "region",
            "prompt_tokens",
            "completion_tokens",
            "request_id",
            "spend",
        ]);
        assert_eq!(choose_table(&cols, Container::Csv), Ok(InputFormat::Csv));
        let litellm = names(&["request_id", "startTime", "model", "spend", "prompt_tokens"]);
        assert_eq!(
            choose_table(&litellm, Container::Csv),
            Ok(InputFormat::LiteLlm)
        );
    }

    #[test]
    fn two_columns_of_one_meaning_stop_the_run() {
        let cols = names(&[
            "timestamp",
            "model",
            "prompt_tokens",
            "input_tokens",
            "completion_tokens",
        ]);
        match choose_table(&cols, Container::Csv) {
            Err(Refusal::Unread { unread, .. }) => {
                assert_eq!(unread[0].column, "input_tokens");
                assert_eq!(unread[0].instead.as_deref(), Some("prompt_tokens"));
            }
            other => panic!("{other:?}"),
        }
        // Mapping the field names the one to read: the other is left out on purpose.
        let map = vec![("prompt_tokens".to_owned(), "input_tokens".to_owned())];
        assert!(unread_columns(InputFormat::Columns, &cols, Some(&map)).is_empty());
    }
}
