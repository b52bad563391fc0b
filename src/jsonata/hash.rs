//! Hex digests for AWS's `$hash`: MD5, SHA-1, SHA-256, SHA-384, SHA-512, computed by
//! the same implementations as States.Hash (src/intrinsic.rs).

use crate::intrinsic::{md5, sha1, sha256, sha512_family};

pub fn hex(alg: &str, data: &[u8]) -> Option<String> {
    let bytes = match alg {
        "MD5" => md5(data),
        "SHA-1" => sha1(data),
        "SHA-256" => sha256(data),
        "SHA-384" => sha512_family(data, true),
        "SHA-512" => sha512_family(data, false),
        _ => return None,
    };
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::hex;

    #[test]
    fn known_digests() {
        let d = |a: &str, s: &str| hex(a, s.as_bytes()).unwrap_or_default();
        assert_eq!(d("MD5", "abc"), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            d("SHA-1", "abc"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            d("SHA-256", "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            d("SHA-384", "abc"),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"
        );
        assert_eq!(
            d("SHA-512", "abc"),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
        assert_eq!(d("MD5", ""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(d("SHA-256", &"a".repeat(1000)).len(), 64);
        assert_eq!(hex("SHA-3", b"x"), None);
    }
}
