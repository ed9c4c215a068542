//! Capture decoding (`msrap decode`).
