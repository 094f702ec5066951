//! stagebook: sales playbooks as code.
//!
//! The pipeline is **load → validate → lint → render / report**, plus **metrics**:
//! [`load`] reads YAML into a value with a span for every node, [`validate`] checks it against
//! the JSON Schema and the structure a schema cannot express, [`lint`] finds the gaps in the
//! process it describes, and every finding on the way is a [`diagnostic::Diagnostic`] that
//! [`report`] prints for humans and machines. [`render`] compiles playbooks into handbooks,
//! [`crm`] into CRM pipeline configuration, and [`metrics`] measures a playbook against CRM
//! stage history.

pub mod check;
pub mod cli;
pub mod crm;
pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod init;
pub mod lint;
pub mod load;
pub mod metrics;
pub mod model;
pub mod render;
pub mod report;
pub mod serve;
pub mod source;
pub mod validate;
pub mod watch;
