//! Price entries (`data/pricing.yaml`): per-token prices per model, deployment type and
//! (optionally) region, and per-PTU prices per provisioned type and region.
//!
//! Prices are USD list prices. Region lists select where an entry applies; an entry with no
//! region list is the default for every region not listed elsewhere. Every entry is in force
//! from `effective_from` through `effective_to` (both optional, both inclusive); a run prices at
//! the entries in force on its `--as-of` date ([`super::Catalog::in_force_on`]).
//!
//! Token categories follow [`super::accounting`]: ordinary input, cache reads, cache writes and
//! output, each for short- and (where the model has a threshold) long-context requests.

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use super::accounting::{TokenCounts, TokenTally};
use super::DeploymentTypeId;

/// True when a price with this validity is in force on `date`.
pub fn in_force(from: Option<NaiveDate>, to: Option<NaiveDate>, date: NaiveDate) -> bool {
    from.is_none_or(|f| f <= date) && to.is_none_or(|t| date <= t)
}

/// What a token price and a PTU price entry share, for the code that treats both alike
/// (picking an entry for a region, layering a prices file, validation): where the entry
/// applies, when it is in force and where its figures came from.
pub(crate) trait PriceEntry {
    /// Regions the entry applies to; None = the default for every region not listed elsewhere.
    fn regions(&self) -> Option<&[String]>;
    /// The region list, to narrow when a layered entry takes some of its regions.
    fn regions_mut(&mut self) -> Option<&mut Vec<String>>;
    /// First and last day in force, both inclusive (None = open).
    fn effective(&self) -> (Option<NaiveDate>, Option<NaiveDate>);
    /// Where the figures came from (URL or document reference).
    fn source(&self) -> &str;
}

/// [`PriceEntry`] for entry types with the same `regions`, `effective_*` and `source` fields.
macro_rules! impl_price_entry {
    ($($entry:ty),+) => {$(
        impl PriceEntry for $entry {
            fn regions(&self) -> Option<&[String]> {
                self.regions.as_deref()
            }
            fn regions_mut(&mut self) -> Option<&mut Vec<String>> {
                self.regions.as_mut()
            }
            fn effective(&self) -> (Option<NaiveDate>, Option<NaiveDate>) {
                (self.effective_from, self.effective_to)
            }
            fn source(&self) -> &str {
                &self.source
            }
        }
    )+};
}

impl_price_entry!(TokenPrice, PtuPrice);

/// Per-token prices of one context class, USD per 1M tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextPrices {
    /// USD per 1M ordinary input tokens.
    pub input_usd_per_1m: f64,
    /// USD per 1M cached input tokens (cache reads).
    pub cached_input_usd_per_1m: f64,
    /// USD per 1M cache-write tokens; absent = the input price ("Models before the GPT-5.6
    /// family don't charge extra to write to the cache", U7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write_usd_per_1m: Option<f64>,
    /// USD per 1M output tokens (reasoning included).
    pub output_usd_per_1m: f64,
}

impl ContextPrices {
    /// The cache-write price in force: the entry's, else the input price.
    pub fn cache_write_or_input(&self) -> f64 {
        self.cache_write_usd_per_1m.unwrap_or(self.input_usd_per_1m)
    }

    /// USD of the given counts.
    pub fn cost_usd(&self, c: &TokenCounts) -> f64 {
        (c.input_tokens as f64 * self.input_usd_per_1m
            + c.cached_input_tokens as f64 * self.cached_input_usd_per_1m
            + c.cache_write_tokens as f64 * self.cache_write_or_input()
            + c.output_tokens as f64 * self.output_usd_per_1m)
            / 1_000_000.0
    }

    /// Every figure with its name, for validation and reviews.
    pub fn named(&self) -> Vec<(&'static str, f64)> {
        let mut out = vec![
            ("input_usd_per_1m", self.input_usd_per_1m),
            ("cached_input_usd_per_1m", self.cached_input_usd_per_1m),
        ];
        if let Some(w) = self.cache_write_usd_per_1m {
            out.push(("cache_write_usd_per_1m", w));
        }
        out.push(("output_usd_per_1m", self.output_usd_per_1m));
        out
    }

    /// Multiply every figure by `factor` (discounts).
    pub fn scale(&mut self, factor: f64) {
        self.input_usd_per_1m *= factor;
        self.cached_input_usd_per_1m *= factor;
        if let Some(w) = self.cache_write_usd_per_1m.as_mut() {
            *w *= factor;
        }
        self.output_usd_per_1m *= factor;
    }
}

/// Long-context requests of `requests` requests are not priced by an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongContextNotPriced {
    /// Long-context requests in the tally.
    pub requests: u64,
}

/// Per-token prices of one model on one per-token deployment type.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenPrice {
    /// Catalog model id.
    pub model: String,
    /// A per-token deployment type (standard or batch).
    pub deployment_type: DeploymentTypeId,
    /// Regions this entry applies to; absent = every region without a more specific entry.
    #[serde(default)]
    pub regions: Option<Vec<String>>,
    /// USD per 1M uncached input tokens.
    pub input_usd_per_1m: f64,
    /// USD per 1M cached input tokens.
    pub cached_input_usd_per_1m: f64,
    /// USD per 1M cache-write tokens; absent = the input price (models before GPT-5.6, U7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write_usd_per_1m: Option<f64>,
    /// USD per 1M output tokens (reasoning tokens are billed as output).
    pub output_usd_per_1m: f64,
    /// Prices of long-context requests (prompt above the model's `long_context` threshold);
    /// absent = such requests are not priced by this entry (reported, never priced at $0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_context: Option<ContextPrices>,
    /// First day the entry is in force (absent: since before the catalog's records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<NaiveDate>,
    /// Last day the entry is in force (absent: no end announced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_to: Option<NaiveDate>,
    /// True when a figure is unverified ([U] in the research: derived, third-party or
    /// inferred); the note says which. Options priced with it say so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unverified: bool,
    /// Remark, e.g. how a figure was derived when no meter exists.
    #[serde(default)]
    pub note: Option<String>,
    /// Where the figures came from (URL or document reference).
    pub source: String,
    /// Date the figures were valid, `YYYY-MM-DD`.
    pub as_of: NaiveDate,
    /// Why a figure above its sanity bound ([`super::sanity`]) is right; absent = the bounds
    /// apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_outlier: Option<String>,
    /// Changes made by `--overrides` (discounts, quotes), one line each with the overrides
    /// file and line; empty for list prices. Never read from or written to YAML.
    #[serde(skip)]
    pub adjustments: Vec<String>,
}

impl TokenPrice {
    /// The short-context prices (the entry's top-level figures).
    pub fn short_context(&self) -> ContextPrices {
        ContextPrices {
            input_usd_per_1m: self.input_usd_per_1m,
            cached_input_usd_per_1m: self.cached_input_usd_per_1m,
            cache_write_usd_per_1m: self.cache_write_usd_per_1m,
            output_usd_per_1m: self.output_usd_per_1m,
        }
    }

    /// True when the entry is in force on `date`.
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        in_force(self.effective_from, self.effective_to, date)
    }

    /// Cost in USD of a tally: short-context tokens at the top-level prices, long-context
    /// tokens at `long_context`. Err when there are long-context requests and the entry has no
    /// long-context prices.
    pub fn cost_usd(&self, tally: &TokenTally) -> Result<f64, LongContextNotPriced> {
        let short = self.short_context().cost_usd(&tally.short);
        if tally.long.requests == 0 && tally.long.prompt_tokens() == 0 {
            return Ok(short);
        }
        match &self.long_context {
            Some(long) => Ok(short + long.cost_usd(&tally.long)),
            None => Err(LongContextNotPriced {
                requests: tally.long.requests,
            }),
        }
    }

    /// Multiply every figure by `factor` (discounts).
    pub fn scale(&mut self, factor: f64) {
        self.input_usd_per_1m *= factor;
        self.cached_input_usd_per_1m *= factor;
        if let Some(w) = self.cache_write_usd_per_1m.as_mut() {
            *w *= factor;
        }
        self.output_usd_per_1m *= factor;
        if let Some(l) = self.long_context.as_mut() {
            l.scale(factor);
        }
    }
}

/// Per-PTU prices of one provisioned deployment type.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PtuPrice {
    /// A provisioned deployment type.
    pub deployment_type: DeploymentTypeId,
    /// Regions this entry applies to; absent = every region without a more specific entry.
    #[serde(default)]
    pub regions: Option<Vec<String>>,
    /// Hourly (pay-as-you-go) list price in USD per PTU-hour.
    pub usd_per_ptu_hour: f64,
    /// Azure Reservation, 1-month term: USD per PTU for the whole month.
    pub reservation_1_month_usd_per_ptu: f64,
    /// Azure Reservation, 1-year term: USD per PTU for the whole year.
    pub reservation_1_year_usd_per_ptu: f64,
    /// First day the entry is in force (absent: since before the catalog's records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<NaiveDate>,
    /// Last day the entry is in force (absent: no end announced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_to: Option<NaiveDate>,
    /// True when a figure is unverified ([U]); the note says which.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unverified: bool,
    /// Remark.
    #[serde(default)]
    pub note: Option<String>,
    /// Where the figures came from (URL or document reference).
    pub source: String,
    /// Date the figures were valid, `YYYY-MM-DD`.
    pub as_of: NaiveDate,
    /// Why a figure above its sanity bound ([`super::sanity`]) is right; absent = the bounds
    /// apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_outlier: Option<String>,
    /// Changes made by `--overrides` (discounts, quotes), one line each with the overrides
    /// file and line; empty for list prices. Never read from or written to YAML.
    #[serde(skip)]
    pub adjustments: Vec<String>,
}

impl PtuPrice {
    /// True when the entry is in force on `date`.
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        in_force(self.effective_from, self.effective_to, date)
    }
}
