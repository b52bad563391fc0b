//! cargo-fuzz target: see statelab_fuzz::intrinsic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| statelab_fuzz::intrinsic(data));
