//! `ptuplan sample`: write a deterministic synthetic usage log (CSV, or JSON Lines for a
//! `.jsonl` name; gzip-compressed for a `.gz` name).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};
use flate2::write::GzEncoder;
use flate2::Compression;

use super::outcome::Outcome;
use crate::cli::{SampleArgs, MAX_SAMPLE_REQUESTS};
use crate::settings::UsageError;
use crate::text::fmt_time_ms;
use crate::usage::synth::{generate, SampleRow, SampleSpec};

/// Run `sample`.
pub fn run(args: &SampleArgs) -> Result<Outcome> {
    if args.days == 0 || args.days > 400 {
        bail!("--days must be between 1 and 400, got {}", args.days);
    }
    if args.requests == 0 || args.requests > MAX_SAMPLE_REQUESTS {
        bail!(
            "--requests must be between 1 and {MAX_SAMPLE_REQUESTS}, got {}",
            args.requests
        );
    }
    let start = chrono::NaiveDate::parse_from_str(&args.start, "%Y-%m-%d")
        .with_context(|| format!("--start `{}` is not YYYY-MM-DD", args.start))?;
    // The log must stay readable: four-digit years, not before the Unix epoch.
    let (first, last) = (
        chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date"),
        chrono::NaiveDate::from_ymd_opt(9998, 12, 1).expect("a valid date"),
    );
    if !(first..=last).contains(&start) {
        return Err(UsageError(format!(
            "--start {start} is out of range: use a date from {first} to {last}"
        ))
        .into());
    }
    let start_ms = start
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
        .timestamp_millis();
    let spec = SampleSpec {
        days: args.days,
        requests: args.requests,
        seed: args.seed,
        start_ms,
    };
    let name = args.out.to_string_lossy().to_ascii_lowercase();
    let gz = name.ends_with(".gz");
    let jsonl = name.trim_end_matches(".gz").ends_with(".jsonl");
    // Only names that say CSV or JSON Lines (or say nothing): a log named `.parquet` or `.json`
    // would be written as CSV and then misread by its name.
    let stem = Path::new(name.trim_end_matches(".gz"));
    let ext = stem.extension().and_then(|e| e.to_str());
    if args.out != Path::new("-") && !matches!(ext, None | Some("csv" | "jsonl")) {
        return Err(UsageError(format!(
            "--out {}: sample writes CSV or JSON Lines; name the file .csv, .jsonl, .csv.gz or .jsonl.gz",
            args.out.display()
        ))
        .into());
    }
    let raw: Box<dyn Write> = if args.out == Path::new("-") {
        Box::new(io::stdout().lock())
    } else {
        Box::new(
            File::create(&args.out)
                .with_context(|| format!("cannot write {}", args.out.display()))?,
        )
    };
    let raw = BufWriter::with_capacity(1 << 20, raw);
    let mut out: Box<dyn Write> = if gz {
        Box::new(GzEncoder::new(raw, Compression::default()))
    } else {
        Box::new(raw)
    };
    let write_row = |out: &mut dyn Write, r: &SampleRow| -> io::Result<()> {
        if jsonl {
            write_jsonl(out, r)
        } else {
            write_csv(out, r)
        }
    };
    if !jsonl {
        writeln!(out, "timestamp,deployment,model,region,prompt_tokens,cached_tokens,cache_write_tokens,completion_tokens,reasoning_tokens,max_completion_tokens,status,latency_ms")?;
    }
    generate(&spec, |r| write_row(&mut *out, r))
        .with_context(|| format!("writing {}", args.out.display()))?;
    out.flush()?;
    drop(out);
    if !args.quiet && args.out != Path::new("-") {
        eprintln!(
            "wrote {} requests over {} days from {} to {} (seed {})",
            args.requests,
            args.days,
            fmt_time_ms(start_ms),
            crate::render::escape::terminal(&args.out.display().to_string()),
            args.seed
        );
    }
    Ok(Outcome::Ok)
}

fn write_csv(out: &mut dyn Write, r: &SampleRow) -> io::Result<()> {
    let max = r
        .max_completion_tokens
        .map(|m| m.to_string())
        .unwrap_or_default();
    writeln!(
        out,
        "{},{},{},{},{},{},{},{},{},{},{},{}",
        fmt_ts(r.timestamp_ms),
        r.deployment,
        r.model,
        r.region,
        r.prompt_tokens,
        r.cached_tokens,
        r.cache_write_tokens,
        r.completion_tokens,
        r.reasoning_tokens,
        max,
        r.status,
        r.latency_ms
    )
}

/// Chat Completions shape, as an application would log it.
fn write_jsonl(out: &mut dyn Write, r: &SampleRow) -> io::Result<()> {
    let max = r
        .max_completion_tokens
        .map(|m| format!(",\"max_completion_tokens\":{m}"))
        .unwrap_or_default();
    writeln!(
        out,
        "{{\"timestamp\":\"{}\",\"deployment\":\"{}\",\"model\":\"{}\",\"region\":\"{}\",\"status\":{},\"latency_ms\":{}{},\"usage\":{{\"prompt_tokens\":{},\"completion_tokens\":{},\"total_tokens\":{},\"prompt_tokens_details\":{{\"cached_tokens\":{},\"cache_write_tokens\":{}}},\"completion_tokens_details\":{{\"reasoning_tokens\":{}}}}}}}",
        fmt_ts(r.timestamp_ms),
        r.deployment,
        r.model,
        r.region,
        r.status,
        r.latency_ms,
        max,
        r.prompt_tokens,
        r.completion_tokens,
        r.prompt_tokens + r.completion_tokens,
        r.cached_tokens,
        r.cache_write_tokens,
        r.reasoning_tokens
    )
}

fn fmt_ts(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}
