//! What Standard (per-token) deployments limit and promise, from `data/standard.yaml`: quota
//! levels (TPM and RPM per quota tier and the older Default / Enterprise levels) per model,
//! version and per-token type, the RPM-to-TPM ratio per model version, the per-tenant usage
//! tiers, how quota is pooled, the models whose figures were looked for and not found, and
//! the latency targets of Priority processing.
//!
//! This module answers lookups ("what does gpt-5 Global Standard allow at Tier 3?") and
//! checks the file; it never fills a gap: a lookup with no sourced answer returns `None`, and
//! [`StandardCatalog::gap_note`] says why when the research looked and found nothing.

use std::collections::BTreeSet;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::DeploymentTypeId;

/// A quota level: a quota tier (since 2026-02) or one of the older offer-type levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum QuotaLevel {
    /// Tier 0 (08/2026 page only).
    #[serde(rename = "tier-0")]
    Tier0,
    /// Tier 1.
    #[serde(rename = "tier-1")]
    Tier1,
    /// Tier 2.
    #[serde(rename = "tier-2")]
    Tier2,
    /// Tier 3.
    #[serde(rename = "tier-3")]
    Tier3,
    /// Tier 4.
    #[serde(rename = "tier-4")]
    Tier4,
    /// Tier 5.
    #[serde(rename = "tier-5")]
    Tier5,
    /// Tier 6 (the highest).
    #[serde(rename = "tier-6")]
    Tier6,
    /// The last "Default" level (pay-as-you-go and any offer not listed), 02/2026.
    #[serde(rename = "default")]
    Default,
    /// The last "Enterprise agreement / MCA-E" level, 02/2026.
    #[serde(rename = "enterprise")]
    Enterprise,
}

impl QuotaLevel {
    /// The tiers, lowest first.
    pub const TIERS: [QuotaLevel; 7] = [
        QuotaLevel::Tier0,
        QuotaLevel::Tier1,
        QuotaLevel::Tier2,
        QuotaLevel::Tier3,
        QuotaLevel::Tier4,
        QuotaLevel::Tier5,
        QuotaLevel::Tier6,
    ];

    /// Every level: the tiers, then Default and Enterprise.
    pub const ALL: [QuotaLevel; 9] = [
        QuotaLevel::Tier0,
        QuotaLevel::Tier1,
        QuotaLevel::Tier2,
        QuotaLevel::Tier3,
        QuotaLevel::Tier4,
        QuotaLevel::Tier5,
        QuotaLevel::Tier6,
        QuotaLevel::Default,
        QuotaLevel::Enterprise,
    ];

    /// The YAML and JSON id (`tier-3`, `default`, `enterprise`).
    pub fn as_str(self) -> &'static str {
        match self {
            QuotaLevel::Tier0 => "tier-0",
            QuotaLevel::Tier1 => "tier-1",
            QuotaLevel::Tier2 => "tier-2",
            QuotaLevel::Tier3 => "tier-3",
            QuotaLevel::Tier4 => "tier-4",
            QuotaLevel::Tier5 => "tier-5",
            QuotaLevel::Tier6 => "tier-6",
            QuotaLevel::Default => "default",
            QuotaLevel::Enterprise => "enterprise",
        }
    }

    /// For people: `Tier 3`, `Default`, `Enterprise`.
    pub fn label(self) -> &'static str {
        match self {
            QuotaLevel::Tier0 => "Tier 0",
            QuotaLevel::Tier1 => "Tier 1",
            QuotaLevel::Tier2 => "Tier 2",
            QuotaLevel::Tier3 => "Tier 3",
            QuotaLevel::Tier4 => "Tier 4",
            QuotaLevel::Tier5 => "Tier 5",
            QuotaLevel::Tier6 => "Tier 6",
            QuotaLevel::Default => "Default",
            QuotaLevel::Enterprise => "Enterprise",
        }
    }

    /// Parse `0`..`6`, `tier-3`, `tier3`, `default`, `enterprise` or `ea`.
    pub fn parse(text: &str) -> Option<QuotaLevel> {
        let t = text.trim().to_ascii_lowercase();
        let digits = t
            .strip_prefix("tier-")
            .or_else(|| t.strip_prefix("tier"))
            .unwrap_or(&t);
        match digits {
            "0" => Some(QuotaLevel::Tier0),
            "1" => Some(QuotaLevel::Tier1),
            "2" => Some(QuotaLevel::Tier2),
            "3" => Some(QuotaLevel::Tier3),
            "4" => Some(QuotaLevel::Tier4),
            "5" => Some(QuotaLevel::Tier5),
            "6" => Some(QuotaLevel::Tier6),
            "default" => Some(QuotaLevel::Default),
            "enterprise" | "ea" => Some(QuotaLevel::Enterprise),
            _ => None,
        }
    }
}

impl fmt::Display for QuotaLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One level's limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaLimit {
    /// Which level.
    pub level: QuotaLevel,
    /// Tokens per minute.
    pub tpm: u64,
    /// Requests per minute.
    pub rpm: u64,
    /// The figure is derived or ambiguous ([U]); the note says why.
    #[serde(default)]
    pub unverified: bool,
    /// Remark.
    #[serde(default)]
    pub note: Option<String>,
}

/// The quota levels of one model version on one per-token type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaEntry {
    /// Catalog model id.
    pub model: String,
    /// The model version the figures are for (the model's `lifecycle.version`).
    pub version: String,
    /// `global-standard`, `data-zone-standard` or `regional-standard`.
    pub deployment_type: DeploymentTypeId,
    /// One entry per published level.
    pub limits: Vec<QuotaLimit>,
    /// Some figure of the entry is [U].
    #[serde(default)]
    pub unverified: bool,
    /// Remark.
    #[serde(default)]
    pub note: Option<String>,
    /// Where the figures came from.
    pub source: String,
    /// Date the figures were valid.
    pub as_of: NaiveDate,
}

/// RPM per 1,000 TPM of one model version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RpmRatio {
    /// Catalog model id.
    pub model: String,
    /// Model version.
    pub version: String,
    /// Requests per minute granted per 1,000 tokens per minute of quota.
    pub rpm_per_1000_tpm: f64,
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

/// A model's usage tier: tokens per month per tenant before Standard latency may degrade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageTier {
    /// Catalog model id.
    pub model: String,
    /// Tokens per month (all subscriptions and regions of the tenant).
    pub tokens_per_month: u64,
    /// Remark.
    #[serde(default)]
    pub note: Option<String>,
    /// Source.
    pub source: String,
    /// Date.
    pub as_of: NaiveDate,
}

/// How one per-token type pools its quota.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaPooling {
    /// Per-token type.
    pub deployment_type: DeploymentTypeId,
    /// The pool, in words.
    pub scope: String,
    /// [U].
    #[serde(default)]
    pub unverified: bool,
    /// Remark with Microsoft's words.
    #[serde(default)]
    pub note: Option<String>,
    /// Source.
    pub source: String,
    /// Date.
    pub as_of: NaiveDate,
}

/// Models whose quota figures were looked for and not found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaGap {
    /// Catalog model ids.
    pub models: Vec<String>,
    /// What is known instead.
    pub note: String,
    /// Where the search is recorded.
    pub source: String,
    /// Date of the search.
    pub as_of: NaiveDate,
}

/// A Priority-processing latency target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityLatencyTarget {
    /// Catalog model id.
    pub model: String,
    /// Output tokens per second ("99% > X TPS").
    pub tokens_per_s: f64,
    /// Source.
    pub source: String,
    /// Date.
    pub as_of: NaiveDate,
}

/// `data/standard.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardCatalog {
    /// Quota levels.
    pub quotas: Vec<QuotaEntry>,
    /// RPM-to-TPM ratios.
    pub rpm_ratios: Vec<RpmRatio>,
    /// Usage tiers.
    pub usage_tiers: Vec<UsageTier>,
    /// Pooling notes.
    pub pooling: Vec<QuotaPooling>,
    /// Figures looked for and not found.
    pub gaps: Vec<QuotaGap>,
    /// Priority latency targets.
    pub priority_latency_targets: Vec<PriorityLatencyTarget>,
}

/// The deployment type whose quota a per-token type uses: Flex and Priority run on a Global
/// (or US Data Zone) Standard deployment and "use the quota assigned to" it (U5, U6). Batch has
/// its own enqueued-token quota (None).
pub fn quota_type(t: DeploymentTypeId) -> Option<DeploymentTypeId> {
    use super::Tier;
    match t.tier() {
        Tier::Standard | Tier::Flex | Tier::Priority => {
            DeploymentTypeId::find(t.processing(), Tier::Standard)
        }
        Tier::Batch | Tier::Provisioned => None,
    }
}

impl StandardCatalog {
    /// The quota entry of a model on a Standard type.
    pub fn quota(&self, model: &str, t: DeploymentTypeId) -> Option<&QuotaEntry> {
        self.quotas
            .iter()
            .find(|q| q.model == model && q.deployment_type == t)
    }

    /// One level of it.
    pub fn limit(
        &self,
        model: &str,
        t: DeploymentTypeId,
        level: QuotaLevel,
    ) -> Option<&QuotaLimit> {
        self.quota(model, t)?
            .limits
            .iter()
            .find(|l| l.level == level)
    }

    /// RPM per 1,000 TPM of a model.
    pub fn rpm_ratio(&self, model: &str) -> Option<&RpmRatio> {
        self.rpm_ratios.iter().find(|r| r.model == model)
    }

    /// A model's usage tier.
    pub fn usage_tier(&self, model: &str) -> Option<&UsageTier> {
        self.usage_tiers.iter().find(|u| u.model == model)
    }

    /// How a type pools its quota.
    pub fn pooling(&self, t: DeploymentTypeId) -> Option<&QuotaPooling> {
        self.pooling.iter().find(|p| p.deployment_type == t)
    }

    /// Why a model has no quota figures, when the research looked and found none.
    pub fn gap_note(&self, model: &str) -> Option<&str> {
        self.gaps
            .iter()
            .find(|g| g.models.iter().any(|m| m == model))
            .map(|g| g.note.as_str())
    }

    /// A model's Priority latency target, tokens per second.
    pub fn priority_latency(&self, model: &str) -> Option<&PriorityLatencyTarget> {
        self.priority_latency_targets
            .iter()
            .find(|p| p.model == model)
    }

    /// `(source, as_of)` of every figure (gaps are not figures).
    pub fn provenance(&self) -> impl Iterator<Item = (&str, NaiveDate)> {
        self.quotas
            .iter()
            .map(|q| (q.source.as_str(), q.as_of))
            .chain(self.rpm_ratios.iter().map(|r| (r.source.as_str(), r.as_of)))
            .chain(
                self.usage_tiers
                    .iter()
                    .map(|u| (u.source.as_str(), u.as_of)),
            )
            .chain(self.pooling.iter().map(|p| (p.source.as_str(), p.as_of)))
            .chain(
                self.priority_latency_targets
                    .iter()
                    .map(|p| (p.source.as_str(), p.as_of)),
            )
    }

    /// Problems of the file against the catalog's models (`version` is checked against
    /// `versions`: model id -> its lifecycle version, if any). `at(section, index)` names an
    /// entry (`data/standard.yaml:12`).
    pub fn validate(
        &self,
        versions: &dyn Fn(&str) -> Option<Option<String>>,
        at: &dyn Fn(&str, usize) -> String,
    ) -> Vec<String> {
        let mut p = Vec::new();
        let mut seen = BTreeSet::new();
        let known =
            |p: &mut Vec<String>, at: &str, model: &str, version: Option<&str>| match versions(
                model,
            ) {
                None => p.push(format!("{at}: unknown model `{model}`")),
                Some(Some(v)) if version.is_some_and(|x| x != v) => p.push(format!(
                    "{at}: version `{}` but catalog model {model} is version {v}",
                    version.unwrap_or_default()
                )),
                _ => {}
            };
        for (i, q) in self.quotas.iter().enumerate() {
            let here = at("quotas", i);
            known(&mut p, &here, &q.model, Some(&q.version));
            if !q.deployment_type.is_standard() {
                p.push(format!(
                    "{here}: deployment_type `{}` has no TPM quota here (only the three Standard types; Flex and Priority use the Standard quota)",
                    q.deployment_type
                ));
            }
            if !seen.insert((q.model.clone(), q.deployment_type)) {
                p.push(format!(
                    "{here}: {} {} listed twice; merge the levels",
                    q.model, q.deployment_type
                ));
            }
            if q.limits.is_empty() {
                p.push(format!("{here}: `limits` is empty"));
            }
            let mut levels = BTreeSet::new();
            for l in &q.limits {
                if !levels.insert(l.level) {
                    p.push(format!("{here}: level {} listed twice", l.level.as_str()));
                }
                if l.tpm == 0 || l.rpm == 0 {
                    p.push(format!(
                        "{here}: level {}: tpm and rpm must be > 0",
                        l.level.as_str()
                    ));
                }
                if l.unverified && l.note.is_none() && q.note.is_none() {
                    p.push(format!(
                        "{here}: level {} is unverified but no note says why",
                        l.level.as_str()
                    ));
                }
            }
            // Tiers only go up.
            let tiers: Vec<&QuotaLimit> = QuotaLevel::TIERS
                .iter()
                .filter_map(|t| q.limits.iter().find(|l| l.level == *t))
                .collect();
            for pair in tiers.windows(2) {
                if pair[1].tpm < pair[0].tpm {
                    p.push(format!(
                        "{here}: {} has less TPM than {}",
                        pair[1].level, pair[0].level
                    ));
                }
            }
            check_source(&mut p, &here, &q.source);
        }
        let mut seen = BTreeSet::new();
        for (i, r) in self.rpm_ratios.iter().enumerate() {
            let here = at("rpm_ratios", i);
            known(&mut p, &here, &r.model, Some(&r.version));
            if !(r.rpm_per_1000_tpm.is_finite() && r.rpm_per_1000_tpm > 0.0) {
                p.push(format!(
                    "{here}: rpm_per_1000_tpm must be a positive number"
                ));
            }
            if !seen.insert(r.model.clone()) {
                p.push(format!("{here}: {} listed twice", r.model));
            }
            if r.unverified && r.note.is_none() {
                p.push(format!("{here}: unverified but no note says why"));
            }
            check_source(&mut p, &here, &r.source);
        }
        let mut seen = BTreeSet::new();
        for (i, u) in self.usage_tiers.iter().enumerate() {
            let here = at("usage_tiers", i);
            known(&mut p, &here, &u.model, None);
            if u.tokens_per_month == 0 {
                p.push(format!("{here}: tokens_per_month must be > 0"));
            }
            if !seen.insert(u.model.clone()) {
                p.push(format!("{here}: {} listed twice", u.model));
            }
            check_source(&mut p, &here, &u.source);
        }
        for (i, x) in self.pooling.iter().enumerate() {
            let here = at("pooling", i);
            if !x.deployment_type.is_standard() {
                p.push(format!(
                    "{here}: deployment_type `{}` is not a Standard type",
                    x.deployment_type
                ));
            }
            check_source(&mut p, &here, &x.source);
        }
        for (i, g) in self.gaps.iter().enumerate() {
            let here = at("gaps", i);
            for m in &g.models {
                known(&mut p, &here, m, None);
                if self.quotas.iter().any(|q| &q.model == m) {
                    p.push(format!("{here}: {m} is listed as a gap but has quota rows"));
                }
            }
            check_source(&mut p, &here, &g.source);
        }
        let mut seen = BTreeSet::new();
        for (i, t) in self.priority_latency_targets.iter().enumerate() {
            let here = at("priority_latency_targets", i);
            known(&mut p, &here, &t.model, None);
            if !(t.tokens_per_s.is_finite() && t.tokens_per_s > 0.0) {
                p.push(format!("{here}: tokens_per_s must be a positive number"));
            }
            if !seen.insert(t.model.clone()) {
                p.push(format!("{here}: {} listed twice", t.model));
            }
            check_source(&mut p, &here, &t.source);
        }
        p
    }
}

/// A `--quota-file`: negotiated quotas, and optionally the quota tier of every other model.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaFile {
    /// The level for models the file does not list (like `--quota-tier`).
    #[serde(default, deserialize_with = "de_level")]
    pub tier: Option<QuotaLevel>,
    /// Negotiated quotas.
    #[serde(default)]
    pub quotas: Vec<QuotaFileEntry>,
}

/// One negotiated quota of a `--quota-file`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaFileEntry {
    /// Model name (resolved like a log's model name).
    pub model: String,
    /// A Standard type; absent: every Standard type of the model.
    #[serde(default)]
    pub deployment_type: Option<DeploymentTypeId>,
    /// Tokens per minute.
    pub tpm: u64,
    /// Requests per minute; absent: from the model's RPM-to-TPM ratio.
    #[serde(default)]
    pub rpm: Option<u64>,
    /// Where the figure comes from (a ticket, the portal).
    #[serde(default)]
    pub source: Option<String>,
}

fn de_level<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<QuotaLevel>, D::Error> {
    let v: Option<serde_yaml::Value> = Option::deserialize(d)?;
    let Some(v) = v else { return Ok(None) };
    let text = match &v {
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::String(s) => s.clone(),
        _ => String::new(),
    };
    QuotaLevel::parse(&text).map(Some).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "`tier`: expected a quota tier 0-6, `default` or `enterprise`, got {v:?}"
        ))
    })
}

/// A `--quota-file` problem, with file and line.
#[derive(Debug, thiserror::Error)]
pub enum QuotaFileError {
    /// Not readable.
    #[error("cannot read quota file {path}: {source}")]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not valid YAML for the schema.
    #[error("{path}{location}: {message}")]
    Parse {
        /// The file.
        path: std::path::PathBuf,
        /// `:line:column`.
        location: String,
        /// serde_yaml's message.
        message: String,
    },
    /// Entries that do not fit.
    #[error("quota file {path} has {} problem(s):\n  - {}", .problems.len(), .problems.join("\n  - "))]
    Invalid {
        /// The file.
        path: std::path::PathBuf,
        /// One line each.
        problems: Vec<String>,
    },
}

/// Largest quota a file may give: 10^12 tokens per minute.
const MAX_QUOTA: u64 = 1_000_000_000_000;

impl QuotaFile {
    /// Parse and check a quota file: entries need a Standard type, positive figures within
    /// bounds, and no entry twice. Each entry comes back with its line.
    pub fn parse(
        path: &std::path::Path,
        text: &str,
    ) -> Result<(QuotaFile, Vec<usize>), QuotaFileError> {
        if text.len() > 16 * 1024 * 1024 {
            return Err(QuotaFileError::Invalid {
                path: path.to_owned(),
                problems: vec!["larger than 16 MiB; a quota file lists a few models".to_owned()],
            });
        }
        let file: QuotaFile = if text.trim().is_empty() {
            QuotaFile::default()
        } else if let Some((location, message)) = super::yaml::too_deep(text) {
            return Err(QuotaFileError::Parse {
                path: path.to_owned(),
                location,
                message,
            });
        } else {
            serde_yaml::from_str(text).map_err(|e| QuotaFileError::Parse {
                path: path.to_owned(),
                location: super::yaml::location(&e),
                message: e.to_string(),
            })?
        };
        let lines = super::yaml::item_lines(text, "quotas");
        let at = |i: usize| match lines.get(i) {
            Some(l) => format!("{}:{l}", path.display()),
            None => format!("{} quotas[{i}]", path.display()),
        };
        let mut problems = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, q) in file.quotas.iter().enumerate() {
            if q.model.trim().is_empty() {
                problems.push(format!("{}: field `model` is empty", at(i)));
            }
            if let Some(t) = q.deployment_type.filter(|t| !t.is_standard()) {
                problems.push(format!(
                    "{}: field `deployment_type`: `{t}` has no TPM quota; use global-standard, data-zone-standard or regional-standard (Flex and Priority use the Standard quota)",
                    at(i)
                ));
            }
            if q.tpm == 0 || q.tpm > MAX_QUOTA {
                problems.push(format!(
                    "{}: field `tpm`: {} is outside 1..=10^12 tokens per minute",
                    at(i),
                    q.tpm
                ));
            }
            if q.rpm.is_some_and(|r| r == 0 || r > MAX_QUOTA) {
                problems.push(format!(
                    "{}: field `rpm`: {} is outside 1..=10^12 requests per minute",
                    at(i),
                    q.rpm.unwrap_or(0)
                ));
            }
            if !seen.insert((q.model.trim().to_ascii_lowercase(), q.deployment_type)) {
                problems.push(format!(
                    "{}: {} {} is listed twice",
                    at(i),
                    q.model,
                    q.deployment_type
                        .map_or("(every type)", DeploymentTypeId::as_str)
                ));
            }
        }
        if problems.is_empty() {
            let lines = (0..file.quotas.len())
                .map(|i| lines.get(i).copied().unwrap_or(0))
                .collect();
            Ok((file, lines))
        } else {
            Err(QuotaFileError::Invalid {
                path: path.to_owned(),
                problems,
            })
        }
    }
}

fn check_source(p: &mut Vec<String>, at: &str, source: &str) {
    if source.trim().is_empty() {
        p.push(format!("{at}: `source` is empty"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quota_levels() {
        assert_eq!(QuotaLevel::parse("3"), Some(QuotaLevel::Tier3));
        assert_eq!(QuotaLevel::parse("Tier-6"), Some(QuotaLevel::Tier6));
        assert_eq!(QuotaLevel::parse("tier0"), Some(QuotaLevel::Tier0));
        assert_eq!(QuotaLevel::parse("EA"), Some(QuotaLevel::Enterprise));
        assert_eq!(QuotaLevel::parse("default"), Some(QuotaLevel::Default));
        assert_eq!(QuotaLevel::parse("7"), None);
        assert_eq!(QuotaLevel::parse(""), None);
    }

    #[test]
    fn flex_and_priority_use_the_standard_quota() {
        use DeploymentTypeId as D;
        assert_eq!(quota_type(D::GlobalFlex), Some(D::GlobalStandard));
        assert_eq!(quota_type(D::DataZonePriority), Some(D::DataZoneStandard));
        assert_eq!(quota_type(D::GlobalBatch), None);
        assert_eq!(quota_type(D::GlobalProvisioned), None);
    }
}
