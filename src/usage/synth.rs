//! Synthetic usage logs: deterministic (same seed, same bytes), realistic-looking traffic for
//! demos, tests and benchmarks. Five workloads on models sold in December 2026 (chat on
//! gpt-5.1, RAG on gpt-5.1 in Sweden, an assistant on gpt-5.4-mini, an agent on gpt-5.6-terra
//! and one on gpt-6-sol), a diurnal and weekly pattern, short bursts packed into a few seconds,
//! cache reads in 1,024 + 128k steps, cache writes on the models that report them (GPT-5.6 and
//! later, U7), a few long-context prompts on gpt-6-sol, reasoning tokens, answers emptied by
//! reasoning, and a few failed requests.
//!
//! The generator streams minute by minute; memory is one weight per minute of the span.

use std::io;

/// A small, value-stable PRNG (SplitMix64). Hand-written rather than a crate so the committed
/// sample stays byte-identical across dependency upgrades.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// Seeded generator.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(1e-300);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// Log-normal with the given median and sigma.
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct SampleSpec {
    /// Days of traffic.
    pub days: u32,
    /// Requests in total (exact).
    pub requests: u64,
    /// Seed.
    pub seed: u64,
    /// Unix ms of the first day's midnight (UTC).
    pub start_ms: i64,
}

/// One generated request.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleRow {
    /// Arrival, Unix ms.
    pub timestamp_ms: i64,
    /// Deployment name.
    pub deployment: &'static str,
    /// Model name as the API returns it (versioned).
    pub model: &'static str,
    /// Region.
    pub region: &'static str,
    /// Prompt tokens (cached included).
    pub prompt_tokens: u64,
    /// Cached prompt tokens.
    pub cached_tokens: u64,
    /// Prompt tokens written to the cache (GPT-5.6 and later).
    pub cache_write_tokens: u64,
    /// Completion tokens (reasoning included).
    pub completion_tokens: u64,
    /// Reasoning tokens.
    pub reasoning_tokens: u64,
    /// The request's cap, if it set one.
    pub max_completion_tokens: Option<u64>,
    /// HTTP status.
    pub status: u16,
    /// Latency, ms.
    pub latency_ms: u64,
}

struct Profile {
    deployment: &'static str,
    model: &'static str,
    region: &'static str,
    share: f64,
    prompt_median: f64,
    cache_probability: f64,
    /// The model reports cache writes (`cache_write_tokens`, GPT-5.6 and later on Standard).
    writes_cache: bool,
    /// Share of requests with a long-context prompt (280K to 600K tokens).
    long_share: f64,
    visible_median: f64,
    reasoning_median: f64,
    caps: &'static [(f64, u64)],
    ms_per_token: f64,
}

const PROFILES: [Profile; 5] = [
    Profile {
        deployment: "chat-prod",
        model: "gpt-5.1-2025-11-13",
        region: "eastus2",
        share: 0.36,
        prompt_median: 1500.0,
        cache_probability: 0.45,
        writes_cache: false,
        long_share: 0.0,
        visible_median: 320.0,
        reasoning_median: 0.0,
        caps: &[(0.65, 1024), (0.10, 4096)],
        ms_per_token: 20.0,
    },
    Profile {
        deployment: "rag-eu",
        model: "gpt-5.1-2025-11-13",
        region: "swedencentral",
        share: 0.22,
        prompt_median: 6000.0,
        cache_probability: 0.6,
        writes_cache: false,
        long_share: 0.0,
        visible_median: 450.0,
        reasoning_median: 0.0,
        caps: &[(0.9, 2000)],
        ms_per_token: 15.0,
    },
    Profile {
        deployment: "assist",
        model: "gpt-5.4-mini-2026-03-17",
        region: "westus3",
        share: 0.20,
        prompt_median: 800.0,
        cache_probability: 0.3,
        writes_cache: false,
        long_share: 0.0,
        visible_median: 120.0,
        reasoning_median: 300.0,
        caps: &[(1.0, 2048)],
        ms_per_token: 6.0,
    },
    Profile {
        deployment: "agent",
        model: "gpt-5.6-terra-2026-07-09",
        region: "eastus2",
        share: 0.12,
        prompt_median: 4000.0,
        cache_probability: 0.6,
        writes_cache: true,
        long_share: 0.0,
        visible_median: 600.0,
        reasoning_median: 2500.0,
        caps: &[(0.08, 2048), (0.87, 25000)],
        ms_per_token: 12.0,
    },
    Profile {
        deployment: "sol-agent",
        model: "gpt-6-sol-2026-09-22",
        region: "westus3",
        share: 0.10,
        prompt_median: 8000.0,
        cache_probability: 0.65,
        writes_cache: true,
        long_share: 0.004,
        visible_median: 500.0,
        reasoning_median: 1800.0,
        caps: &[(0.9, 16000)],
        ms_per_token: 10.0,
    },
];

/// Relative traffic of a minute: business-hours diurnal curve (UTC), quieter weekends, noise.
pub fn minute_weight(rng: &mut SplitMix64, minute_of_span: u64, start_weekday: u64) -> f64 {
    let hour = (minute_of_span % 1440) as f64 / 60.0;
    let day = minute_of_span / 1440;
    let weekday = (start_weekday + day) % 7; // 0 = Monday
    let diurnal = 0.2 + 0.8 * (std::f64::consts::PI * (hour - 6.0) / 14.0).sin().max(0.0);
    let weekly = if weekday >= 5 { 0.35 } else { 1.0 };
    diurnal * weekly * rng.lognormal(1.0, 0.15)
}

/// Generate the log, calling `emit` for each row in time order.
pub fn generate(
    spec: &SampleSpec,
    mut emit: impl FnMut(&SampleRow) -> io::Result<()>,
) -> io::Result<()> {
    let minutes = u64::from(spec.days.max(1)) * 1440;
    let mut rng = SplitMix64::new(spec.seed);
    let start_day = spec.start_ms.div_euclid(86_400_000);
    let start_weekday = (start_day + 3).rem_euclid(7) as u64;
    // Weights, with bursts: a burst multiplies 1-4 consecutive minutes by 4-8x.
    let mut weights = Vec::with_capacity(minutes as usize);
    let mut burst = (0u64, 1.0f64);
    for m in 0..minutes {
        if burst.0 == 0 && rng.chance(1.0 / 1500.0) {
            burst = (1 + rng.next_u64() % 4, 4.0 + 4.0 * rng.unit());
        }
        let factor = if burst.0 > 0 {
            burst.0 -= 1;
            burst.1
        } else {
            1.0
        };
        weights.push((
            minute_weight(&mut rng, m, start_weekday) * factor,
            factor > 1.0,
        ));
    }
    let total: f64 = weights.iter().map(|w| w.0).sum();
    let mut cumulative = 0.0;
    let mut emitted = 0u64;
    let mut offsets = Vec::new();
    for (m, &(w, bursty)) in weights.iter().enumerate() {
        cumulative += w;
        let target = ((cumulative / total) * spec.requests as f64).round() as u64;
        let count = target.min(spec.requests) - emitted;
        emitted += count;
        offsets.clear();
        // Bursts arrive packed into the first 10 seconds of the minute.
        let window_ms = if bursty { 10_000 } else { 60_000 };
        offsets.extend((0..count).map(|_| rng.next_u64() % window_ms));
        offsets.sort_unstable();
        let minute_ms = spec.start_ms + m as i64 * 60_000;
        for &off in &offsets {
            let row = request(&mut rng, minute_ms + off as i64);
            emit(&row)?;
        }
    }
    Ok(())
}

fn request(rng: &mut SplitMix64, timestamp_ms: i64) -> SampleRow {
    let mut pick = rng.unit();
    let p = PROFILES
        .iter()
        .find(|p| {
            pick -= p.share;
            pick < 0.0
        })
        .unwrap_or(&PROFILES[0]);
    let prompt = if p.long_share > 0.0 && rng.chance(p.long_share) {
        280_000 + rng.next_u64() % 320_000
    } else {
        rng.lognormal(p.prompt_median, 0.5).clamp(20.0, 120_000.0) as u64
    };
    let steps = prompt.saturating_sub(1024) / 128;
    let cached = if prompt >= 1024 && rng.chance(p.cache_probability) {
        1024 + 128 * (rng.next_u64() % (steps + 1))
    } else {
        0
    };
    // A miss on a model that reports cache writes usually writes the prompt's prefix.
    let cache_write = if p.writes_cache && cached == 0 && prompt >= 1024 && rng.chance(0.7) {
        1024 + 128 * (rng.next_u64() % (steps + 1))
    } else {
        0
    };
    let visible = rng.lognormal(p.visible_median, 0.6).clamp(1.0, 30_000.0) as u64;
    let mut reasoning = if p.reasoning_median > 0.0 {
        rng.lognormal(p.reasoning_median, 0.8).clamp(16.0, 90_000.0) as u64
    } else {
        0
    };
    let mut pick_cap = rng.unit();
    let cap = p.caps.iter().find_map(|&(share, cap)| {
        pick_cap -= share;
        (pick_cap < 0.0).then_some(cap)
    });
    let mut completion = visible + reasoning;
    if let Some(cap) = cap {
        if reasoning >= cap {
            // Reasoning used the whole budget: no visible answer.
            reasoning = cap;
            completion = cap;
        } else {
            completion = completion.min(cap);
        }
    }
    let status = if rng.chance(0.003) {
        500
    } else if rng.chance(0.002) {
        429
    } else {
        200
    };
    let latency_ms = (250.0 + completion as f64 * p.ms_per_token * rng.lognormal(1.0, 0.2)) as u64;
    let (prompt, cached, cache_write, completion, reasoning) = if status == 200 {
        (prompt, cached, cache_write, completion, reasoning)
    } else {
        (prompt, 0, 0, 0, 0)
    };
    SampleRow {
        timestamp_ms,
        deployment: p.deployment,
        model: p.model,
        region: p.region,
        prompt_tokens: prompt,
        cached_tokens: cached,
        cache_write_tokens: cache_write,
        completion_tokens: completion,
        reasoning_tokens: reasoning,
        max_completion_tokens: cap,
        status,
        latency_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(spec: &SampleSpec) -> Vec<SampleRow> {
        let mut out = Vec::new();
        generate(spec, |r| {
            out.push(r.clone());
            Ok(())
        })
        .expect("generate");
        out
    }

    #[test]
    fn generates_exactly_n_ordered_consistent_rows() {
        let spec = SampleSpec {
            days: 2,
            requests: 5000,
            seed: 3,
            start_ms: 1_790_000_000_000,
        };
        let rows = rows(&spec);
        assert_eq!(rows.len(), 5000);
        assert!(rows
            .windows(2)
            .all(|w| w[0].timestamp_ms <= w[1].timestamp_ms));
        assert!(rows.iter().all(
            |r| r.cached_tokens + r.cache_write_tokens <= r.prompt_tokens
                && r.reasoning_tokens <= r.completion_tokens
        ));
        assert!(rows.iter().any(|r| r.cache_write_tokens > 0));
        assert!(rows
            .iter()
            .any(|r| r.reasoning_tokens > 0 && r.reasoning_tokens == r.completion_tokens));
        assert!(rows.iter().any(|r| r.status != 200));
        assert_eq!(rows, super::tests::rows(&spec), "same seed, same rows");
    }
}
