#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| msrap::fuzzing::smb1_message(data));
