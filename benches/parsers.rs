//! Is the YAML parser the wall? Event throughput of granit-parser (what stagebook uses: byte
//! spans, strict indentation) beside the other conformant Rust event parsers, saphyr-parser and
//! yaml-rust2 (character spans only), on the same 200 generated playbooks, one thread, and
//! stagebook's whole load step (events → value + span map) on the same text. Criterion prints
//! MiB/s. Run with `cargo bench --bench parsers --features bench-parsers`.

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stagebook::load::Limits;
use stagebook::source::SourceFile;

fn corpus() -> Vec<String> {
    let dir = std::env::temp_dir().join("stagebook-bench-parsers");
    if !dir.exists() {
        let status = std::process::Command::new("python3")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/generate.py"))
            .arg(&dir)
            .args(["--files", "200", "--seed", "7", "--defects", "0"])
            .status()
            .expect("python3 runs benches/generate.py");
        assert!(status.success());
    }
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("the corpus folder")
        .map(|entry| entry.expect("a folder entry").path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| std::fs::read_to_string(path).expect("a generated playbook"))
        .collect()
}

fn parsers(c: &mut Criterion) {
    let texts = corpus();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);

    group.bench_function("granit-parser events", |b| {
        b.iter(|| {
            let mut events = 0usize;
            for text in &texts {
                let options = granit_parser::options! { strict_indentation: true };
                for event in granit_parser::Parser::new_from_str_with_options(text, options) {
                    event.expect("valid YAML");
                    events += 1;
                }
            }
            events
        });
    });
    group.bench_function("saphyr-parser events", |b| {
        b.iter(|| {
            let mut events = 0usize;
            for text in &texts {
                for event in saphyr_parser::Parser::new_from_str(text) {
                    event.expect("valid YAML");
                    events += 1;
                }
            }
            events
        });
    });
    group.bench_function("yaml-rust2 events", |b| {
        b.iter(|| {
            let mut events = 0usize;
            for text in &texts {
                let mut parser = yaml_rust2::parser::Parser::new_from_str(text);
                loop {
                    let (event, _) = parser.next_token().expect("valid YAML");
                    events += 1;
                    if event == yaml_rust2::Event::StreamEnd {
                        break;
                    }
                }
            }
            events
        });
    });
    let files: Vec<_> = texts
        .iter()
        .map(|text| SourceFile::new(Path::new("bench.yaml"), text.clone()))
        .collect();
    group.bench_function("stagebook load (events, value and span map)", |b| {
        b.iter(|| {
            for file in &files {
                std::hint::black_box(stagebook::load::yaml::parse(file, &Limits::default()));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, parsers);
criterion_main!(benches);
