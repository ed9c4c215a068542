//! tokio edge of the SMB1 server (`msrap serve`).
