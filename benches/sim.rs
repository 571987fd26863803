//! The simulation hot loop: one workload's events replayed through a sizing pass of PTU counts
//! (the lanes of `sim::admission`), as `compare` runs it. Whole-process figures (reading
//! included, against the DuckDB peer) are in `bench/run.py` and the README's Benchmarks.
//!
//!     cargo bench --bench sim

use criterion::BatchSize;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ptuplan::sim::admission::simulate_pruned;
use ptuplan::sim::prune::{Pruning, DEFAULT_BUDGET_BYTES};
use ptuplan::sim::spool::{ReplayEvent, NONE_U32};
use ptuplan::sim::{simulate, EventSpool, SimParams, SimTarget, SortedEvents, ThrottleMode};

/// `n` requests of one workload over a day, bursty (a deterministic LCG: quiet stretches and
/// packed seconds), sizes between 200 and 6,000 prompt tokens.
fn events(n: usize) -> SortedEvents {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    let mut spool = EventSpool::with_chunk_events(n + 1);
    let mut t_ms: i64 = 1_790_000_000_000;
    for _ in 0..n {
        // Mostly short gaps, now and then a long one: bursts.
        let gap = if next() % 50 == 0 {
            next() % 20_000
        } else {
            next() % 300
        };
        t_ms += gap as i64;
        let prompt = 200 + (next() % 5_800) as u32;
        let cached = prompt / 4;
        let completion = 50 + (next() % 1_500) as u32;
        spool
            .push(ReplayEvent {
                t_ms,
                workload: 0,
                input_tokens: prompt - cached,
                cached_tokens: cached,
                cache_write_tokens: 0,
                long_context: false,
                weighted_input_millitokens: u64::from(prompt - cached) * 1_000,
                output_weight_milli: 4_000,
                completion_tokens: completion,
                max_completion_tokens: if next() % 4 == 0 { NONE_U32 } else { 4_096 },
                latency_ms: 2_000 + (next() % 8_000) as u32,
                flags: 0,
            })
            .expect("in-memory spool");
    }
    spool.finish()
}

fn targets(counts: &[u32], mode: ThrottleMode) -> Vec<SimTarget> {
    counts
        .iter()
        .map(|&ptus| SimTarget {
            workload: 0,
            capacity_tokens_per_min: f64::from(ptus) * 3_000.0,
            latency_target_tokens_per_s: 50.0,
            bucket_window_s: 60.0,
            max_prompt_tokens: None,
            mode,
            standard: None,
        })
        .collect()
}

fn bench_admission(c: &mut Criterion) {
    let n = 200_000;
    let sorted = events(n);
    let params = SimParams::default();
    let (first, last) = (
        1_790_000_000_000 / 60_000,
        1_790_000_000_000 / 60_000 + 60 * 24 * 3,
    );
    let mut group = c.benchmark_group("admission");
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    for lanes in [1usize, 12, 36] {
        let counts: Vec<u32> = (1..=lanes as u32).map(|i| 50 * i).collect();
        for (name, mode) in [
            ("spillover", ThrottleMode::Spillover),
            ("retry", ThrottleMode::Retry { max_retries: 2 }),
        ] {
            let t = targets(&counts, mode);
            group.bench_with_input(BenchmarkId::new(name, lanes), &t, |b, t| {
                b.iter(|| simulate(&sorted, t, &params, 1, first, last).expect("simulates"))
            });
        }
    }
    group.finish();
}

/// The pruned search (issue 20): a later pass of the sizing search (the counts between those
/// of the first pass, at the band's three windows) replayed in full, and replayed with what the
/// first pass learnt about quiet stretches ([`ptuplan::sim::prune`]). Both give the same
/// outcomes; the pruned one skips the arrivals its references found quiet.
fn bench_pruned_search(c: &mut Criterion) {
    let n = 200_000;
    let sorted = events(n);
    let params = SimParams::default();
    let span = (
        1_790_000_000_000 / 60_000,
        1_790_000_000_000 / 60_000 + 60 * 24 * 3,
    );
    let at_windows = |counts: &[u32]| -> Vec<SimTarget> {
        [1.0, 10.0, 60.0]
            .iter()
            .flat_map(|&w| {
                targets(counts, ThrottleMode::Spillover)
                    .into_iter()
                    .map(move |t| SimTarget {
                        bucket_window_s: w,
                        ..t
                    })
            })
            .collect()
    };
    let first = at_windows(&[50, 100, 200, 400, 800, 1_600]);
    let later = at_windows(&[150, 300, 600, 1_200]);
    let mut learnt = Pruning::new(span, DEFAULT_BUDGET_BYTES);
    simulate_pruned(&sorted, &first, None, &params, 1, span, &mut learnt).expect("first pass");
    let mut group = c.benchmark_group("pruned_search");
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    group.bench_function("later_pass_full", |b| {
        b.iter(|| simulate(&sorted, &later, &params, 1, span.0, span.1).expect("simulates"))
    });
    group.bench_function("later_pass_pruned", |b| {
        b.iter_batched(
            || learnt.clone(),
            |mut pruning| {
                simulate_pruned(&sorted, &later, None, &params, 1, span, &mut pruning)
                    .expect("simulates")
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench_admission, bench_pruned_search);
criterion_main!(benches);
