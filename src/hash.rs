//! Content hashes, at the bottom of the crate: it imports nothing of ours, so every stage
//! may use it without an import circle.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

/// Hash of a file's bytes: xxh3, an order of magnitude faster than SipHash on the
/// gigabyte of pages a large site writes.
pub(crate) fn content_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Hash of any hashable value (fingerprints of what a page shows).
pub(crate) fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_inputs_hash_equal_and_different_inputs_differ() {
        assert_eq!(content_hash(b"abc"), content_hash(b"abc"));
        assert_ne!(content_hash(b"abc"), content_hash(b"abd"));
        assert_eq!(hash_of(&("a", 1)), hash_of(&("a", 1)));
        assert_ne!(hash_of(&("a", 1)), hash_of(&("a", 2)));
    }
}
