//! Test doubles for the readers' unit tests: a resolver that takes every key and a sink that
//! counts records.

use super::UsageRecord;
use super::{KeyRejection, KeyResolver, RawKey, RecordSink, RequestLimits, Resolved, SinkError};

/// Workload 0 with no request limits: what [`AnyKey`] resolves every key to.
pub(crate) fn resolved() -> Resolved {
    Resolved {
        workload: 0,
        limits: RequestLimits::default(),
    }
}

/// Accepts every key as workload 0; knows one region, `eastus2` (for readers that find a
/// region inside another field).
pub(crate) struct AnyKey;

impl KeyResolver for AnyKey {
    fn resolve(&self, _key: RawKey<'_>) -> Result<Resolved, KeyRejection> {
        Ok(resolved())
    }

    fn is_known_region(&self, name: &str) -> bool {
        name == "eastus2"
    }
}

/// Counts records; forks and joins like the real replay.
#[derive(Default)]
pub(crate) struct Count(pub u64);

impl RecordSink for Count {
    fn take(&mut self, _record: UsageRecord) -> Result<(), SinkError> {
        self.0 += 1;
        Ok(())
    }

    fn fork(&self) -> Self {
        Count(0)
    }

    fn join(&mut self, later: Self) -> Result<(), SinkError> {
        self.0 += later.0;
        Ok(())
    }
}
