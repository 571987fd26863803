//! Network facts for buying capacity in another region, from `data/network.yaml`: Azure's
//! published round-trip latency between regions, the bytes a token occupies on the wire, and
//! inter-region data-transfer prices. Lookups return `None` where the data has no figure;
//! nothing is guessed (an unpriced transfer is "not priced", never $0).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Azure's inter-region round-trip latency table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencyTable {
    /// What the figures are (statistic, window).
    pub note: String,
    /// Source.
    pub source: String,
    /// The dataset's date.
    pub as_of: NaiveDate,
    /// Milliseconds by source region, then destination region (`armRegionName`s).
    pub from_ms: BTreeMap<String, BTreeMap<String, u32>>,
}

/// Bytes per token.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BytesPerToken {
    /// Bytes.
    pub value: f64,
    /// [U].
    #[serde(default)]
    pub unverified: bool,
    /// What is and is not counted.
    pub note: String,
    /// Source.
    pub source: String,
    /// Date.
    pub as_of: NaiveDate,
}

/// One inter-region transfer price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferPrice {
    /// Source regions the price applies to.
    pub from_regions: Vec<String>,
    /// Destination regions (absent: any other region).
    #[serde(default)]
    pub to_regions: Option<Vec<String>>,
    /// USD per GB (10^9 bytes) leaving the source region.
    pub usd_per_gb: f64,
    /// [U].
    #[serde(default)]
    pub unverified: bool,
    /// Remark.
    #[serde(default)]
    pub note: Option<String>,
    /// Source.
    pub source: String,
    /// Date.
    pub as_of: NaiveDate,
}

/// `data/network.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkCatalog {
    /// Round-trip latency.
    pub round_trip_latency: LatencyTable,
    /// Bytes per token.
    pub bytes_per_token: BytesPerToken,
    /// Transfer prices.
    pub transfer_prices: Vec<TransferPrice>,
}

impl NetworkCatalog {
    /// Round-trip latency from `from` to `to`, ms (0 within a region; None when the table has
    /// no figure).
    pub fn round_trip_ms(&self, from: &str, to: &str) -> Option<u32> {
        if from == to {
            return Some(0);
        }
        self.round_trip_latency.from_ms.get(from)?.get(to).copied()
    }

    /// Whether the latency table names `region` (as a source or destination).
    pub fn knows_region(&self, region: &str) -> bool {
        let t = &self.round_trip_latency.from_ms;
        t.contains_key(region) || t.values().any(|row| row.contains_key(region))
    }

    /// The transfer price from `from` to `to`: an entry naming `to` wins over one for any
    /// destination. None within a region is never asked (no transfer).
    pub fn transfer_price(&self, from: &str, to: &str) -> Option<&TransferPrice> {
        let applies = |p: &&TransferPrice| p.from_regions.iter().any(|r| r == from);
        self.transfer_prices
            .iter()
            .filter(applies)
            .find(|p| {
                p.to_regions
                    .as_ref()
                    .is_some_and(|t| t.iter().any(|r| r == to))
            })
            .or_else(|| {
                self.transfer_prices
                    .iter()
                    .filter(applies)
                    .find(|p| p.to_regions.is_none())
            })
    }

    /// `(source, as_of)` of every figure.
    pub fn provenance(&self) -> impl Iterator<Item = (&str, NaiveDate)> {
        std::iter::once((
            self.round_trip_latency.source.as_str(),
            self.round_trip_latency.as_of,
        ))
        .chain(std::iter::once((
            self.bytes_per_token.source.as_str(),
            self.bytes_per_token.as_of,
        )))
        .chain(
            self.transfer_prices
                .iter()
                .map(|p| (p.source.as_str(), p.as_of)),
        )
    }

    /// Problems of the file (`at(section, index)` names an entry).
    pub fn validate(&self, at: &dyn Fn(&str, usize) -> String) -> Vec<String> {
        let mut p = Vec::new();
        let t = &self.round_trip_latency;
        if t.source.trim().is_empty() {
            p.push("round_trip_latency: `source` is empty".to_owned());
        }
        for (from, row) in &t.from_ms {
            if row.contains_key(from) {
                p.push(format!(
                    "round_trip_latency.from_ms.{from}: a region has no latency to itself; leave it out"
                ));
            }
            for (to, ms) in row {
                if *ms == 0 || *ms > 2_000 {
                    p.push(format!(
                        "round_trip_latency.from_ms.{from}.{to}: {ms} ms is outside 1..=2000"
                    ));
                }
            }
        }
        let b = &self.bytes_per_token;
        if !(b.value.is_finite() && b.value > 0.0 && b.value <= 64.0) {
            p.push(format!(
                "bytes_per_token.value: {} is not a plausible byte count (0 < value <= 64)",
                b.value
            ));
        }
        if b.source.trim().is_empty() {
            p.push("bytes_per_token: `source` is empty".to_owned());
        }
        for (i, tp) in self.transfer_prices.iter().enumerate() {
            let here = at("transfer_prices", i);
            if !(tp.usd_per_gb.is_finite() && tp.usd_per_gb >= 0.0 && tp.usd_per_gb < 10.0) {
                p.push(format!(
                    "{here}: usd_per_gb {} is outside 0..10",
                    tp.usd_per_gb
                ));
            }
            if tp.from_regions.is_empty() || tp.to_regions.as_ref().is_some_and(Vec::is_empty) {
                p.push(format!("{here}: a region list is empty"));
            }
            if tp.source.trim().is_empty() {
                p.push(format!("{here}: `source` is empty"));
            }
            if tp.unverified && tp.note.is_none() {
                p.push(format!("{here}: unverified but no note says why"));
            }
        }
        p
    }
}
