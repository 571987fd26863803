//! One file per subcommand: glue that reads, calls the pipeline, and renders.

pub mod calibrate;
pub mod catalog;
pub mod catalog_refresh;
pub mod compare;
pub mod diff;
pub mod docs;
pub mod regions;
pub mod report;
pub mod sample;
pub mod whatif;
