//! Report stage: prints the one list of findings for people ([`human`]) and machines ([`json`],
//! [`sarif`], [`github`], [`junit`]).

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
