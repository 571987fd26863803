//! The deployment types ptuplan compares, one row each. A row gives the id used in YAML, JSON
//! and option ids, the short label of narrow tables, where the type processes inference and its
//! tier; every property the code asks of a type (`is_provisioned`, `processing`, `ptu_scope`,
//! the labels) is read from the row. A new type is one row here plus its entry in
//! `data/deployment_types.yaml` (name, SKU, billing, spillover, source and `as_of`) and its
//! prices.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Processing, PtuScope};

/// What kind of deployment a type is: how it is billed and admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Real-time pay-per-token, the default tier (Global, Data Zone, regional Standard).
    Standard,
    /// Asynchronous pay-per-token, 24-hour target turnaround.
    Batch,
    /// Best-effort pay-per-token on a Standard deployment: no latency or service SLA.
    Flex,
    /// Pay-per-token with a latency target, at a premium, on a Standard deployment.
    Priority,
    /// Provisioned throughput (PTU), billed per PTU-hour or reserved.
    Provisioned,
}

/// One deployment type's row.
struct Row {
    id: DeploymentTypeId,
    name: &'static str,
    short: &'static str,
    processing: Processing,
    tier: Tier,
}

macro_rules! deployment_types {
    ($($(#[$doc:meta])* $variant:ident = $name:literal, $short:literal, $processing:ident, $tier:ident;)*) => {
        /// One of the Azure OpenAI deployment types ptuplan compares.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum DeploymentTypeId {
            $($(#[$doc])* #[serde(rename = $name)] $variant,)*
        }

        const ROWS: &[Row] = &[$(Row {
            id: DeploymentTypeId::$variant,
            name: $name,
            short: $short,
            processing: Processing::$processing,
            tier: Tier::$tier,
        },)*];
    };
}

deployment_types! {
    /// Global Standard: pay per token, processed in any Azure region.
    GlobalStandard = "global-standard", "Global Std", Global, Standard;
    /// Data Zone Standard: pay per token, processed inside the US, EU or APAC data zone.
    DataZoneStandard = "data-zone-standard", "DZ Std", DataZone, Standard;
    /// Standard (regional): pay per token, processed in the deployment's region.
    RegionalStandard = "regional-standard", "Reg Std", Region, Standard;
    /// Global Batch: asynchronous, 50% of Global Standard.
    GlobalBatch = "global-batch", "Global Batch", Global, Batch;
    /// Data Zone Batch: asynchronous, 50% of Data Zone Standard.
    DataZoneBatch = "data-zone-batch", "DZ Batch", DataZone, Batch;
    /// Flex (preview) on a Global Standard deployment: 50% of Global Standard, no latency or
    /// service SLA, 429 when Flex capacity is unavailable (U5).
    GlobalFlex = "global-flex", "Global Flex", Global, Flex;
    /// Priority processing on a Global Standard deployment: a latency target, at a premium
    /// over Global Standard (U6).
    GlobalPriority = "global-priority", "Global Prio", Global, Priority;
    /// Priority processing on a Data Zone Standard deployment (US data zone only, U6).
    DataZonePriority = "data-zone-priority", "DZ Prio", DataZone, Priority;
    /// Global Provisioned (PTU).
    GlobalProvisioned = "global-provisioned", "Global PTU", Global, Provisioned;
    /// Data Zone Provisioned (PTU).
    DataZoneProvisioned = "data-zone-provisioned", "DZ PTU", DataZone, Provisioned;
    /// Regional Provisioned (PTU, "Provisioned-Managed").
    RegionalProvisioned = "regional-provisioned", "Reg PTU", Region, Provisioned;
}

/// How many rows there are (of provisioned types only, or of all).
const fn count(provisioned_only: bool) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < ROWS.len() {
        if !provisioned_only || matches!(ROWS[i].tier, Tier::Provisioned) {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The rows' ids, in order (of provisioned types only, or all).
const fn ids<const N: usize>(provisioned_only: bool) -> [DeploymentTypeId; N] {
    let mut out = [DeploymentTypeId::GlobalStandard; N];
    let (mut i, mut j) = (0, 0);
    while i < ROWS.len() {
        if !provisioned_only || matches!(ROWS[i].tier, Tier::Provisioned) {
            out[j] = ROWS[i].id;
            j += 1;
        }
        i += 1;
    }
    out
}

impl DeploymentTypeId {
    /// All types, in display order.
    pub const ALL: [DeploymentTypeId; count(false)] = ids(false);

    /// The provisioned (PTU) types, in display order.
    pub const PROVISIONED: [DeploymentTypeId; count(true)] = ids(true);

    fn row(self) -> &'static Row {
        // Rows are declared in the enum's order.
        &ROWS[self as usize]
    }

    /// The kebab-case id used in YAML, JSON and option ids.
    pub fn as_str(self) -> &'static str {
        self.row().name
    }

    /// `Global PTU`, `DZ Std`, ...: the type in at most 12 columns, for narrow tables.
    pub fn short_label(self) -> &'static str {
        self.row().short
    }

    /// The type that processes inference where `processing` says, in `tier`, if there is one.
    pub fn find(processing: Processing, tier: Tier) -> Option<DeploymentTypeId> {
        ROWS.iter()
            .find(|r| r.processing == processing && r.tier == tier)
            .map(|r| r.id)
    }

    /// What kind of deployment it is.
    pub fn tier(self) -> Tier {
        self.row().tier
    }

    /// True for the PTU types.
    pub fn is_provisioned(self) -> bool {
        self.tier() == Tier::Provisioned
    }

    /// True for the Batch types (asynchronous, 24-hour target turnaround).
    pub fn is_batch(self) -> bool {
        self.tier() == Tier::Batch
    }

    /// True for the Flex tier (best effort: no latency or service SLA).
    pub fn is_flex(self) -> bool {
        self.tier() == Tier::Flex
    }

    /// True for the Standard types (Global, Data Zone, regional): the real-time, default-tier
    /// per-token types that "cheapest Standard" comparisons use.
    pub fn is_standard(self) -> bool {
        self.tier() == Tier::Standard
    }

    /// Where inference is processed for this type.
    pub fn processing(self) -> Processing {
        self.row().processing
    }

    /// Which PTU minimum/increment column applies (None for per-token types).
    pub fn ptu_scope(self) -> Option<PtuScope> {
        self.is_provisioned().then_some(match self.processing() {
            Processing::Global => PtuScope::Global,
            Processing::DataZone => PtuScope::DataZone,
            Processing::Region => PtuScope::Regional,
        })
    }
}

impl fmt::Display for DeploymentTypeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_in_the_enums_order_and_ids_round_trip() {
        for (i, row) in ROWS.iter().enumerate() {
            assert_eq!(row.id as usize, i, "{}", row.name);
            let json = serde_json::to_string(&row.id).expect("json");
            assert_eq!(json, format!("\"{}\"", row.name));
            let back: DeploymentTypeId = serde_json::from_str(&json).expect("back");
            assert_eq!(back, row.id);
            assert!(row.short.len() <= 12, "{}", row.short);
        }
        assert_eq!(DeploymentTypeId::ALL.len(), ROWS.len());
        assert_eq!(
            DeploymentTypeId::PROVISIONED,
            [
                DeploymentTypeId::GlobalProvisioned,
                DeploymentTypeId::DataZoneProvisioned,
                DeploymentTypeId::RegionalProvisioned
            ]
        );
        assert_eq!(
            DeploymentTypeId::DataZoneProvisioned.ptu_scope(),
            Some(PtuScope::DataZone)
        );
        assert_eq!(DeploymentTypeId::GlobalFlex.ptu_scope(), None);
    }
}
