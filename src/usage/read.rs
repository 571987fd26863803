//! Reading the inputs: each file detected (or as `--input-format` says), refused when it repeats
//! another, read by its reader into the sink, and summarized.

use super::*;

/// Read every input in order, passing each valid record to `sink`. Large uncompressed
/// per-request files are split across up to `options.threads` threads (see [`parallel`]);
/// the other sources are read by [`sources`]. Azure `RequestResponse` diagnostic inputs are
/// joined with the Azure Monitor metrics inputs of the same run (read after the others).
pub fn read_usage<S: RecordSink>(
    inputs: &[InputSpec],
    options: &ReadOptions,
    resolver: &dyn KeyResolver,
    sink: &mut S,
) -> Result<ReadSummary, UsageError> {
    ensure_distinct_inputs(inputs)?;
    let formats = classify(inputs)?;
    let has_diagnostics = formats.contains(&Some(InputFormat::AzureDiagnostics));
    let mut total = ReadSummary::default();
    let mut run = ledger::RunState::new(options.max_expanded_requests);
    // Metrics of one bucket may come in several files (tokens in one, requests in another):
    // they are pooled and replayed together, after the other inputs.
    let mut metrics = sources::azure_monitor::MetricBuckets::default();
    let mut metric_files = Vec::new();
    let mut diagnostics = Vec::new();
    // Each per-request input's arrivals per workload, checked against the aggregates at the end.
    let mut request_inputs = Vec::new();
    for (input, format) in inputs.iter().zip(&formats) {
        let name = input.source.name();
        match format {
            Some(InputFormat::AzureDiagnostics) => {
                let opened = open_input(input)?;
                total.inputs.push(ensure_read_whole(&opened, options)?);
                ensure_new_content(&total.inputs)?;
                diagnostics.push(input.clone());
                continue;
            }
            Some(InputFormat::AzureMonitor) => {
                let opened = open_input(input)?;
                let mut info = ensure_read_whole(&opened, options)?;
                let loaded = sources::azure_monitor::load_metrics(opened)?;
                info.columns = loaded.mapped_columns();
                total.inputs.push(info);
                ensure_new_content(&total.inputs)?;
                metrics.absorb(loaded)?;
                metric_files.push(name);
                continue;
            }
            _ => {}
        }
        let summary = read_one(input, options, resolver, &mut run, sink)?;
        ensure_records(&name, &summary)?;
        request_inputs.push((name.clone(), summary.request_spans.clone()));
        total.merge(summary);
        ensure_new_content(&total.inputs)?;
    }
    // Resource-level series split by model in one file and not in another are settled
    // together (joined to the one model, or refused).
    metrics.settle()?;
    if has_diagnostics || !metric_files.is_empty() {
        let first = diagnostics
            .first()
            .map(|d| d.source.name())
            .unwrap_or_else(|| metric_files.join(", "));
        if metrics.buckets.is_empty() {
            return Err(sources::azure_diagnostics::without_metrics(&first));
        }
        let mut emit = sources::SinkEmit {
            sink: &mut *sink,
            path: first.clone(),
        };
        let mut out = sources::Out::new(&first, &mut emit, &mut run, options, resolver);
        if diagnostics.is_empty() {
            sources::azure_monitor::emit_buckets(&metrics, &mut out, |_| false)?;
        } else {
            sources::azure_diagnostics::read_with_metrics(&diagnostics, &metrics, &mut out)?;
        }
        let mut summary = out.summary;
        let names = metric_files
            .iter()
            .cloned()
            .chain(diagnostics.iter().map(|d| d.source.name()));
        for n in names {
            summary.granularities.push((n, metrics.granularity));
        }
        ensure_records(&first, &summary)?;
        total.merge(summary);
    }
    ensure_requests_not_aggregated(&request_inputs, &run, resolver)?;
    let distinct: std::collections::BTreeSet<Granularity> =
        total.granularities.iter().map(|(_, g)| *g).collect();
    if distinct.len() > 1 {
        let each: Vec<String> = total
            .granularities
            .iter()
            .map(|(n, g)| format!("{n}: {}", g.as_str()))
            .collect();
        total.note(format!(
            "inputs of mixed granularity ({}): the report gives the coarsest, {}",
            each.join(", "),
            total.granularity.as_str()
        ));
    }
    if let Some(note) = sources::granularity_note(total.granularity) {
        total.note(note);
    }
    Ok(total)
}

/// A per-request input and a per-bucket aggregate of the same workload over the same time are
/// the same traffic twice (a request log and its hourly rollup, a gateway log and the
/// deployment's Azure Monitor metrics): an error naming both.
fn ensure_requests_not_aggregated(
    request_inputs: &[(String, RequestSpans)],
    run: &ledger::RunState,
    resolver: &dyn KeyResolver,
) -> Result<(), UsageError> {
    for (name, spans) in request_inputs {
        for (workload, (first_ms, last_ms)) in spans.iter() {
            let Some(bucket) = run.bucket_over(workload, first_ms, last_ms.saturating_add(1))
            else {
                continue;
            };
            let model = resolver
                .model_of(workload)
                .map(|m| format!(" ({m})"))
                .unwrap_or_default();
            return Err(UsageError::File {
                path: name.clone(),
                message: format!(
                    "has requests of a workload{model} from {} to {}, and {bucket} is a per-bucket aggregate of the same workload over that time: the same traffic would count twice; pass the request log or the aggregate, not both",
                    crate::text::fmt_time_ms(first_ms),
                    crate::text::fmt_time_ms(last_ms),
                ),
            });
        }
    }
    Ok(())
}

/// The same file given twice (under one name or two) would be counted twice: an error.
pub(super) fn ensure_distinct_inputs(inputs: &[InputSpec]) -> Result<(), UsageError> {
    let files: Vec<&std::path::Path> = inputs
        .iter()
        .filter_map(|i| match &i.source {
            InputSource::File(p) => Some(p.as_path()),
            _ => None,
        })
        .collect();
    for (i, a) in files.iter().enumerate() {
        for b in &files[..i] {
            let same = a == b || same_file::is_same_file(a, b).unwrap_or(false);
            if same {
                return Err(UsageError::File {
                    path: a.display().to_string(),
                    message: format!(
                        "is given twice (also as {}): its traffic would be counted twice; pass each log once",
                        b.display()
                    ),
                });
            }
        }
    }
    Ok(())
}

/// The last of `inputs` must not begin with the same content as an earlier one: a copy of a
/// log, its gzip copy, or the same data piped to stdin would count its traffic twice.
pub(super) fn ensure_new_content(inputs: &[InputRead]) -> Result<(), UsageError> {
    let Some((last, earlier)) = inputs.split_last() else {
        return Ok(());
    };
    let Some(head) = &last.head else {
        return Ok(());
    };
    let same = earlier.iter().find_map(|i| {
        let shared = i.head.as_ref()?.shared_with(head)?;
        Some((i, shared))
    });
    match same {
        Some((first, shared)) => Err(UsageError::File {
            path: last.file.clone(),
            message: format!(
                "begins with the same {shared} bytes as {} (a copy, a compressed copy, or the same data on stdin): its traffic would be counted twice; pass each log once",
                first.file
            ),
        }),
        None => Ok(()),
    }
}

/// Each input's format, when it can be told without consuming it (stdin is read once).
pub(super) fn classify(inputs: &[InputSpec]) -> Result<Vec<Option<InputFormat>>, UsageError> {
    if inputs.len() < 2 {
        return Ok(vec![None; inputs.len()]);
    }
    inputs
        .iter()
        .map(|i| match (&i.source, i.format) {
            (_, Some(f)) => Ok(Some(f)),
            (InputSource::Stdin, None) => Ok(None),
            _ => open_input(i).map(|o| Some(o.format)),
        })
        .collect()
}

/// Read one input with the reader its format needs.
pub(super) fn read_one<S: RecordSink>(
    input: &InputSpec,
    options: &ReadOptions,
    resolver: &dyn KeyResolver,
    run: &mut ledger::RunState,
    sink: &mut S,
) -> Result<ReadSummary, UsageError> {
    let mut opened = open_input(input)?;
    if options.columns.is_some() && opened.format.is_fast_path() {
        opened.format = InputFormat::Columns;
    }
    let info = ensure_read_whole(&opened, options)?;
    let detected = (opened.chosen_by == detect::ChosenBy::Detected).then(|| opened.format.name());
    read_opened(input, opened, info, options, resolver, run, sink)
        .map_err(|e| with_format_hint(e, detected))
}

/// A missing or empty field in a file whose reader was detected, not forced, may mean another
/// format that looks alike (a LiteLLM daily rollup, JSON Lines pages of another API): the error
/// says which reader read it and how to choose another.
pub(super) fn with_format_hint(e: UsageError, detected: Option<&'static str>) -> UsageError {
    match (e, detected) {
        (
            UsageError::Field {
                path,
                line,
                field,
                message,
            },
            Some(reader),
        ) if message.starts_with("missing")
            || (field == "timestamp" && message.starts_with("empty")) =>
        {
            UsageError::Field {
                path,
                line,
                field,
                message: format!(
                    "{message} (the file was read as `{reader}`, detected from its first record; if it is another source's export, pass --input-format NAME ({}), or map its columns with --columns; `ptuplan compare --help` describes each)",
                    detect::FORMATS
                        .iter()
                        .map(|f| f.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }
        (e, _) => e,
    }
}

/// Read an opened input with the reader its format needs.
pub(super) fn read_opened<S: RecordSink>(
    input: &InputSpec,
    opened: detect::OpenedInput,
    info: InputRead,
    options: &ReadOptions,
    resolver: &dyn KeyResolver,
    run: &mut ledger::RunState,
    sink: &mut S,
) -> Result<ReadSummary, UsageError> {
    let name = input.source.name();
    if !opened.format.is_fast_path() {
        return sources::read_source(opened, info, options, resolver, run, sink);
    }
    let parallel = match input.source {
        // Files can be opened again: the parallel reader opens its own ranges.
        InputSource::File(_) => {
            drop(opened);
            match parallel::read_file_parallel(input, options, resolver, sink)? {
                Some(summary) => Ok(summary),
                None => Err(open_input(input)?),
            }
        }
        _ => Err(opened),
    };
    let mut summary = match parallel {
        Ok(summary) => summary,
        Err(opened) if opened.format == InputFormat::Csv => {
            csv::read_csv(opened, options, resolver, sink)?
        }
        Err(opened) => jsonl::read_jsonl(opened.reader, &opened.name, 0, options, resolver, sink)?,
    };
    summary.granularities.push((name, Granularity::Request));
    if let Some(note) = &info.unread {
        summary.note(note.clone());
    }
    summary.inputs.insert(0, info);
    Ok(summary)
}

/// How `opened` will be read; an error when its reader would leave a column with a known
/// meaning unread (a forced `--input-format`, or `--columns` naming two columns of one field).
pub fn ensure_read_whole(
    opened: &detect::OpenedInput,
    options: &ReadOptions,
) -> Result<InputRead, UsageError> {
    let map = options.columns.as_deref();
    let unread = formats::unread_columns(opened.format, &opened.columns, map);
    if !unread.is_empty() && opened.format == InputFormat::Jsonl {
        let mut info = InputRead::of(opened, map);
        info.unread = Some(formats::unread_note(&opened.name, &unread));
        return Ok(info);
    }
    if !unread.is_empty() {
        return Err(UsageError::File {
            path: opened.name.clone(),
            message: formats::unread_message(
                opened.format,
                &unread,
                opened.chosen_by == detect::ChosenBy::Flag,
            ),
        });
    }
    Ok(InputRead::of(opened, map))
}

pub(super) fn ensure_records(name: &str, summary: &ReadSummary) -> Result<(), UsageError> {
    if summary.records > 0 {
        return Ok(());
    }
    let why = if summary.skipped > 0 {
        format!(
            "all {} rows were invalid and skipped; first: {}",
            summary.skipped,
            summary.skipped_examples.first().map_or("", String::as_str)
        )
    } else {
        "the log holds no usage records".to_owned()
    };
    Err(UsageError::File {
        path: name.to_owned(),
        message: why,
    })
}

/// Hand a parsed row to the sink and account for the outcome: the one place both readers
/// decide between "count", "skip" and "stop".
pub(crate) fn deliver<F>(
    parsed: Result<UsageRecord, FieldProblem>,
    take: &mut F,
    summary: &mut ReadSummary,
    options: &ReadOptions,
    path: &str,
    line: u64,
) -> Result<(), UsageError>
where
    F: FnMut(UsageRecord, u64) -> Result<(), SinkError> + ?Sized,
{
    let problem = match parsed {
        Ok(record) => {
            let (workload, t_ms) = (record.workload, record.timestamp_ms);
            match take(record, line) {
                Ok(()) => {
                    summary.records += 1;
                    // Only what the sink took: a row it refused (and --skip-invalid skipped)
                    // is no traffic.
                    summary.request_spans.add(workload, t_ms);
                    return Ok(());
                }
                Err(SinkError {
                    field: Some(field),
                    message,
                }) => FieldProblem::new(field, message),
                Err(SinkError {
                    field: None,
                    message,
                }) => {
                    return Err(UsageError::File {
                        path: path.to_owned(),
                        message,
                    })
                }
            }
        }
        Err(problem) => problem,
    };
    let err = UsageError::Field {
        path: path.to_owned(),
        line,
        field: problem.field.into_owned(),
        message: problem.message,
    };
    if options.skip_invalid {
        summary.note_skip(&err);
        Ok(())
    } else {
        Err(err)
    }
}
