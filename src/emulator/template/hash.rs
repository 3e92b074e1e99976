//! `uniqueString` and `guid`: deterministic hashes of their arguments.
//!
//! Like Azure's, `uniqueString` is 13 characters of lower-case base32 and `guid` a
//! name-based GUID, both the same for the same arguments and different otherwise. The hash
//! underneath is SHA-256 (Azure's are not published as a specification), so the values are
//! not byte-identical to Azure's; templates only rely on them being stable and unique.

use sha2::{Digest, Sha256};

const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

fn digest(parts: &[&str]) -> [u8; 32] {
    let mut h = Sha256::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h.update(b"-");
        }
        h.update(p.as_bytes());
    }
    h.finalize().into()
}

/// `uniqueString(a, b, ...)`: 13 base32 characters of a 64-bit hash of the arguments.
pub(crate) fn unique_string(parts: &[&str]) -> String {
    let d = digest(parts);
    let mut n = u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]);
    let mut out = String::with_capacity(13);
    for _ in 0..13 {
        out.push(char::from(BASE32[(n >> 59) as usize]));
        n <<= 5;
    }
    out
}

/// `guid(a, b, ...)`: a name-based (version 5 layout) GUID of the arguments.
pub(crate) fn guid(parts: &[&str]) -> String {
    let mut b: [u8; 16] = [0; 16];
    b.copy_from_slice(&digest(parts)[..16]);
    crate::emulator::ids::guid_of(b, 5)
}

/// A template's `templateHash`: a decimal 64-bit hash of its JSON text.
pub(crate) fn template_hash(template: &serde_json::Value) -> String {
    let d = digest(&[&template.to_string()]);
    u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]).to_string()
}
