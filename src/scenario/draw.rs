//! Deterministic draws for the scenario transforms that are random (thinning, replication,
//! jittered arrivals, the Batch shift), independent of the thread count.
//!
//! Several threads may read one log, each into a fork of the sink (`usage::parallel`), so no
//! shared random stream can be used: a record's draws come from a hash of the record itself
//! (arrival, tokens, status, latency, cap), of its workload's name (not its id, which depends
//! on reading order), of its line in the file and its place among that line's requests (the
//! lane adds those; a line is never split between threads) and of the scenario's seed. The
//! same record gets the same draws whatever the thread count or the order of reading.
//!
//! Counts are coupled: a record is kept `floor(f + u)` times with one `u` uniform in [0, 1), so
//! its expected count is exactly `f`, an integer `f` gives exactly `f` copies, and a larger `f`
//! never keeps fewer copies (the months of a growth ladder are nested).

use crate::usage::{UsageRecord, WorkloadKey};

/// SplitMix64's finalizer: a well-mixed 64-bit hash of `x`.
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Fold `v` into the hash `h`.
pub fn fold(h: u64, v: u64) -> u64 {
    mix(h ^ v.wrapping_mul(0xD6E8_FEB8_6659_FD93))
}

/// A hash of a workload's name (deployment, model, region), the same in every thread.
pub fn key_hash(seed: u64, key: &WorkloadKey) -> u64 {
    let mut h = mix(seed);
    for part in [&key.deployment, &key.model, &key.region] {
        for b in part.bytes() {
            h = fold(h, u64::from(b));
        }
        h = fold(h, 0xFF);
    }
    h
}

/// The hash of one record of a workload whose [`key_hash`] is `workload_hash`.
pub fn record_hash(workload_hash: u64, r: &UsageRecord) -> u64 {
    let mut h = fold(workload_hash, r.timestamp_ms as u64);
    for v in [
        r.prompt_tokens,
        r.cached_tokens,
        r.cache_write_tokens,
        r.completion_tokens,
        r.reasoning_tokens,
        r.max_completion_tokens.map_or(u64::MAX, |m| m),
        r.latency_ms.map_or(u64::MAX, |l| l),
        u64::from(r.status.unwrap_or(0)),
    ] {
        h = fold(h, v);
    }
    h
}

/// Uniform in [0, 1) from a hash.
pub fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Purposes of the draws of one record, so they are independent of each other.
const COUNT: u64 = 0xC0;
const JITTER: u64 = 0x11;
const BATCH: u64 = 0xBA;

/// How many requests a record becomes at traffic factor `factor`: `floor(factor + u)`.
pub fn copies(record_hash: u64, factor: f64) -> u32 {
    let u = unit(fold(record_hash, COUNT));
    (factor + u).floor().clamp(0.0, f64::from(u32::MAX)) as u32
}

/// The arrival of copy `copy` of a record that arrived at `t_ms`: copy 0 keeps the original
/// time; the others are spread uniformly over `t_ms ± jitter_ms`, reflected at the edges of
/// the original's calendar minute so every copy stays in that minute (per-minute token sums
/// scale exactly and the log's span does not change).
pub fn arrival_ms(record_hash: u64, copy: u32, t_ms: i64, jitter_ms: u32) -> i64 {
    if copy == 0 || jitter_ms == 0 {
        return t_ms;
    }
    let v = unit(fold(fold(record_hash, JITTER), u64::from(copy)));
    let offset = ((2.0 * v - 1.0) * f64::from(jitter_ms)).round() as i64;
    let minute = t_ms.div_euclid(60_000) * 60_000;
    let (lo, hi) = (minute, minute + 59_999);
    let mut t = t_ms + offset;
    if t > hi {
        t = t_ms - offset;
    }
    if t < lo {
        t = t_ms - offset;
    }
    t.clamp(lo, hi)
}

/// Whether copy `copy` of a record moves to Batch, at a share `share` (0..=1).
pub fn to_batch(record_hash: u64, copy: u32, share: f64) -> bool {
    share > 0.0 && unit(fold(fold(record_hash, BATCH), u64::from(copy))) < share
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(t_ms: i64, prompt: u64) -> UsageRecord {
        UsageRecord {
            timestamp_ms: t_ms,
            workload: 0,
            prompt_tokens: prompt,
            cached_tokens: 0,
            cache_write_tokens: 0,
            completion_tokens: 10,
            reasoning_tokens: 0,
            max_completion_tokens: None,
            status: None,
            latency_ms: None,
        }
    }

    #[test]
    fn integer_factors_replicate_exactly_and_fractions_on_average() {
        let key = WorkloadKey {
            deployment: "d".into(),
            model: "m".into(),
            region: "r".into(),
        };
        let k = key_hash(1, &key);
        let hashes: Vec<u64> = (0..20_000)
            .map(|i| record_hash(k, &record(i * 7, 100)))
            .collect();
        assert!(hashes.iter().all(|h| copies(*h, 3.0) == 3));
        let kept: u32 = hashes.iter().map(|h| copies(*h, 0.25)).sum();
        assert!((f64::from(kept) / 20_000.0 - 0.25).abs() < 0.01, "{kept}");
        // Nested: a larger factor never keeps fewer copies.
        assert!(hashes.iter().all(|h| copies(*h, 1.3) <= copies(*h, 1.31)));
    }

    #[test]
    fn jittered_copies_stay_in_the_original_minute() {
        for t in [60_000, 60_001, 119_999, 90_000] {
            for copy in 0..50 {
                let a = arrival_ms(mix(t as u64), copy, t, 5_000);
                assert_eq!(a.div_euclid(60_000), t.div_euclid(60_000), "{t} {copy} {a}");
                assert!((a - t).abs() <= 5_000);
            }
        }
        assert_eq!(arrival_ms(5, 0, 61_000, 5_000), 61_000);
    }
}
