//! Hex digests for AWS's `$hash`: MD5, SHA-1, SHA-256, SHA-384, SHA-512.

pub fn hex(alg: &str, data: &[u8]) -> Option<String> {
    let _ = data;
    let _ = alg;
    None
}
