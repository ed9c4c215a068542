//! MS-RAP codec edge cases (spec-facts "Test vectors worth building" E1–E23
//! and more): exact request bytes in, exact response bytes out, both
//! profiles where they differ, and hostile responses into the client side.

use msrap::rap::descriptor::Descriptor;
use msrap::rap::response::{parse_struct, DataValue};
use pretty_assertions::assert_eq;

/// An `l` pointer to the last byte of the data: the 2-byte length prefix is
/// cut off. `parse_struct` read the length as 0 and returned an empty
/// buffer instead of `BadLenBuf`; likewise a length below 2 (shorter than
/// the prefix it includes) was accepted.
#[test]
fn hostile_lenbuf_with_cut_off_or_short_length_prefix_is_bad() {
    use msrap::rap::response::ResponseError;
    // pointer at offset 4 = the last byte.
    let data = [4u8, 0, 0, 0, 7];
    let mut v = Vec::new();
    assert_eq!(
        parse_struct(Descriptor(b"l"), &data, 0, 0, 0, &mut v),
        Err(ResponseError::BadLenBuf {
            offset: 4,
            claimed: 2,
            available: 1
        })
    );
    for len in [0u8, 1] {
        let data = [4u8, 0, 0, 0, len, 0, 0xAA];
        let mut v = Vec::new();
        assert_eq!(
            parse_struct(Descriptor(b"l"), &data, 0, 0, 0, &mut v),
            Err(ResponseError::BadLenBuf {
                offset: 4,
                claimed: usize::from(len),
                available: 3
            })
        );
    }
    // Length 3: the prefix and one byte.
    let data = [4u8, 0, 0, 0, 3, 0, 0xAA];
    let mut v = Vec::new();
    assert_eq!(
        parse_struct(Descriptor(b"l"), &data, 0, 0, 0, &mut v),
        Ok(4)
    );
    assert_eq!(v, vec![DataValue::LenBuf(Some(&[3, 0, 0xAA][..]))]);
}
