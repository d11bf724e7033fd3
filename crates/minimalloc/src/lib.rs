//! placeholder
pub mod csv;
pub mod problem;
pub use problem::*;
