//! One file per subcommand: glue that reads, calls the pipeline, and renders.

pub mod catalog;
pub mod catalog_refresh;
pub mod compare;
pub mod regions;
pub mod sample;
