//! Structured JOB_INFO_2 + level + ReceiveBufferSize + MaxDataCount +
//! profile: encode through the RAP server, parse back, compare with the
//! model of MS-RAP 2.5.11 / 3.2.5.7.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msrap::fuzzing::{rap_roundtrip_actual, rap_roundtrip_expected, RoundTripInput};
use pretty_assertions::assert_eq;

fuzz_target!(|input: RoundTripInput| {
    let expected = rap_roundtrip_expected(&input);
    let actual = rap_roundtrip_actual(&input);
    assert_eq!(actual, expected, "input: {input:?}");
});
