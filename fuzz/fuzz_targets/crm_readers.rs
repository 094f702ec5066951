//! Arbitrary bytes as a retrieved Salesforce `OpportunityStage` value set, a HubSpot
//! pipelines response and a Pipedrive stages response, read by `crm diff`'s readers and
//! compared with a fixed playbook (see `stagebook_fuzz::read_crm_bytes`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| stagebook_fuzz::read_crm_bytes(data));
