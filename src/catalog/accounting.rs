//! PTU accounting per model family, as data: how one request turns into PTU-weighted tokens,
//! and the token categories a bill and a PTU meter see.
//!
//! Three rules exist in Microsoft's sizing page (U3); the catalog stores which one a model uses:
//! - older models (GPT-4o up to gpt-5.6 and gpt-5.5): `(prompt - cached) + ratio x completion`.
//!   "Cached tokens are deducted 100% from the utilization calculation"; a cache write is
//!   ordinary input (the rule has no cache-write term) -> [`PtuAccounting::OutputRatio`];
//! - GPT-6 Astra, GPT-6 Sol and newer: normalized tokens, "the sum of (tokens per minute in each
//!   token category x that category's normalized token cost)", with the categories short- and
//!   long-context input, cached input, cache write and output; "Assign each token to its
//!   applicable category once" -> [`PtuAccounting::Normalized`];
//! - models before GPT-4o (call-shape dependent) are not in the catalog.
//!
//! A request is long-context when its prompt exceeds the model's threshold in the catalog
//! (`long_context.above_prompt_tokens`); output tokens never decide it (U4).
//!
//! [`weigh`] is the one weighting function: the minute series, the admission simulation and
//! the sizing all use what it returns. Where the tokens are billed is [`super::pricing`]'s job.

use serde::{Deserialize, Serialize};

/// The token counts of one request, as logged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestTokens {
    /// Prompt (input) tokens, cached and cache-write tokens included.
    pub prompt_tokens: u64,
    /// Cache reads (a subset of the prompt).
    pub cached_tokens: u64,
    /// Cache writes (a subset of the prompt, apart from the cache reads).
    pub cache_write_tokens: u64,
    /// Completion (output) tokens, reasoning included.
    pub completion_tokens: u64,
}

impl RequestTokens {
    /// Prompt tokens that are neither cache reads nor cache writes ("ordinary input").
    pub fn ordinary_input_tokens(&self) -> u64 {
        self.prompt_tokens
            .saturating_sub(self.cached_tokens)
            .saturating_sub(self.cache_write_tokens)
    }
}

/// Token counts of one context class, each token in exactly one category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TokenCounts {
    /// Requests.
    pub requests: u64,
    /// Ordinary input tokens: prompt minus cache reads minus cache writes.
    pub input_tokens: u64,
    /// Cache reads.
    pub cached_input_tokens: u64,
    /// Cache writes.
    pub cache_write_tokens: u64,
    /// Output tokens (reasoning included).
    pub output_tokens: u64,
}

impl TokenCounts {
    /// Add one request.
    pub fn add(&mut self, t: &RequestTokens) {
        self.requests += 1;
        self.input_tokens += t.ordinary_input_tokens();
        self.cached_input_tokens += t.cached_tokens;
        self.cache_write_tokens += t.cache_write_tokens;
        self.output_tokens += t.completion_tokens;
    }

    /// Add another part's counts.
    pub fn absorb(&mut self, o: &TokenCounts) {
        self.requests += o.requests;
        self.input_tokens += o.input_tokens;
        self.cached_input_tokens += o.cached_input_tokens;
        self.cache_write_tokens += o.cache_write_tokens;
        self.output_tokens += o.output_tokens;
    }

    /// These counts without a part of them (`part` is a subset: a share of these requests).
    pub fn without(&self, part: &TokenCounts) -> TokenCounts {
        TokenCounts {
            requests: self.requests.saturating_sub(part.requests),
            input_tokens: self.input_tokens.saturating_sub(part.input_tokens),
            cached_input_tokens: self
                .cached_input_tokens
                .saturating_sub(part.cached_input_tokens),
            cache_write_tokens: self
                .cache_write_tokens
                .saturating_sub(part.cache_write_tokens),
            output_tokens: self.output_tokens.saturating_sub(part.output_tokens),
        }
    }

    /// Prompt tokens (all three input categories).
    pub fn prompt_tokens(&self) -> u64 {
        self.input_tokens + self.cached_input_tokens + self.cache_write_tokens
    }
}

/// Token counts split into short- and long-context requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TokenTally {
    /// Requests at or below the model's long-context threshold (all requests when it has none).
    pub short: TokenCounts,
    /// Requests above it.
    pub long: TokenCounts,
}

impl TokenTally {
    /// Add one request to its class.
    pub fn add(&mut self, t: &RequestTokens, long_context: bool) {
        if long_context {
            self.long.add(t);
        } else {
            self.short.add(t);
        }
    }

    /// Add another part's tally.
    pub fn absorb(&mut self, o: &TokenTally) {
        self.short.absorb(&o.short);
        self.long.absorb(&o.long);
    }

    /// This tally without a part of its requests (e.g. the ones a quota answered 429).
    pub fn without(&self, part: &TokenTally) -> TokenTally {
        TokenTally {
            short: self.short.without(&part.short),
            long: self.long.without(&part.long),
        }
    }

    /// Both classes together.
    pub fn total(&self) -> TokenCounts {
        let mut t = self.short;
        t.absorb(&self.long);
        t
    }
}

/// PTU weights of the four token categories of one context class (1.0 = one input token).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryWeights {
    /// Ordinary input.
    pub input: f64,
    /// Cache reads.
    pub cached_input: f64,
    /// Cache writes.
    pub cache_write: f64,
    /// Output (reasoning included).
    pub output: f64,
}

impl CategoryWeights {
    /// Every weight, with its YAML name.
    pub fn named(&self) -> [(&'static str, f64); 4] {
        [
            ("input", self.input),
            ("cached_input", self.cached_input),
            ("cache_write", self.cache_write),
            ("output", self.output),
        ]
    }
}

/// Normalized-token weights (U3 "Pay-as-you-go prices and token weights"): each weight is the
/// category's Global Standard price divided by the short-context input price.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormalizedWeights {
    /// Short-context requests (`input` is 1 by definition).
    pub short: CategoryWeights,
    /// Long-context requests.
    pub long: CategoryWeights,
}

/// How a model's requests count against PTU capacity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "method")]
pub enum PtuAccounting {
    /// `(prompt - cached) + ratio x completion`: cache reads weigh 0, cache writes count as
    /// ordinary input, long context weighs the same as short.
    OutputRatio {
        /// Input tokens one output token counts as.
        ratio: f64,
    },
    /// Normalized tokens: every category has its own weight, per context class.
    Normalized(NormalizedWeights),
}

impl PtuAccounting {
    /// The weights of a request of this context class.
    pub fn weights(&self, long_context: bool) -> CategoryWeights {
        match self {
            PtuAccounting::OutputRatio { ratio } => CategoryWeights {
                input: 1.0,
                cached_input: 0.0,
                cache_write: 1.0,
                output: *ratio,
            },
            PtuAccounting::Normalized(w) if long_context => w.long,
            PtuAccounting::Normalized(w) => w.short,
        }
    }

    /// The output-to-input ratio of an [`PtuAccounting::OutputRatio`] model.
    pub fn ratio(&self) -> Option<f64> {
        match self {
            PtuAccounting::OutputRatio { ratio } => Some(*ratio),
            PtuAccounting::Normalized(_) => None,
        }
    }

    /// `output-ratio` or `normalized`.
    pub fn method(&self) -> &'static str {
        match self {
            PtuAccounting::OutputRatio { .. } => "output-ratio",
            PtuAccounting::Normalized(_) => "normalized",
        }
    }
}

/// What a model's accounting needs to weigh one request: its PTU rule and its long-context
/// threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RequestAccounting {
    /// The PTU rule (`output-ratio` with ratio 1 for models without PTU figures).
    pub ptu: PtuAccounting,
    /// A request whose prompt exceeds this many tokens is long-context; None = never.
    pub long_context_above_prompt_tokens: Option<u64>,
}

impl RequestAccounting {
    /// True when the request is long-context by its prompt size.
    pub fn is_long_context(&self, prompt_tokens: u64) -> bool {
        self.long_context_above_prompt_tokens
            .is_some_and(|t| prompt_tokens > t)
    }

    /// The request's weights: see [`weigh`].
    pub fn weigh(&self, t: &RequestTokens) -> Weighted {
        weigh(&self.ptu, self.is_long_context(t.prompt_tokens), t)
    }
}

/// One request's PTU weight, split so an admission estimate can replace the output part.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weighted {
    /// True when the request is long-context.
    pub long_context: bool,
    /// Weighted input tokens: every prompt token times its category's weight.
    pub input_tokens: f64,
    /// Weight of one output token.
    pub output_weight: f64,
}

impl Weighted {
    /// Weighted tokens with `output_tokens` of output (actual or estimated).
    pub fn total(&self, output_tokens: u64) -> f64 {
        self.input_tokens + self.output_weight * output_tokens as f64
    }
}

/// The weighting function: a request's PTU-weighted input and the weight of its output tokens.
/// Every token is in exactly one category (U3: "don't count a cached or cache-write token again
/// as ordinary input").
pub fn weigh(accounting: &PtuAccounting, long_context: bool, t: &RequestTokens) -> Weighted {
    let w = accounting.weights(long_context);
    Weighted {
        long_context,
        input_tokens: t.ordinary_input_tokens() as f64 * w.input
            + t.cached_tokens as f64 * w.cached_input
            + t.cache_write_tokens as f64 * w.cache_write,
        output_weight: w.output,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GPT6: NormalizedWeights = NormalizedWeights {
        short: CategoryWeights {
            input: 1.0,
            cached_input: 0.1,
            cache_write: 1.25,
            output: 5.0,
        },
        long: CategoryWeights {
            input: 2.0,
            cached_input: 0.2,
            cache_write: 2.5,
            output: 7.5,
        },
    };

    fn req(prompt: u64, cached: u64, cache_write: u64, completion: u64) -> RequestTokens {
        RequestTokens {
            prompt_tokens: prompt,
            cached_tokens: cached,
            cache_write_tokens: cache_write,
            completion_tokens: completion,
        }
    }

    #[test]
    fn older_models_deduct_cache_reads_and_count_cache_writes_as_input() {
        let acc = RequestAccounting {
            ptu: PtuAccounting::OutputRatio { ratio: 8.0 },
            long_context_above_prompt_tokens: None,
        };
        // (1,000 - 400) + 8 x 50; the 100 cache-write tokens are ordinary input.
        let w = acc.weigh(&req(1_000, 400, 100, 50));
        assert_eq!(w.input_tokens, 600.0);
        assert_eq!(w.total(50), 1_000.0);
        // Microsoft's worked example: gpt-5.2, 200 prompt, 20 output, ratio 8: 360 per call.
        assert_eq!(acc.weigh(&req(200, 0, 0, 20)).total(20), 360.0);
    }

    #[test]
    fn normalized_tokens_weigh_every_category_once() {
        let acc = RequestAccounting {
            ptu: PtuAccounting::Normalized(GPT6),
            long_context_above_prompt_tokens: Some(272_000),
        };
        // Short: 10,000 prompt = 6,000 ordinary + 3,000 cached + 1,000 written; 500 output.
        // 6,000 x 1 + 3,000 x 0.1 + 1,000 x 1.25 + 500 x 5 = 10,050.
        let w = acc.weigh(&req(10_000, 3_000, 1_000, 500));
        assert!(!w.long_context);
        assert!((w.total(500) - 10_050.0).abs() < 1e-9);
        // Long (300,000 > 272,000): 200,000 x 2 + 80,000 x 0.2 + 20,000 x 2.5 + 1,000 x 7.5.
        let w = acc.weigh(&req(300_000, 80_000, 20_000, 1_000));
        assert!(w.long_context);
        assert!((w.total(1_000) - 473_500.0).abs() < 1e-9);
        // Exactly at the threshold is short context.
        assert!(!acc.is_long_context(272_000));
    }

    #[test]
    fn tally_splits_by_context_class() {
        let mut tally = TokenTally::default();
        tally.add(&req(100, 20, 10, 5), false);
        tally.add(&req(300_000, 0, 0, 7), true);
        assert_eq!(tally.short.input_tokens, 70);
        assert_eq!(tally.short.prompt_tokens(), 100);
        assert_eq!(tally.long.requests, 1);
        assert_eq!(tally.total().output_tokens, 12);
    }
}
