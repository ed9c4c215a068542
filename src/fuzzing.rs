//! Fuzz harness bodies, shared by `fuzz/` targets and the corpus replay test.

/// Capture bytes in (pcap or pcapng) → the whole transport pipeline to the
/// end. Small caps so that eviction, window skips and buffer growth are
/// reached by small inputs. Asserts nothing: it must not panic or hang.
#[cfg(feature = "decode")]
pub fn decode_capture(data: &[u8]) {
    use crate::decode::{DecoderConfig, ReaderOptions, ReassemblyLimits, TransportEvents};
    let config = DecoderConfig {
        max_flows: 8,
        max_buffered_bytes: 64 * 1024,
        reassembly: ReassemblyLimits {
            max_ooo_bytes: 8 * 1024,
            max_ooo_segments: 8,
            overlap_window: 64,
        },
        max_fragment_datagrams: 4,
        fragment_timeout_packets: 64,
        ..DecoderConfig::default()
    }
    .with_port(1445);
    let options = ReaderOptions {
        initial_buffer: 4096,
        max_buffer: 64 * 1024,
    };
    if let Ok(events) = TransportEvents::with_options(data, config, options) {
        for event in events {
            std::hint::black_box(event);
        }
    }
}
