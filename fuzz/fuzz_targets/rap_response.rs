//! Arbitrary response parameters/data/level/descriptors into every
//! client-side RAP response parser: must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    msrap::fuzzing::rap_response(data);
});
