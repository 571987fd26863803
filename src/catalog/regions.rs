//! Region facts (`data/regions.yaml`): which regions form the US, EU and APAC data zones, and which
//! model x deployment type x region combinations the docs list as available.
//!
//! Availability tables are indicative only: Azure allocates capacity at deployment time. A
//! model x type x region is known to be unavailable only where a verified table that covers
//! the region does not list it ([`crate::catalog::Catalog::verified_absence`]).

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use super::DeploymentTypeId;

/// A Microsoft-defined data zone.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataZone {
    /// `us`, `eu` or `apac`.
    pub id: String,
    /// Member regions (`armRegionName` values).
    pub regions: Vec<String>,
    /// Remark (how the membership was read).
    #[serde(default)]
    pub note: Option<String>,
    /// Where the figures came from (URL or document reference).
    pub source: String,
    /// Date the figures were valid, `YYYY-MM-DD`.
    pub as_of: NaiveDate,
}

/// Regions where one model is offered on one deployment type.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    /// Catalog model id.
    pub model: String,
    /// Deployment type.
    pub deployment_type: DeploymentTypeId,
    /// Regions (`armRegionName` values) listed as available.
    pub regions: Vec<String>,
    /// The regions the source table was read for, when it covers only some (the Americas
    /// matrix, say); default: every region. A region outside them that `regions` does not
    /// list is not known to be unavailable ([U]), only one inside them is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_regions: Option<Vec<String>>,
    /// True when the list is unverified ([U]: inferred from price meters or from another
    /// model's list, not read from a Microsoft region matrix); the note says how. A region it
    /// does not list is then not known to be unavailable either.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unverified: bool,
    /// Remark (conflicts between matrices, registration requirements).
    #[serde(default)]
    pub note: Option<String>,
    /// Where the figures came from (URL or document reference).
    pub source: String,
    /// Date the figures were valid, `YYYY-MM-DD`.
    pub as_of: NaiveDate,
}

/// Models no region matrix covers: they postdate the newest matrices read, so a type or region
/// their availability entries do not list is not known to be unavailable ([U]). For every other
/// model the matrices list each type it is offered on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UncoveredModels {
    /// Catalog model ids.
    pub models: Vec<String>,
    /// Remark (why no matrix covers them).
    #[serde(default)]
    pub note: Option<String>,
    /// Where the figures came from (URL or document reference).
    pub source: String,
    /// Date the figures were valid, `YYYY-MM-DD`.
    pub as_of: NaiveDate,
}
