//! Report stage: prints the one list of findings for people ([`human`]) and machines ([`json`]).

pub mod human;
pub mod json;
