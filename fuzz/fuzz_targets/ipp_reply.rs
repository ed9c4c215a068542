#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| msrap::fuzzing::ipp_reply(data));
