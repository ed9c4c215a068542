//! Arbitrary transaction parameters (with MaxParameterCount, MaxDataCount,
//! profile and code page in the first five bytes) through the RAP server.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    msrap::fuzzing::rap_request(data);
});
