//! Report stage: prints the one list of findings for people ([`human`]) and machines ([`json`],
//! [`sarif`], [`github`], [`junit`]).
//!
//! Printers see only data: the findings ([`crate::diagnostic`]), the files they quote
//! ([`crate::source`]) and, for the rule lists of JSON, SARIF and JUnit, the
//! [`Catalogue`](crate::diagnostic::Catalogue) the caller passes in. They import nothing from
//! `lint`, `load`, `check` or `cli` (`benches/imports.py --check` verifies it).

pub(crate) mod github;
pub mod human;
pub mod json;
pub(crate) mod junit;
pub(crate) mod sarif;
