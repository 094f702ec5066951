//! Criterion benchmarks for each stage of the pipeline on the shipped English playbook and a
//! generated ~1 MB one: load (YAML → value + spans), validate (schema + structure), lint (all
//! rules), render (HTML). Run with `cargo bench --bench stages`; compare runs to spot
//! regressions. Whole-command comparisons with other tools live in `benches/check.sh`.

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use stagebook::lint::config::{Config, Overrides};
use stagebook::load::{self, Limits, Loaded};
use stagebook::model::Locale;
use stagebook::render::{Format, Renderer};

fn inputs() -> Vec<(&'static str, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let big = std::env::temp_dir().join("stagebook-bench-1mb.yaml");
    if !big.exists() {
        let status = std::process::Command::new("python3")
            .arg(root.join("benches/generate.py"))
            .arg(&big)
            .args(["--one-big", "--stages", "510"])
            .status()
            .expect("python3 runs benches/generate.py");
        assert!(status.success());
    }
    vec![
        ("example", root.join("playbooks/midmarket-saas.yaml")),
        ("1mb", big),
    ]
}

fn document(path: &Path) -> load::Document {
    match load::load(path, &Limits::default()).expect("readable") {
        Loaded::Playbook {
            document: Some(document),
            ..
        } => document,
        _ => panic!("{} is a readable playbook", path.display()),
    }
}

fn stages(c: &mut Criterion) {
    let config = Config::with_overrides(&Overrides::default()).expect("default config");
    let renderer = Renderer::new(None).expect("built-in templates");
    for (name, path) in inputs() {
        c.bench_function(&format!("load/{name}"), |b| {
            b.iter(|| load::load(&path, &Limits::default()).expect("readable"));
        });
        let document = document(&path);
        c.bench_function(&format!("validate/{name}"), |b| {
            b.iter(|| stagebook::validate::validate(&document));
        });
        let playbook = stagebook::validate::validate(&document)
            .0
            .expect("a valid playbook");
        c.bench_function(&format!("lint/{name}"), |b| {
            b.iter(|| stagebook::lint::lint(&document, &playbook, &config));
        });
        c.bench_function(&format!("render/{name}"), |b| {
            b.iter(|| {
                renderer
                    .render(&playbook, Locale::En, Format::Html, "bench.yaml")
                    .expect("renders")
            });
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = stages
}
criterion_main!(benches);
