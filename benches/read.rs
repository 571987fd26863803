//! The readers alone: one log read into a sink that only counts, so the figure is the parse
//! (and inflate) rate without the replay. Whole-process figures are in `bench/run.py`.
//!
//!     cargo bench --bench read -- LOG [THREADS] [inflate]
//!
//! Prints the wall time, the records and the rate in MB/s of decompressed input. `inflate`
//! times the decompression of a gzip log alone (no parsing).

use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use ptuplan::usage::{
    read_usage, InputSource, InputSpec, KeyRejection, RawKey, ReadOptions, RecordSink, Resolved,
    SinkError, UsageRecord,
};

/// Every key is workload 0.
struct AnyKey;

impl ptuplan::usage::KeyResolver for AnyKey {
    fn resolve(&self, _key: RawKey<'_>) -> Result<Resolved, KeyRejection> {
        Ok(Resolved {
            workload: 0,
            limits: ptuplan::usage::RequestLimits::default(),
        })
    }
}

/// Counts records and sums their tokens (so the parse cannot be optimized away).
#[derive(Default)]
struct Count {
    records: u64,
    tokens: u64,
}

impl RecordSink for Count {
    fn take(&mut self, record: UsageRecord) -> Result<(), SinkError> {
        self.records += 1;
        self.tokens = self
            .tokens
            .wrapping_add(record.prompt_tokens + record.completion_tokens);
        Ok(())
    }
    fn fork(&self) -> Self {
        Count::default()
    }
    fn join(&mut self, later: Self) -> Result<(), SinkError> {
        self.records += later.records;
        self.tokens = self.tokens.wrapping_add(later.tokens);
        Ok(())
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(path) = args.first() else {
        eprintln!("usage: cargo bench --bench read -- LOG [THREADS] [inflate]");
        return;
    };
    let threads: usize = args.get(1).and_then(|t| t.parse().ok()).unwrap_or(2);
    let spec = InputSpec {
        source: InputSource::File(PathBuf::from(path)),
        format: None,
    };
    let started = Instant::now();
    if args.iter().any(|a| a == "inflate") {
        let mut opened = ptuplan::usage::open_input(&spec).expect("opens");
        let mut buf = vec![0u8; 1 << 20];
        let mut bytes = 0u64;
        loop {
            let n = opened.reader.read(&mut buf).expect("reads");
            if n == 0 {
                break;
            }
            bytes += n as u64;
        }
        let s = started.elapsed().as_secs_f64();
        println!(
            "inflate {path}: {s:.3} s, {:.0} MB/s of output",
            bytes as f64 / s / 1e6
        );
        return;
    }
    let options = ReadOptions {
        threads,
        ..ReadOptions::default()
    };
    let mut sink = Count::default();
    let summary = read_usage(&[spec], &options, &AnyKey, &mut sink).expect("reads");
    let s = started.elapsed().as_secs_f64();
    let bytes = decompressed_len(path);
    println!(
        "read {path} ({threads} threads): {s:.3} s, {} records, {:.0} MB/s (tokens {})",
        summary.records,
        bytes as f64 / s / 1e6,
        sink.tokens
    );
}

/// The content's length: the file's, or for gzip the sum of its decompressed bytes.
fn decompressed_len(path: &str) -> u64 {
    let mut file = std::fs::File::open(path).expect("opens");
    let mut magic = [0u8; 2];
    let gz = file.read(&mut magic).map(|n| n == 2).unwrap_or(false) && magic == [0x1f, 0x8b];
    if !gz {
        return std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    }
    let file = std::fs::File::open(path).expect("opens");
    let mut decoder = flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file));
    std::io::copy(&mut decoder, &mut std::io::sink()).unwrap_or(0)
}
