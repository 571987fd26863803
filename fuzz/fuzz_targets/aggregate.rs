//! Fuzz target `aggregate`: libFuzzer's bytes into `ptuplan::fuzzing::run("aggregate", ..)`, which panics
//! only when an invariant breaks (see src/fuzzing.rs). To fuzz a new parser, copy this file,
//! change the name (here and in fuzz/Cargo.toml) and add the entry point to
//! `ptuplan::fuzzing::TARGETS`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ptuplan::fuzzing::run("aggregate", data));
