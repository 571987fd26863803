//! Price entries (`data/pricing.yaml`): per-token prices per model, deployment type and
//! (optionally) region, and per-PTU prices per provisioned type and region.
//!
//! Prices are USD list prices. Region lists select where an entry applies; an entry with no
//! region list is the default for every region not listed elsewhere.

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use super::DeploymentTypeId;

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
    /// USD per 1M output tokens (reasoning tokens are billed as output).
    pub output_usd_per_1m: f64,
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
    /// Cost in USD of the given token counts. `uncached_input_tokens` excludes cached tokens;
    /// `output_tokens` includes reasoning tokens.
    pub fn cost_usd(
        &self,
        uncached_input_tokens: u64,
        cached_input_tokens: u64,
        output_tokens: u64,
    ) -> f64 {
        (uncached_input_tokens as f64 * self.input_usd_per_1m
            + cached_input_tokens as f64 * self.cached_input_usd_per_1m
            + output_tokens as f64 * self.output_usd_per_1m)
            / 1_000_000.0
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
