//! Fuzz target `azure_monitor`: libFuzzer's bytes into `ptuplan::fuzzing::run("azure_monitor", ..)`, which panics
//! only when an invariant breaks (see src/fuzzing.rs). To fuzz a new parser, copy this file,
//! change the name (here and in fuzz/Cargo.toml) and add the entry point to
//! `ptuplan::fuzzing::TARGETS`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ptuplan::fuzzing::run("azure_monitor", data));
