//! Regression tests for crashes found by the RAP codec fuzz targets
//! (`fuzz/fuzz_targets/rap_*.rs`). Each test replays the (minimised)
//! input through the same harness body and pins the behaviour.
#![cfg(feature = "fuzzing")]

use msrap::rap::descriptor::Descriptor;
use msrap::rap::response::{parse_entries, parse_struct, DataValue};
use pretty_assertions::assert_eq;

/// `W0` has a fixed size of 0 (`data_item_size`), but `parse_struct` read one
/// word anyway (`n.max(1)`), ran past the structure's fixed part and tripped
/// its `debug_assert!(pos <= end)`: a panic on hostile descriptors.
#[test]
fn fuzz_rap_response_0001_zero_count_word_reads_nothing() {
    msrap::fuzzing::rap_response(&[
        6, 0, 5, 0, 0, 87, 87, 122, 122, 122, 122, 122, 108, 104, 0, 87, 48, 0, 0,
    ]);
    let data = [1u8, 0, 2, 0];
    let mut v = Vec::new();
    assert_eq!(
        parse_struct(Descriptor(b"W0W"), &data, 0, 0, 0, &mut v),
        Ok(2)
    );
    assert_eq!(v, vec![DataValue::Word(1)]);
    let mut v = Vec::new();
    assert_eq!(
        parse_struct(Descriptor(b"D0W"), &data, 2, 0, 0, &mut v),
        Ok(4)
    );
    assert_eq!(v, vec![DataValue::Word(2)]);
    // `W2` is two words, `K` one word whatever its count.
    let mut v = Vec::new();
    assert_eq!(
        parse_struct(Descriptor(b"W2"), &data, 0, 0, 0, &mut v),
        Ok(4)
    );
    assert_eq!(v, vec![DataValue::Word(1), DataValue::Word(2)]);
    let mut v = Vec::new();
    assert_eq!(
        parse_struct(Descriptor(b"K3W"), &data, 0, 0, 0, &mut v),
        Ok(4)
    );
    assert_eq!(v, vec![DataValue::Word(1), DataValue::Word(2)]);
    // A zero-size structure repeated: no panic, no values.
    let e = parse_entries(Descriptor(b"W0"), None, &data, 3, 0).unwrap();
    assert_eq!(e.len(), 3);
    assert!(e.iter().all(|e| e.values.is_empty()));
}
