//! One file per subcommand: glue that reads, calls the pipeline, and renders.

pub mod catalog;
pub mod compare;
pub mod diff;
pub mod report;
pub mod sample;
