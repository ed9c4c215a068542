#![no_main]
libfuzzer_sys::fuzz_target!(|i: msrap::fuzzing::RoundTripInput| msrap::fuzzing::rap_roundtrip(i));
