//! By-hand check on a real capture (never run in CI):
//!
//! ```sh
//! MSRAP_CAPTURE=file.pcap cargo test --release --all-features --test decode_manual -- --ignored --nocapture
//! ```
//! Prints one line per SMB1 message (`first_frame last_frame direction command`)
//! and the decoder counters, to compare with
//! `tshark -r file.pcap -Y "smb && tcp" -T fields -e frame.number -e smb.cmd`.
#![cfg(feature = "decode")]

use msrap::decode::{decode_capture, DecoderConfig, TransportEvent};

#[test]
#[ignore = "needs MSRAP_CAPTURE=path"]
fn decode_capture_from_env() {
    let Ok(path) = std::env::var("MSRAP_CAPTURE") else {
        eprintln!("set MSRAP_CAPTURE");
        return;
    };
    let file = std::io::BufReader::new(std::fs::File::open(&path).unwrap());
    let verbose = std::env::var("MSRAP_VERBOSE").is_ok();
    let start = std::time::Instant::now();
    let stats = decode_capture(file, DecoderConfig::default(), |e| match e {
        TransportEvent::Smb1(m) => {
            if verbose {
                println!(
                    "smb1 {} {} {:?} cmd={:#04x} len={} flow={}",
                    m.first_frame,
                    m.last_frame,
                    m.direction,
                    m.bytes.get(4).copied().unwrap_or(0),
                    m.bytes.len(),
                    m.flow
                );
            }
        }
        other => {
            if verbose || !matches!(other, TransportEvent::FlowClosed { .. }) {
                println!("{other:?}");
            }
        }
    })
    .unwrap();
    println!("{stats:#?}");
    println!("elapsed {:?}", start.elapsed());
}
