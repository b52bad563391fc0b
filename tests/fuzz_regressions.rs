//! Replays every input the fuzzers ever crashed on (fuzz/regressions/<target>/*) through
//! the same entry points as the cargo-fuzz targets (fuzz/src/lib.rs), on stable, as a
//! normal test: a fixed crash stays fixed. Each file is one input, as libFuzzer saved it.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod fuzz_entries;

use std::fs;
use std::path::Path;

/// A fuzz target's entry point.
type Entry = fn(&[u8]);

const TARGETS: &[(&str, Entry)] = &[
    ("parse_validate", fuzz_entries::parse_validate),
    ("jsonpath", fuzz_entries::jsonpath),
    ("intrinsic", fuzz_entries::intrinsic),
    ("jsonata", fuzz_entries::jsonata),
    ("execution", fuzz_entries::execution),
];

#[test]
fn every_kept_crash_input_runs_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut replayed = 0;
    for entry in fs::read_dir(&root).expect("fuzz/regressions exists") {
        let dir = entry.expect("readable directory").path();
        if !dir.is_dir() {
            continue;
        }
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let Some((_, target)) = TARGETS.iter().find(|(t, _)| *t == name) else {
            panic!(
                "fuzz/regressions/{name}: not a fuzz target; targets: {TARGETS:?}",
                TARGETS = TARGETS.iter().map(|t| t.0).collect::<Vec<_>>()
            );
        };
        let mut files: Vec<_> = fs::read_dir(&dir)
            .expect("readable directory")
            .map(|e| e.expect("readable entry").path())
            .filter(|p| p.is_file() && p.extension().map_or(true, |e| e != "md"))
            .collect();
        files.sort();
        for file in files {
            let data = fs::read(&file).expect("readable input");
            // A panic here names the file: libFuzzer's crash input, now a regression.
            eprintln!("replaying {}", file.display());
            target(&data);
            replayed += 1;
        }
    }
    eprintln!("{replayed} regression inputs replayed");
}
