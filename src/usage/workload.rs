//! Workloads: the distinct (deployment, model, region) triples found in a log. The registry
//! resolves raw log names against the catalog (versioned model names, `--model-map`, a default
//! region, region display names such as "East US 2") and hands out dense workload indexes,
//! with the model's request limits, to the readers. `usage` owns it (the readers need it);
//! `sim` and `plan` use its [`WorkloadKey`].

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::{KeyRejection, KeyResolver, RawKey, RequestLimits, Resolved};
use crate::catalog::Catalog;

/// The deployment name used when a log has no deployment column.
pub const NO_DEPLOYMENT: &str = "-";

/// The identity of one workload.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WorkloadKey {
    /// Deployment name from the log (or `-`).
    pub deployment: String,
    /// Catalog model id.
    pub model: String,
    /// Azure region.
    pub region: String,
}

/// Resolves raw keys to workloads; implements [`KeyResolver`] for the readers.
///
/// Ids are handed out in the order keys are first resolved, which with several reading threads
/// depends on timing: callers must not let output order depend on ids (the report sorts
/// workloads by name).
pub struct WorkloadRegistry<'c> {
    catalog: &'c Catalog,
    /// The catalog's regions, sorted: asked for every row whose reader reads a region out
    /// of an endpoint (LiteLLM's `api_base`), so gathered once, not per row.
    known_regions: Vec<&'c str>,
    model_map: BTreeMap<String, String>,
    default_region: Option<String>,
    known: Mutex<Known>,
    /// `--model-map` names a reader resolved a row's model through without the row's
    /// deployment being that name (a LiteLLM alias, say).
    consulted: Mutex<std::collections::BTreeSet<String>>,
    /// Most distinct workloads a run takes (`--max-workloads`).
    max_workloads: u64,
}

/// Default of `--max-workloads`: the most distinct workloads (deployment, model, region) a run
/// plans. Planning holds every workload's plan, about 150 to 350 KB each (measured: 5,000
/// workloads peak at 870 MB in 4.8 s, 10,000 at 3.4 GB in 30 s), so a log of a million
/// one-row deployments would exhaust memory; past the cap the row that brings one more
/// workload is refused with its line.
pub const MAX_WORKLOADS: u64 = 5_000;

#[derive(Default)]
struct Known {
    keys: Vec<WorkloadKey>,
    index: BTreeMap<WorkloadKey, u32>,
}

/// An Azure region name as ARM spells it: lower case without spaces, so the display name
/// "East US 2" (Log Analytics exports, APIM) becomes `eastus2`.
pub fn arm_region_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

impl<'c> WorkloadRegistry<'c> {
    /// A registry over `catalog`, with `DEPLOYMENT=MODEL` mappings and an optional default
    /// region for rows that carry none.
    pub fn new(
        catalog: &'c Catalog,
        model_map: BTreeMap<String, String>,
        default_region: Option<String>,
    ) -> Self {
        WorkloadRegistry {
            catalog,
            known_regions: catalog.known_regions(),
            model_map,
            default_region,
            known: Mutex::new(Known::default()),
            consulted: Mutex::new(std::collections::BTreeSet::new()),
            max_workloads: MAX_WORKLOADS,
        }
    }

    /// The registry refusing the row that brings workload `max + 1`.
    pub fn with_max_workloads(mut self, max: u64) -> Self {
        self.max_workloads = max;
        self
    }

    /// Workloads in index order.
    pub fn keys(&self) -> Vec<WorkloadKey> {
        self.known
            .lock()
            .map(|k| k.keys.clone())
            .unwrap_or_default()
    }

    /// The key of workload `id`, once the readers resolved it.
    pub fn key(&self, id: u32) -> Option<WorkloadKey> {
        self.known
            .lock()
            .ok()
            .and_then(|k| k.keys.get(id as usize).cloned())
    }

    fn resolve_model(&self, key: &RawKey<'_>) -> Result<String, KeyRejection> {
        let name = match (key.model, key.deployment) {
            (Some(m), _) => m.to_owned(),
            (None, Some(d)) => self.model_map.get(d).cloned().ok_or_else(|| KeyRejection {
                field: "model",
                message: format!(
                    "empty, and deployment `{}` has no --model-map entry (pass --model-map {})",
                    d.escape_debug(),
                    crate::text::shell_word(&format!("{}=MODEL", d.escape_debug()))
                ),
            })?,
            (None, None) => {
                return Err(KeyRejection {
                    field: "model",
                    message: "empty (and no deployment to map with --model-map)".to_owned(),
                })
            }
        };
        self.catalog
            .resolve_model(&name)
            .map(str::to_owned)
            .ok_or_else(|| {
                let closest = self.catalog.closest_models(&name, 1);
                let known: Vec<&str> = self.catalog.models.keys().map(String::as_str).collect();
                KeyRejection {
                    field: "model",
                    message: format!(
                        "unknown model `{}`{}; known models: {}",
                        name.escape_debug(),
                        closest
                            .first()
                            .map(|c| format!(" (did you mean `{c}`?)"))
                            .unwrap_or_default(),
                        known.join(", ")
                    ),
                }
            })
    }

    fn resolve_region(&self, key: &RawKey<'_>) -> Result<String, KeyRejection> {
        let region = match (key.region, &self.default_region) {
            (Some(r), _) => arm_region_name(r),
            (None, Some(d)) => d.clone(),
            (None, None) => {
                return Err(KeyRejection {
                    field: "region",
                    message: "empty; add a region column or pass --default-region REGION"
                        .to_owned(),
                })
            }
        };
        let known = &self.known_regions;
        if self.is_catalog_region(&region) {
            Ok(region)
        } else {
            let best = known
                .iter()
                .max_by(|a, b| {
                    strsim::jaro_winkler(&region, a).total_cmp(&strsim::jaro_winkler(&region, b))
                })
                .map(|b| format!(" (did you mean `{b}`?)"))
                .unwrap_or_default();
            Err(KeyRejection {
                field: "region",
                message: format!(
                    "unknown region `{}`{best}; use an armRegionName such as eastus2 or swedencentral",
                    region.escape_debug()
                ),
            })
        }
    }
}

impl WorkloadRegistry<'_> {
    /// Whether `region` (an ARM name) is one of the catalog's.
    fn is_catalog_region(&self, region: &str) -> bool {
        self.known_regions.binary_search(&region).is_ok()
    }

    /// `--model-map` entries the log contradicts, one message each: a deployment no row
    /// names, or one whose rows carry a model column that resolves to another model than the
    /// map's (the column wins, so the map would be silently ignored for them).
    pub fn model_map_conflicts(&self) -> Vec<String> {
        let keys = self.keys();
        let mut problems = Vec::new();
        for (deployment, mapped) in &self.model_map {
            let shown = format!(
                "--model-map {}",
                crate::text::shell_word(&format!(
                    "{}={}",
                    deployment.escape_debug(),
                    mapped.escape_debug()
                ))
            );
            let rows: Vec<&WorkloadKey> = keys
                .iter()
                .filter(|k| &k.deployment == deployment)
                .collect();
            let consulted = self
                .consulted
                .lock()
                .map(|c| c.contains(deployment))
                .unwrap_or(false);
            if rows.is_empty() && consulted {
                continue;
            }
            if rows.is_empty() {
                problems.push(format!(
                    "{shown}: no row of the log has deployment `{}`; drop the entry or check the name",
                    deployment.escape_debug()
                ));
                continue;
            }
            let resolved = self.catalog.resolve_model(mapped);
            let others: std::collections::BTreeSet<&str> = rows
                .iter()
                .map(|k| k.model.as_str())
                .filter(|m| Some(*m) != resolved)
                .collect();
            if !others.is_empty() {
                problems.push(format!(
                    "{shown}: the log's model column gives {} for deployment `{}`, and the column wins; drop the entry or fix the log",
                    others.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", "),
                    deployment.escape_debug()
                ));
            }
        }
        problems
    }
}

/// Longest deployment name Azure accepts, characters (the ARM naming rule of Cognitive Services
/// resources: 2-64 characters); a longer one is no Azure deployment's name.
pub const MAX_DEPLOYMENT_CHARS: usize = 64;
/// Longest model or region name read, characters: the catalog's are under 40.
const MAX_NAME_CHARS: usize = 128;

/// Refuse a name longer than `max` characters before it is compared, stored or printed.
fn bounded(
    field: &'static str,
    name: Option<&str>,
    max: usize,
    why: &str,
) -> Result<(), KeyRejection> {
    match name {
        Some(n) if n.len() > max && n.chars().count() > max => Err(KeyRejection {
            field,
            message: format!(
                "{} characters (`{}...`), more than the {max} {why}",
                n.chars().count(),
                n.chars().take(24).collect::<String>().escape_debug()
            ),
        }),
        _ => Ok(()),
    }
}

impl KeyResolver for WorkloadRegistry<'_> {
    fn resolve(&self, key: RawKey<'_>) -> Result<Resolved, KeyRejection> {
        bounded(
            "deployment",
            key.deployment,
            MAX_DEPLOYMENT_CHARS,
            "an Azure deployment name may have",
        )?;
        bounded("model", key.model, MAX_NAME_CHARS, "of any model name")?;
        bounded("region", key.region, MAX_NAME_CHARS, "of any region name")?;
        let model = self.resolve_model(&key)?;
        let region = self.resolve_region(&key)?;
        let limits = RequestLimits::from_model(
            self.catalog
                .model(&model)
                .and_then(|spec| spec.limits.as_ref()),
        );
        let workload = WorkloadKey {
            deployment: key.deployment.unwrap_or(NO_DEPLOYMENT).to_owned(),
            model,
            region,
        };
        let mut known = self.known.lock().map_err(|_| KeyRejection {
            field: "deployment",
            message: "internal error: a reading thread failed".to_owned(),
        })?;
        if let Some(id) = known.index.get(&workload) {
            return Ok(Resolved {
                workload: *id,
                limits,
            });
        }
        if known.keys.len() as u64 >= self.max_workloads {
            return Err(KeyRejection {
                field: "deployment",
                message: format!(
                    "this row brings a workload ({} on {} in {}) past the {} distinct workloads (deployment, model, region) a run plans; each takes about 150 to 350 KB of memory to plan: split the log, or raise --max-workloads",
                    workload.deployment.escape_debug(),
                    workload.model,
                    workload.region,
                    crate::text::fmt_int(self.max_workloads)
                ),
            });
        }
        let id = u32::try_from(known.keys.len()).map_err(|_| KeyRejection {
            field: "deployment",
            message: "too many distinct workloads".to_owned(),
        })?;
        known.keys.push(workload.clone());
        known.index.insert(workload, id);
        Ok(Resolved {
            workload: id,
            limits,
        })
    }

    fn model_of(&self, workload: u32) -> Option<String> {
        let known = self.known.lock().ok()?;
        known.keys.get(workload as usize).map(|k| k.model.clone())
    }

    fn is_known_region(&self, name: &str) -> bool {
        self.is_catalog_region(&arm_region_name(name))
    }

    fn mapped_model(&self, name: &str) -> Option<String> {
        let mapped = self.model_map.get(name)?.clone();
        if let Ok(mut c) = self.consulted.lock() {
            c.insert(name.to_owned());
        }
        Some(mapped)
    }

    fn is_known_model(&self, name: &str) -> bool {
        self.catalog.resolve_model(name).is_some()
    }

    fn default_region(&self) -> Option<String> {
        self.default_region.clone()
    }
}
