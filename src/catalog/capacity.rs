//! PTU capacity figures per model (`data/models.yaml`): input TPM per PTU, the output-to-input
//! ratio, minimum and increment per provisioned type, and the latency target.
//!
//! Sizing arithmetic (rounding to increments) lives here because it is a property of the
//! catalog figures; what demand to size for is decided in `plan`.

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use super::accounting::{NormalizedWeights, PtuAccounting, RequestAccounting};
use super::lifecycle::Lifecycle;
use super::PtuScope;

/// A model as ptuplan knows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Catalog id: the bare model name (`gpt-4o`) or a pinned version with its own prices
    /// (`gpt-4o-2024-05-13`). Log names with a `-YYYY-MM-DD` suffix resolve to the bare id
    /// unless a pinned id matches exactly.
    pub id: String,
    /// Other names that resolve to this model (lower case), e.g. Azure's `gpt-35-turbo`.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// True for reasoning models (o-series, gpt-5 family): hidden reasoning tokens are billed
    /// as output and count against PTU utilization.
    pub reasoning: bool,
    /// PTU figures; absent when the model cannot be deployed on PTU.
    #[serde(default)]
    pub ptu: Option<PtuSpec>,
    /// Request-size limits (context window, largest prompt and completion); absent when no
    /// source gives them.
    #[serde(default)]
    pub limits: Option<ModelLimits>,
    /// Where long context starts: requests above the threshold are billed at the long-context
    /// prices and weighted with the long-context PTU weights; absent = no long-context pricing.
    #[serde(default)]
    pub long_context: Option<LongContext>,
    /// Version, GA date and the published retirement schedules; absent when no source lists
    /// the model.
    #[serde(default)]
    pub lifecycle: Option<Lifecycle>,
    /// Free-text remark (conflicts between sources, derived figures).
    #[serde(default)]
    pub note: Option<String>,
    /// Where the figures came from (URL or document reference).
    pub source: String,
    /// Date the figures were valid, `YYYY-MM-DD`.
    pub as_of: NaiveDate,
}

/// PTU capacity figures of one model.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PtuSpec {
    /// Input tokens per minute one PTU serves (uncached input; output weighted by the ratio).
    pub input_tpm_per_ptu: f64,
    /// How many input tokens one output token counts as against PTU utilization (the
    /// `(prompt - cached) + ratio x completion` rule); absent for normalized-token models.
    #[serde(default)]
    pub output_to_input_ratio: Option<f64>,
    /// Normalized-token weights (GPT-6 Astra, Sol and newer, U3); absent for ratio models.
    /// Exactly one of `output_to_input_ratio` and `normalized_weights` is given.
    #[serde(default)]
    pub normalized_weights: Option<NormalizedWeights>,
    /// Latency target in output tokens per second (Microsoft's "99% > x TPS").
    pub latency_target_tokens_per_s: f64,
    /// Global Provisioned minimum and increment, if offered.
    #[serde(default)]
    pub global: Option<PtuIncrement>,
    /// Data Zone Provisioned minimum and increment, if offered.
    #[serde(default)]
    pub data_zone: Option<PtuIncrement>,
    /// Regional Provisioned minimum and increment, if offered.
    #[serde(default)]
    pub regional: Option<PtuIncrement>,
    /// Largest prompt, in tokens, a PTU deployment of this model accepts: requests estimated
    /// above it get HTTP 400 ("long context" is not supported on PTU for some models), which
    /// spillover can catch. Absent when PTU takes the model's whole context window.
    #[serde(default)]
    pub max_prompt_tokens: Option<u64>,
}

impl PtuSpec {
    /// The model's PTU accounting rule (the ratio rule with ratio 1 if neither is given, which
    /// validation rejects).
    pub fn accounting(&self) -> PtuAccounting {
        match (self.normalized_weights, self.output_to_input_ratio) {
            (Some(w), _) => PtuAccounting::Normalized(w),
            (None, ratio) => PtuAccounting::OutputRatio {
                ratio: ratio.unwrap_or(1.0),
            },
        }
    }

    /// The minimum/increment for a provisioned scope.
    pub fn increment_for(&self, scope: PtuScope) -> Option<&PtuIncrement> {
        match scope {
            PtuScope::Global => self.global.as_ref(),
            PtuScope::DataZone => self.data_zone.as_ref(),
            PtuScope::Regional => self.regional.as_ref(),
        }
    }

    /// Weighted tokens per minute `n_ptus` PTUs can absorb.
    pub fn capacity_tokens_per_min(&self, n_ptus: u32) -> f64 {
        f64::from(n_ptus) * self.input_tpm_per_ptu
    }
}

/// Where long context starts for a model's billing and PTU weights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LongContext {
    /// A request whose prompt exceeds this many tokens is long-context ("requests estimated to
    /// exceed 272k prompt tokens", U6).
    pub above_prompt_tokens: u64,
    /// How the figure was read (it is unverified for Standard billing of most models, [U]).
    #[serde(default)]
    pub note: Option<String>,
    /// Where it came from.
    pub source: String,
    /// Date the figure was valid, `YYYY-MM-DD`.
    pub as_of: NaiveDate,
}

impl ModelSpec {
    /// What weighing one request of this model needs: its PTU rule (ratio 1 for a model
    /// without PTU figures, so its demand is plain tokens) and its long-context threshold.
    pub fn accounting(&self) -> RequestAccounting {
        RequestAccounting {
            ptu: self.ptu.as_ref().map_or(
                PtuAccounting::OutputRatio { ratio: 1.0 },
                PtuSpec::accounting,
            ),
            long_context_above_prompt_tokens: self
                .long_context
                .as_ref()
                .map(|l| l.above_prompt_tokens),
        }
    }
}

/// Request-size limits of a model, in tokens per request. Each figure is optional: a limit no
/// source gives is left out, never guessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelLimits {
    /// Context window: prompt plus completion (reasoning included), in tokens.
    #[serde(default)]
    pub context_window_tokens: Option<u64>,
    /// Largest prompt (input, cached included), in tokens.
    #[serde(default)]
    pub max_input_tokens: Option<u64>,
    /// Largest completion (output, reasoning included), in tokens; also the largest
    /// `max_completion_tokens` a request may ask for.
    #[serde(default)]
    pub max_output_tokens: Option<u64>,
    /// Free-text remark (how a source's wording was read).
    #[serde(default)]
    pub note: Option<String>,
    /// Where the figures came from.
    pub source: String,
    /// Date the figures were valid, `YYYY-MM-DD`.
    pub as_of: NaiveDate,
}

/// Minimum deployment size and scale increment of one provisioned type, in PTUs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PtuIncrement {
    /// Smallest deployable PTU count.
    pub min_ptus: u32,
    /// PTU counts above the minimum come in steps of this size.
    pub increment_ptus: u32,
}

impl PtuIncrement {
    /// Round a raw PTU requirement up to the increment, never below the minimum
    /// (Microsoft's capacity-calculator rule). Saturates at `u32::MAX`.
    pub fn round_up(&self, raw_ptus: f64) -> u32 {
        let min = f64::from(self.min_ptus);
        if raw_ptus.is_nan() || raw_ptus <= min {
            return self.min_ptus;
        }
        let inc = f64::from(self.increment_ptus.max(1));
        // Steps counted from zero, as the docs' examples do (105.88 -> 110 with increment 5).
        let rounded = (raw_ptus / inc - 1e-9).ceil() * inc;
        if rounded >= f64::from(u32::MAX) {
            u32::MAX
        } else {
            (rounded as u32).max(self.min_ptus)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_up_to_increment_and_minimum() {
        let dz = PtuIncrement {
            min_ptus: 15,
            increment_ptus: 5,
        };
        assert_eq!(dz.round_up(105.88), 110);
        assert_eq!(dz.round_up(76.47), 80);
        assert_eq!(dz.round_up(3.0), 15);
        assert_eq!(dz.round_up(0.0), 15);
        assert_eq!(dz.round_up(f64::NAN), 15);
        assert_eq!(dz.round_up(110.0), 110);
        let regional = PtuIncrement {
            min_ptus: 50,
            increment_ptus: 50,
        };
        assert_eq!(regional.round_up(147.06), 150);
        assert_eq!(regional.round_up(617.65), 650);
        assert_eq!(regional.round_up(580.88), 600);
        assert_eq!(regional.round_up(1e30), u32::MAX);
    }
}
