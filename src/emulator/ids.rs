//! Generated values: GUIDs, account keys, and ARM timestamps.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A random GUID in the usual 8-4-4-4-12 form (version 4 bits set).
pub(crate) fn guid() -> String {
    let mut b = [0u8; 16];
    for x in &mut b {
        *x = fastrand::u8(..);
    }
    guid_of(b, 4)
}

/// `bytes` as a GUID in the 8-4-4-4-12 form, with the `version` and RFC 4122 variant bits set.
pub(crate) fn guid_of(mut b: [u8; 16], version: u8) -> String {
    b[6] = (b[6] & 0x0f) | (version << 4);
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 of `bytes`, with padding.
pub(crate) fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A storage-account-style key: 64 random bytes, 88 base64 characters.
pub(crate) fn account_key() -> String {
    let bytes: Vec<u8> = (0..64).map(|_| fastrand::u8(..)).collect();
    base64(&bytes)
}

/// An RFC 3339 timestamp for `ms` milliseconds since the epoch.
pub(crate) fn timestamp(ms: u64) -> String {
    let nanos = i128::from(ms) * 1_000_000;
    OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_88_base64_chars() {
        let k = account_key();
        assert_eq!(k.len(), 88);
        assert!(k.ends_with("=="));
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(b"fo"), "Zm8=");
    }

    #[test]
    fn guid_shape_and_timestamp() {
        let g = guid();
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "4");
        assert_eq!(timestamp(1_735_689_600_000), "2025-01-01T00:00:00Z");
    }
}
