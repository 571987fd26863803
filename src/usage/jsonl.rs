//! JSON Lines usage logs: one object per line with a `timestamp` (or `time`; RFC 3339 or Unix
//! time), `created` or `created_at` (Unix time), `model`, optional `deployment`, `region`,
//! `status`, `latency_ms`, `max_completion_tokens` (or `max_tokens`, `max_output_tokens`) and an
//! OpenAI-style `usage` object in the Chat Completions shape (`prompt_tokens`,
//! `completion_tokens`, `*_tokens_details`) or the Responses shape (`input_tokens`,
//! `output_tokens`, `*_tokens_details`). Detail objects may be missing or `null`; unknown keys
//! (a whole logged response body, say) are ignored. Blank lines are skipped. A line that wraps
//! its rows in an object's `data` array (`{"data": [...]}`) is read as those rows.

use std::borrow::Cow;
use std::io::BufRead;

use serde::Deserialize;
use serde_json::Number;

use super::csv::KeyCache;
use super::csv_split::{CsvSplitter, SplitError};
use super::fields::parse_status;
use super::json_scan;
use super::lines::MAX_LINE_BYTES;
use super::rows;
use super::timestamps::{parse_timestamp_ms, unix_time_to_ms};
use super::{
    FieldProblem, KeyResolver, ReadOptions, ReadSummary, RecordSink, RowValues, SpilloverHeaders,
    UsageError, UsageRecord,
};

#[derive(Deserialize)]
struct Line<'a> {
    #[serde(borrow, default, alias = "time")]
    timestamp: Option<Scalar<'a>>,
    /// Present on Azure Monitor resource-log records (`RequestResponse`), which carry no tokens.
    #[serde(borrow, default)]
    category: Option<Cow<'a, str>>,
    #[serde(default)]
    created: Option<Number>,
    #[serde(default)]
    created_at: Option<Number>,
    #[serde(borrow, default)]
    model: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "deployment_name")]
    deployment: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    region: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "status_code")]
    status: Option<Scalar<'a>>,
    #[serde(default)]
    latency_ms: Option<Number>,
    #[serde(default)]
    max_completion_tokens: Option<Number>,
    #[serde(default)]
    max_tokens: Option<Number>,
    #[serde(default)]
    max_output_tokens: Option<Number>,
    #[serde(default, deserialize_with = "object")]
    usage: Option<Usage>,
    /// Spillover response headers logged as keys of the row.
    #[serde(borrow, default, alias = "x-ms-spillover-from-deployment")]
    spillover_from_deployment: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "x-ms-spillover-error")]
    spillover_error: Option<Scalar<'a>>,
    #[serde(borrow, default, alias = "x-ms-deployment-name")]
    served_deployment: Option<Cow<'a, str>>,
    /// The response headers, when the row logs them (`headers` or `response_headers`).
    #[serde(
        default,
        alias = "response_headers",
        deserialize_with = "crate::usage::json_value::deserialize_bounded"
    )]
    headers: Option<serde_json::Value>,
}

/// Why a value where a string or a number belongs is refused.
const NOT_A_SCALAR: &str =
    "a field holds a boolean, null, an object or an array where a string or a number belongs";

/// A JSON value that may be a string or a number. Read by hand, not as an untagged enum: serde
/// buffers an untagged value and builds an error for each variant that does not match, which
/// cost an allocation and a formatted message on every line.
enum Scalar<'a> {
    Number(Number),
    Text(Cow<'a, str>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Scalar::Number(v.into()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Scalar::Number(v.into()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Number::from_f64(v)
                    .map(Scalar::Number)
                    .ok_or_else(|| E::custom(NOT_A_SCALAR))
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                v: &'de str,
            ) -> Result<Self::Value, E> {
                Ok(Scalar::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Scalar::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Scalar::Text(Cow::Owned(v)))
            }
            // Anything else (a boolean, null, an object, an array) is refused.
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Err(E::custom(NOT_A_SCALAR))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Err(E::custom(NOT_A_SCALAR))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                _: A,
            ) -> Result<Self::Value, A::Error> {
                Err(serde::de::Error::custom(NOT_A_SCALAR))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                _: A,
            ) -> Result<Self::Value, A::Error> {
                Err(serde::de::Error::custom(NOT_A_SCALAR))
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

/// An optional `T` that must be a JSON object (or null): serde's derived structs also take an
/// array and read it by position, so `"usage": [100, 20]` would be 100 prompt and 20
/// completion tokens. Used for `usage`; the `*_details` objects inside it refuse an array
/// themselves (`Details`), because this path cost the JSON Lines reader 6% of its CPU when
/// applied to all four of them (farm-bench, 2M lines).
fn object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Visit<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visit<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Some)
        }
    }
    deserializer.deserialize_option(Visit(std::marker::PhantomData))
}

#[derive(Deserialize, Default)]
struct Usage {
    #[serde(default)]
    prompt_tokens: Option<Number>,
    #[serde(default)]
    completion_tokens: Option<Number>,
    #[serde(default)]
    input_tokens: Option<Number>,
    #[serde(default)]
    output_tokens: Option<Number>,
    #[serde(default)]
    prompt_tokens_details: Option<Details>,
    #[serde(default)]
    input_tokens_details: Option<Details>,
    #[serde(default)]
    completion_tokens_details: Option<Details>,
    #[serde(default)]
    output_tokens_details: Option<Details>,
}

/// A `*_tokens_details` object. Read by hand through `deserialize_map`, which refuses an
/// array: the derived struct would read `[1920, 0]` by position, as cached and cache-write
/// tokens. (Wrapping the derive as `usage` is wrapped cost 6% of the reader's CPU.)
#[derive(Default)]
struct Details {
    cached_tokens: Option<Number>,
    cache_write_tokens: Option<Number>,
    reasoning_tokens: Option<Number>,
}

/// The keys of a details object that ptuplan reads; any other key is skipped.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum DetailsKey {
    CachedTokens,
    CacheWriteTokens,
    ReasoningTokens,
    #[serde(other)]
    Other,
}

impl<'de> Deserialize<'de> for Details {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Details;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = Details::default();
                // Which keys were seen, null values included, so a repeated key is refused
                // as the derive refuses it.
                let mut seen = [false; 3];
                while let Some(key) = map.next_key::<DetailsKey>()? {
                    let (i, name, slot) = match key {
                        DetailsKey::CachedTokens => (0, "cached_tokens", &mut out.cached_tokens),
                        DetailsKey::CacheWriteTokens => {
                            (1, "cache_write_tokens", &mut out.cache_write_tokens)
                        }
                        DetailsKey::ReasoningTokens => {
                            (2, "reasoning_tokens", &mut out.reasoning_tokens)
                        }
                        DetailsKey::Other => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                            continue;
                        }
                    };
                    if std::mem::replace(&mut seen[i], true) {
                        return Err(serde::de::Error::duplicate_field(name));
                    }
                    *slot = map.next_value()?;
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

/// Read JSON Lines whose first line is line `line_offset + 1` of the file.
pub fn read_jsonl<S: RecordSink>(
    reader: impl BufRead,
    path: &str,
    line_offset: u64,
    options: &ReadOptions,
    resolver: &dyn KeyResolver,
    sink: &mut S,
) -> Result<ReadSummary, UsageError> {
    let mut lines = CsvSplitter::new(reader, MAX_LINE_BYTES, false);
    let mut keys = KeyCache::default();
    let mut summary = ReadSummary::default();
    let mut spilled = 0u64;
    loop {
        let (line, text) = match lines.next_line() {
            Ok(Some(next)) => next,
            Ok(None) => break,
            Err(SplitError::Io(source)) => {
                return Err(UsageError::Io {
                    path: path.to_owned(),
                    source,
                })
            }
            Err(SplitError::TooLong { line }) => {
                return Err(rows::json_line_too_long(path, line_offset + line))
            }
        };
        let line_no = line_offset + line;
        let mut text: &[u8] = text.trim_ascii();
        if line_no == 1 {
            text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
        }
        if text.is_empty() {
            continue;
        }
        let parsed = rows::ensure_no_nul(text)
            .and_then(|()| parse_line(text, &mut keys, resolver, &mut spilled));
        // A line that wraps its rows (`{"data": [...]}`, as API pages are saved one per line)
        // has no timestamp of its own: its rows are read instead.
        let mut give = |parsed| {
            super::deliver(
                parsed,
                &mut |r, line| sink.take_at(r, path, line),
                &mut summary,
                options,
                path,
                line_no,
            )
        };
        match parsed.as_ref().err().and_then(|_| wrapped_rows(text)) {
            Some(Ok(mut rows)) => {
                while let Some((start, end)) = rows.next(text) {
                    give(parse_line(
                        &text[start..end],
                        &mut keys,
                        resolver,
                        &mut spilled,
                    ))?;
                }
            }
            Some(Err(two)) => give(Err(FieldProblem::new(two.second, &two)))?,
            None => give(parsed)?,
        }
    }
    summary.spilled_requests = spilled;
    Ok(summary)
}

/// The rows of a line that wraps them in an object's `data` (or `value`, `rows`, `logs`,
/// `results`) array of objects, as a cursor over the line's rows; `None` for any other line.
/// The line is checked and scanned, never parsed into a tree nor listed, so a page of any
/// size costs its own bytes only.
fn wrapped_rows(text: &[u8]) -> Option<Result<json_scan::RowCursor, json_scan::TwoRowArrays>> {
    serde_json::from_slice::<serde::de::IgnoredAny>(text).ok()?;
    let start = json_scan::skip_ws(text, 0);
    let mut has_usage = false;
    json_scan::for_each_entry(text, start, |key, _| has_usage |= key == "usage")?;
    if has_usage {
        return None;
    }
    match json_scan::wrapped_array(text, start) {
        Ok(None) => None,
        Ok(Some(_)) => Some(json_scan::RowCursor::new(text)),
        Err(two) => Some(Err(two)),
    }
}

/// The count of a Chat Completions name, else of its Responses API name (`prompt_tokens`,
/// `input_tokens`), with the field it came from; an error naming both when neither is there.
fn either_count<'a>(
    (chat, chat_name): (&'a Option<Number>, &'static str),
    (responses, responses_name): (&'a Option<Number>, &'static str),
) -> Result<(&'a Number, &'static str), FieldProblem> {
    match (chat, responses) {
        (Some(n), _) => Ok((n, chat_name)),
        (None, Some(n)) => Ok((n, responses_name)),
        (None, None) => Err(FieldProblem::new(
            chat_name,
            format!(
                "missing (need `{}` or `{}`)",
                chat_name.trim_start_matches("usage."),
                responses_name.trim_start_matches("usage.")
            ),
        )),
    }
}

/// The problem with a line serde_json refused: truncated, not JSON, or a field of the wrong
/// kind, named by its path (`deployment`, `usage.prompt_tokens`). The path is found by parsing
/// the line again, only on this error path, so reading valid lines pays nothing for it.
fn invalid_line(text: &[u8], e: &serde_json::Error) -> FieldProblem {
    if e.is_eof() {
        return FieldProblem::new("json", "truncated JSON (the line ends inside the object)");
    }
    if crate::usage::json_value::is_over_budget(e) {
        // Valid JSON: the one member read as a tree, `headers`, is too large to read.
        return FieldProblem::new("headers", crate::usage::json_value::over_budget_message());
    }
    if e.is_data() {
        let mut de = serde_json::Deserializer::from_slice(text);
        if let Err(at) = serde_path_to_error::deserialize::<_, Line<'_>>(&mut de) {
            let path = at.path().to_string();
            let inside = (path != "." && !path.is_empty()).then_some(path);
            // A repeated key is named by its own path: serde names the object that holds it.
            let repeated = at
                .inner()
                .to_string()
                .strip_prefix("duplicate field `")
                .and_then(|rest| rest.split_once('`'))
                .map(|(key, _)| match &inside {
                    Some(object) => format!("{object}.{key}"),
                    None => key.to_owned(),
                });
            if let Some(field) = repeated.or(inside) {
                return FieldProblem::new(field, format!("invalid JSON: {}", message(at.inner())));
            }
        }
    }
    FieldProblem::new("json", format!("invalid JSON: {}", message(e)))
}

/// serde_json's words with its position inside the line, "at line 1 column N" (which reads
/// like the file's line), said as "(column N of the line)".
fn message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let at = format!(" at line {} column {}", e.line(), e.column());
    match text.strip_suffix(&at) {
        Some(words) => format!("{words} (column {} of the line)", e.column()),
        None => text,
    }
}

fn parse_line(
    text: &[u8],
    keys: &mut KeyCache,
    resolver: &dyn KeyResolver,
    spilled: &mut u64,
) -> Result<UsageRecord, FieldProblem> {
    // Each line is one object: serde would read a `[...]` line into the struct by position.
    if text.first() != Some(&b'{') {
        return Err(FieldProblem::new(
            "json",
            "not a JSON object (each line of JSON Lines must be one `{...}` object)",
        ));
    }
    let line: Line<'_> = serde_json::from_slice(text).map_err(|e| invalid_line(text, &e))?;
    let timestamp_ms = match (&line.timestamp, &line.created, &line.created_at) {
        (Some(Scalar::Text(t)), _, _) => {
            parse_timestamp_ms(t.as_bytes()).map_err(|m| FieldProblem::new("timestamp", m))?
        }
        (Some(Scalar::Number(n)), _, _) => seconds(n, "timestamp")?,
        (None, Some(n), _) => seconds(n, "created")?,
        (None, None, Some(n)) => seconds(n, "created_at")?,
        (None, None, None) => {
            return Err(FieldProblem::new(
                "timestamp",
                "missing (need `timestamp`, `created` or `created_at`)",
            ))
        }
    };
    let mut headers = spillover_headers(&line);
    if headers.from.is_none() {
        headers.from = named_spillover_key(text);
    }
    let usage = line.usage.ok_or_else(|| match &line.category {
        Some(category) => FieldProblem::new(
            "usage",
            format!(
                "this is an Azure Monitor `{category}` diagnostic record: it has arrival time, status and latency but no token counts; \
                 log each response's `usage` object instead (see docs/inputs.md)"
            ),
        ),
        None => FieldProblem::new("usage", "missing usage object"),
    })?;
    let (prompt, prompt_name) = either_count(
        (&usage.prompt_tokens, "usage.prompt_tokens"),
        (&usage.input_tokens, "usage.input_tokens"),
    )?;
    let (completion, completion_name) = either_count(
        (&usage.completion_tokens, "usage.completion_tokens"),
        (&usage.output_tokens, "usage.output_tokens"),
    )?;
    let cached = detail(
        &usage.prompt_tokens_details,
        &usage.input_tokens_details,
        |d| &d.cached_tokens,
        "usage.prompt_tokens_details.cached_tokens",
    )?;
    let cache_write = detail(
        &usage.prompt_tokens_details,
        &usage.input_tokens_details,
        |d| &d.cache_write_tokens,
        "usage.prompt_tokens_details.cache_write_tokens",
    )?;
    let reasoning = detail(
        &usage.completion_tokens_details,
        &usage.output_tokens_details,
        |d| &d.reasoning_tokens,
        "usage.completion_tokens_details.reasoning_tokens",
    )?;
    let max_completion = match (
        &line.max_completion_tokens,
        &line.max_output_tokens,
        &line.max_tokens,
    ) {
        (Some(n), _, _) => Some(count(n, "max_completion_tokens")?),
        (None, Some(n), _) => Some(count(n, "max_output_tokens")?),
        (None, None, Some(n)) => Some(count(n, "max_tokens")?),
        (None, None, None) => None,
    };
    let status = match &line.status {
        None => None,
        Some(Scalar::Number(n)) => Some(
            n.as_u64()
                .filter(|c| (100..=599).contains(c))
                .map(|c| c as u16)
                .ok_or_else(|| {
                    FieldProblem::new("status", format!("`{n}` is not an HTTP status"))
                })?,
        ),
        Some(Scalar::Text(t)) => Some(parse_status_text(t)?),
    };
    let values = RowValues {
        timestamp_ms: Some(timestamp_ms),
        prompt_tokens: Some(count(prompt, prompt_name)?),
        cached_tokens: cached,
        cache_write_tokens: cache_write,
        completion_tokens: Some(count(completion, completion_name)?),
        reasoning_tokens: reasoning,
        max_completion_tokens: max_completion,
        status,
        latency_ms: line
            .latency_ms
            .as_ref()
            .map(|n| count(n, "latency_ms"))
            .transpose()?,
    };
    let (deployment, spill) = SpilloverHeaders {
        from: headers.from.as_deref().map(str::as_bytes),
        error: headers.error.as_deref().map(str::as_bytes),
        served: headers.served.as_deref().map(str::as_bytes),
    }
    .resolve(text_of(&line.deployment), values.status)?;
    let parts = [deployment, text_of(&line.model), text_of(&line.region)];
    let resolved = keys.lookup(parts, resolver)?;
    let record = values.into_record(resolved, resolver)?;
    *spilled += u64::from(spill);
    Ok(record)
}

/// The spillover headers of a line, as its own keys or in its `headers` object.
#[derive(Default)]
struct Headers {
    from: Option<String>,
    error: Option<String>,
    served: Option<String>,
}

fn spillover_headers(line: &Line<'_>) -> Headers {
    let mut h = Headers {
        from: line.spillover_from_deployment.as_deref().map(str::to_owned),
        error: line.spillover_error.as_ref().map(|e| match e {
            Scalar::Number(n) => n.to_string(),
            Scalar::Text(t) => t.to_string(),
        }),
        served: line.served_deployment.as_deref().map(str::to_owned),
    };
    let Some(serde_json::Value::Object(map)) = &line.headers else {
        return h;
    };
    // Header values as text (some loggers keep a list of values per header).
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(a) => a.first().and_then(|f| f.as_str()).map(str::to_owned),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    for (name, value) in map {
        let name = name.to_ascii_lowercase();
        match name.as_str() {
            "x-ms-spillover-from-deployment" => h.from = h.from.take().or_else(|| text(value)),
            "x-ms-spillover-error" => h.error = h.error.take().or_else(|| text(value)),
            "x-ms-deployment-name" => h.served = h.served.take().or_else(|| text(value)),
            // The older documented form names the deployment in the header itself.
            other => {
                if let Some(d) = other.strip_prefix("x-ms-spillover-from-") {
                    if h.from.is_none() && !d.is_empty() {
                        h.from = Some(d.to_owned());
                    }
                }
            }
        }
    }
    h
}

/// The older header form as a key of the row itself, `"x-ms-spillover-from-ptu1": "true"`: the
/// deployment it names, when the value is not false. The line is searched for the prefix first
/// (any case), so rows without it cost one scan.
fn named_spillover_key(text: &[u8]) -> Option<String> {
    const PREFIX: &str = "x-ms-spillover-from-";
    // Built once: `memmem::find` would build its searcher again on every line.
    static FINDERS: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 3]> =
        std::sync::LazyLock::new(|| {
            [
                memchr::memmem::Finder::new(b"pillover-from-"),
                memchr::memmem::Finder::new(b"PILLOVER-FROM-"),
                memchr::memmem::Finder::new(b"pillover-From-"),
            ]
        });
    if !FINDERS.iter().any(|f| f.find(text).is_some()) {
        return None;
    }
    crate::usage::json_value::find_top_level(text, |key| {
        let rest = key
            .get(..PREFIX.len())
            .filter(|p| p.eq_ignore_ascii_case(PREFIX))
            .map(|_| &key[PREFIX.len()..])?;
        (!rest.is_empty() && !rest.eq_ignore_ascii_case("deployment"))
            .then(|| (key.to_owned(), rest.to_owned()))
    })
    .into_iter()
    // By key, the last of a repeated key winning: as a JSON object read whole orders them.
    .map(|((key, rest), v)| (key, (rest, v)))
    .collect::<std::collections::BTreeMap<_, _>>()
    .into_values()
    .find_map(|(rest, v)| {
        let no = match v {
            serde_json::Value::Bool(b) => !b,
            serde_json::Value::String(s) => {
                s.eq_ignore_ascii_case("false") || s == "0" || s.is_empty()
            }
            serde_json::Value::Null => true,
            serde_json::Value::Number(n) => n.as_u64() == Some(0),
            _ => false,
        };
        (!no).then_some(rest)
    })
}

/// Responses API statuses: `completed` and `incomplete` were served and billed (an incomplete
/// answer still bills its input and reasoning tokens); `failed` and `cancelled` were not.
fn parse_status_text(t: &str) -> Result<u16, FieldProblem> {
    match t.trim().to_ascii_lowercase().as_str() {
        "completed" | "incomplete" | "ok" | "success" => Ok(200),
        "failed" => Ok(500),
        "cancelled" | "canceled" => Ok(499),
        other => parse_status(other.as_bytes()).map_err(|_| {
            FieldProblem::new(
                "status",
                format!(
                    "`{t}` is neither an HTTP status nor completed/incomplete/failed/cancelled"
                ),
            )
        }),
    }
}

fn detail(
    chat: &Option<Details>,
    responses: &Option<Details>,
    pick: impl Fn(&Details) -> &Option<Number>,
    name: &'static str,
) -> Result<Option<u64>, FieldProblem> {
    let value = chat
        .as_ref()
        .and_then(|d| pick(d).as_ref())
        .or_else(|| responses.as_ref().and_then(|d| pick(d).as_ref()));
    value.map(|n| count(n, name)).transpose()
}

fn count(n: &Number, field: &'static str) -> Result<u64, FieldProblem> {
    if let Some(v) = n.as_u64() {
        return Ok(v);
    }
    let message = if n.as_i64().is_some_and(|v| v < 0) {
        format!("`{n}` is negative; counts are >= 0")
    } else if let Some(f) = n.as_f64() {
        if f < 0.0 {
            format!("`{n}` is negative; counts are >= 0")
        } else if f.fract() == 0.0 {
            format!("`{n}` overflows a count")
        } else {
            format!("`{n}` is not a whole number")
        }
    } else {
        format!("`{n}` is not a count")
    };
    Err(FieldProblem::new(field, message))
}

fn seconds(n: &Number, field: &'static str) -> Result<i64, FieldProblem> {
    let secs = n
        .as_f64()
        .ok_or_else(|| FieldProblem::new(field, format!("`{n}` is not a number")))?;
    unix_time_to_ms(secs).map_err(|m| FieldProblem::new(field, m))
}

fn text_of<'s>(v: &'s Option<Cow<'_, str>>) -> &'s [u8] {
    v.as_deref().unwrap_or("").as_bytes()
}
