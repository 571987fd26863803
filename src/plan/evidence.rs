//! The log as evidence of availability. A model the log shows serving in a region (successful
//! requests of a workload) is available there on the deployment type that served it, whatever
//! the catalog's region tables say: they are indicative (S5), and for the newest models they are
//! unverified (the newest matrices are dated 04/30/2026 and have no GPT-5.6 or GPT-6 columns,
//! U10).
//!
//! No export ptuplan reads records the deployment type (usage-log formats, "Deployment type is
//! absent"), so `--served-by [DEPLOYMENT=]TYPE` states it. Without it a deployment's traffic is
//! taken as Global Standard, the type a model is offered on first ("New deployment types arrive
//! Global first, then Data Zone, then single region", U11) — unless a verified region table says
//! the model is not offered on Global Standard in that region: then the assumption yields, and
//! the log is evidence for nothing until `--served-by` names its type. A stated type always
//! counts. Which options this makes available, and how the others are flagged, is
//! [`super::options::availability`]'s job.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::catalog::DeploymentTypeId;
use crate::usage::WorkloadKey;

/// The type assumed to have served a deployment the user said nothing about.
pub const ASSUMED_TYPE: DeploymentTypeId = DeploymentTypeId::GlobalStandard;

/// `--served-by`: the deployment type the log's traffic ran on (JSON
/// `assumptions.plan.constraints.served_by`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServedBy {
    /// `--served-by TYPE`: every deployment not named otherwise.
    pub all: Option<DeploymentTypeId>,
    /// `--served-by DEPLOYMENT=TYPE`.
    pub deployments: BTreeMap<String, DeploymentTypeId>,
}

impl ServedBy {
    /// The type that served `deployment`, and whether the user stated it.
    pub fn type_of(&self, deployment: &str) -> (DeploymentTypeId, bool) {
        match self.deployments.get(deployment).or(self.all.as_ref()) {
            Some(t) => (*t, true),
            None => (ASSUMED_TYPE, false),
        }
    }

    /// The deployments `--served-by DEPLOYMENT=TYPE` names that `logged` does not hold (an
    /// entry that would otherwise be ignored in silence).
    pub fn unknown_deployments(&self, logged: &[&str]) -> Vec<&str> {
        self.deployments
            .keys()
            .map(String::as_str)
            .filter(|d| !logged.contains(d))
            .collect()
    }
}

/// One deployment of the log serving a model in a region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    /// Deployment name (`-` when the log has none).
    pub deployment: String,
    /// Its successful requests.
    pub requests: u64,
    /// The type that served it.
    pub deployment_type: DeploymentTypeId,
    /// True when `--served-by` stated the type (else it is [`ASSUMED_TYPE`]).
    pub stated: bool,
}

/// The deployments that served one model in one region on one type: every one, and those whose
/// type `--served-by` stated.
type ServedLists = [Arc<[Served]>; 2];

/// Where the log shows each model serving: (model, region) -> the deployments that served it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogEvidence {
    served: BTreeMap<(String, String), Vec<Served>>,
    /// The same by type: (every deployment, the stated ones alone), shared, since each of a
    /// workload's options may hold one in its note and a log of thousands of deployments of
    /// one model in one region would otherwise copy thousands per option.
    by_type: BTreeMap<(String, String, DeploymentTypeId), ServedLists>,
}

impl LogEvidence {
    /// The evidence of `workloads`: each with its successful requests (those with none show
    /// nothing).
    pub fn new<'a>(
        served_by: &ServedBy,
        workloads: impl IntoIterator<Item = (&'a WorkloadKey, u64)>,
    ) -> LogEvidence {
        let mut served: BTreeMap<(String, String), Vec<Served>> = BTreeMap::new();
        for (key, requests) in workloads {
            if requests == 0 {
                continue;
            }
            let (deployment_type, stated) = served_by.type_of(&key.deployment);
            served
                .entry((key.model.clone(), key.region.clone()))
                .or_default()
                .push(Served {
                    deployment: key.deployment.clone(),
                    requests,
                    deployment_type,
                    stated,
                });
        }
        for list in served.values_mut() {
            list.sort_by(|a, b| a.deployment.cmp(&b.deployment));
        }
        let mut by_type = BTreeMap::new();
        for ((model, region), list) in &served {
            let types: std::collections::BTreeSet<DeploymentTypeId> =
                list.iter().map(|s| s.deployment_type).collect();
            for t in types {
                let of = |stated_only: bool| -> Arc<[Served]> {
                    list.iter()
                        .filter(|s| s.deployment_type == t && (s.stated || !stated_only))
                        .cloned()
                        .collect()
                };
                by_type.insert((model.clone(), region.clone(), t), [of(false), of(true)]);
            }
        }
        LogEvidence { served, by_type }
    }

    /// Every (model, region) the log shows serving, with its deployments.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, &[Served])> {
        self.served
            .iter()
            .map(|((m, r), list)| (m.as_str(), r.as_str(), list.as_slice()))
    }

    /// The deployments that served `model` in `region` on type `t` (only those whose type
    /// `--served-by` stated, with `stated_only`), in deployment order.
    pub fn served_on(
        &self,
        model: &str,
        region: &str,
        t: DeploymentTypeId,
        stated_only: bool,
    ) -> Arc<[Served]> {
        self.by_type
            .get(&(model.to_owned(), region.to_owned(), t))
            .map_or_else(
                || Arc::from([]),
                |lists| Arc::clone(&lists[usize::from(stated_only)]),
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::test_support::key;

    #[test]
    fn evidence_takes_the_stated_type_else_global_standard() {
        let a = key("a", "gpt-6-sol", "eastus2");
        let b = key("b", "gpt-6-sol", "eastus2");
        let idle = key("c", "gpt-5.1", "eastus2");
        let mut by = ServedBy::default();
        by.deployments
            .insert("b".to_owned(), DeploymentTypeId::GlobalProvisioned);
        let e = LogEvidence::new(&by, [(&a, 10), (&b, 5), (&idle, 0)]);
        let gs = e.served_on(
            "gpt-6-sol",
            "eastus2",
            DeploymentTypeId::GlobalStandard,
            false,
        );
        assert!(e
            .served_on(
                "gpt-6-sol",
                "eastus2",
                DeploymentTypeId::GlobalStandard,
                true
            )
            .is_empty());
        assert_eq!(gs.len(), 1);
        assert!(!gs[0].stated);
        let gp = e.served_on(
            "gpt-6-sol",
            "eastus2",
            DeploymentTypeId::GlobalProvisioned,
            true,
        );
        assert_eq!((gp[0].deployment.as_str(), gp[0].stated), ("b", true));
        assert!(e
            .served_on(
                "gpt-5.1",
                "eastus2",
                DeploymentTypeId::GlobalStandard,
                false
            )
            .is_empty());
        assert_eq!(by.unknown_deployments(&["a"]), ["b"]);
    }
}
