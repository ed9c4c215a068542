#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| msrap::fuzzing::rap_request(data));
