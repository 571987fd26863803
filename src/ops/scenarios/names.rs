//! The names a scenario's workloads are reported under.

use std::collections::{BTreeMap, BTreeSet};

use crate::scenario::lane::LaneKey;
use crate::usage::WorkloadKey;

/// The name each lane workload is reported under: its own, unless another workload of the
/// scenario, or of the log (`logged`), has it too (a migration onto a model the deployment
/// already logs, say): then it is kept apart as `deployment (from MODEL)` (or `from REGION`,
/// `from DEPLOYMENT`), and `#2`, `#3` follow where even that name is taken.
///
/// A workload's name is decided once for all the months a lane emits (the reservation plan's
/// lane emits several): which months have requests does not change it, since the plan joins
/// the months of a workload by its name.
pub(super) fn display_names(
    keys: &[LaneKey],
    passthrough: &BTreeSet<WorkloadKey>,
    logged: &BTreeSet<WorkloadKey>,
) -> Vec<WorkloadKey> {
    // One workload of the lane in every month: where its requests go, where they came from,
    // and whether they are the Batch share.
    type Identity<'k> = (&'k WorkloadKey, &'k WorkloadKey, bool);
    let identities: BTreeSet<Identity<'_>> =
        keys.iter().map(|k| (&k.key, &k.source, k.batch)).collect();
    // Names are shared across the Batch flag too: the Batch share of `chat` is `chat [batch]`,
    // which a logged deployment may be called as well.
    let mut sources: BTreeMap<&WorkloadKey, usize> = BTreeMap::new();
    for (key, _, _) in &identities {
        *sources.entry(key).or_default() += 1;
    }
    let mut names: BTreeMap<Identity<'_>, (WorkloadKey, bool)> = BTreeMap::new();
    for &(key, source, batch) in &identities {
        let clash = sources[key] > 1
            || passthrough.contains(key)
            || (key != source && logged.contains(key));
        let named = if !clash || (key == source && !batch) {
            (key.clone(), false)
        } else {
            let from = if source.model != key.model {
                &source.model
            } else if source.region != key.region {
                &source.region
            } else {
                &source.deployment
            };
            let renamed = WorkloadKey {
                deployment: format!("{} (from {from})", key.deployment),
                ..key.clone()
            };
            (renamed, true)
        };
        names.insert((key, source, batch), named);
    }
    // A renamed workload takes a name nothing else has (an added or logged deployment may be
    // called `chat [batch] (from chat)` too).
    let mut taken: BTreeSet<WorkloadKey> = names
        .values()
        .filter(|(_, renamed)| !renamed)
        .map(|(name, _)| name.clone())
        .collect();
    for (name, _) in names.values_mut().filter(|(_, renamed)| *renamed) {
        let base = name.deployment.clone();
        let mut n = 2;
        while taken.contains(name) || passthrough.contains(name) || logged.contains(name) {
            name.deployment = format!("{base} #{n}");
            n += 1;
        }
        taken.insert(name.clone());
    }
    keys.iter()
        .map(|k| names[&(&k.key, &k.source, k.batch)].0.clone())
        .collect()
}
