//! cargo-fuzz target: see statelab_fuzz::parse_validate.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| statelab_fuzz::parse_validate(data));
