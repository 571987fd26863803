//! The canonical names of the fields of ptuplan's own log, written once: the CSV fast path,
//! the JSON keys of a table in its own names and `--columns` build their lists from them.

/// The per-request fields of ptuplan's own log, in their canonical order: the CSV columns, the
/// JSON keys of a table in its own names, and what `--columns` maps to.
pub const REQUEST_FIELDS: [&str; 12] = [
    "timestamp",
    "deployment",
    "model",
    "region",
    "prompt_tokens",
    "cached_tokens",
    "cache_write_tokens",
    "completion_tokens",
    "reasoning_tokens",
    "max_completion_tokens",
    "status",
    "latency_ms",
];

/// The spillover response headers a log may carry (see [`crate::usage::SpilloverHeaders`]).
pub const SPILLOVER_FIELDS: [&str; 3] = [
    "spillover_from_deployment",
    "spillover_error",
    "served_deployment",
];

/// `a` then `b`, as one array (`N` must be their total length: a wrong one fails the build).
pub const fn concat_names<const A: usize, const B: usize, const N: usize>(
    a: [&'static str; A],
    b: [&'static str; B],
) -> [&'static str; N] {
    assert!(A + B == N, "concat_names: wrong length");
    let mut out = [""; N];
    let mut i = 0;
    while i < A {
        out[i] = a[i];
        i += 1;
    }
    while i < N {
        out[i] = b[i - A];
        i += 1;
    }
    out
}
