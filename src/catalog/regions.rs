//! Region facts (`data/regions.yaml`): which regions form the US, EU and APAC data zones, and which
//! model x deployment type x region combinations the docs list as available.
//!
//! Availability tables are indicative only: Azure allocates capacity at deployment time.

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
    /// True when the list is unverified ([U]: inferred from price meters or from another
    /// model's list, not read from a Microsoft region matrix); the note says how.
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
