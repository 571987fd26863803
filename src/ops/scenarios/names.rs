//! The names a scenario's workloads are reported under.

use std::collections::{BTreeMap, BTreeSet};

use crate::scenario::lane::LaneKey;
use crate::usage::WorkloadKey;

/// The name each lane workload is reported under: its own, unless another workload of the
/// scenario, or of the log (`logged`), has it too (a migration onto a model the deployment
/// already logs, say): then it is kept apart as `deployment (from MODEL)` (or `from REGION`,
/// `from DEPLOYMENT`), and `#2`, `#3` follow where even that name is taken.
pub(super) fn display_names(
    keys: &[LaneKey],
    passthrough: &BTreeSet<WorkloadKey>,
    logged: &BTreeSet<WorkloadKey>,
) -> Vec<WorkloadKey> {
    // Names are shared across the Batch flag too: the Batch share of `chat` is `chat [batch]`,
    // which a logged deployment may be called as well.
    let mut sources: BTreeMap<(&WorkloadKey, u32), BTreeSet<(&WorkloadKey, bool)>> =
        BTreeMap::new();
    for k in keys {
        sources
            .entry((&k.key, k.month))
            .or_default()
            .insert((&k.source, k.batch));
    }
    let named: Vec<(WorkloadKey, bool)> = keys
        .iter()
        .map(|k| {
            let shared = sources.get(&(&k.key, k.month)).is_some_and(|s| s.len() > 1);
            let clash = shared
                || passthrough.contains(&k.key)
                || (k.key != k.source && logged.contains(&k.key));
            if !clash || (k.key == k.source && !k.batch) {
                return (k.key.clone(), false);
            }
            let from = if k.source.model != k.key.model {
                &k.source.model
            } else if k.source.region != k.key.region {
                &k.source.region
            } else {
                &k.source.deployment
            };
            let renamed = WorkloadKey {
                deployment: format!("{} (from {from})", k.key.deployment),
                ..k.key.clone()
            };
            (renamed, true)
        })
        .collect();
    // A renamed workload takes a name nothing else of its month has (an added or logged
    // deployment may be called `chat [batch] (from chat)` too).
    let mut taken: BTreeSet<(u32, WorkloadKey)> = keys
        .iter()
        .zip(&named)
        .filter(|(_, (_, renamed))| !renamed)
        .map(|(k, (name, _))| (k.month, name.clone()))
        .collect();
    let mut out = Vec::with_capacity(keys.len());
    for (k, (name, renamed)) in keys.iter().zip(named) {
        let mut name = name;
        if renamed {
            let base = name.deployment.clone();
            let mut n = 2;
            while taken.contains(&(k.month, name.clone()))
                || passthrough.contains(&name)
                || logged.contains(&name)
            {
                name.deployment = format!("{base} #{n}");
                n += 1;
            }
            taken.insert((k.month, name.clone()));
        }
        out.push(name);
    }
    out
}
