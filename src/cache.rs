//! `<root>/.impress-cache/`: files made from content (share cards, resized images), kept
//! between builds and named by a hash of everything they are made from, so an unchanged
//! input is never processed twice and a changed one never meets a stale file.
//!
//! In: a kind (`cards`, `images`), a [`Key`], an extension, bytes. Out: the file's path.
//! The folder is safe to delete (FORMAT.md); files are written to a temporary name and
//! renamed, so a build stopped halfway never leaves a truncated file under a valid name.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::diagnostics::Diagnostic;

/// The cache folder's name under the site root.
pub(crate) const CACHE_DIR: &str = ".impress-cache";

/// A content hash naming a cached file: xxh3-128, wide enough that 10^5 files never
/// collide in practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Key(pub u128);

impl Key {
    /// The hash of several parts, each length-prefixed so that `("ab", "c")` and
    /// `("a", "bc")` differ.
    pub fn of(parts: &[&[u8]]) -> Key {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for part in parts {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part);
        }
        Key(h.digest128())
    }

    /// 32 hex digits.
    pub fn hex(self) -> String {
        format!("{:032x}", self.0)
    }
}

/// The cache folder of one site.
#[derive(Debug, Clone)]
pub(crate) struct Cache {
    root: PathBuf,
}

/// Tells temporary files of one process apart (threads write in parallel).
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl Cache {
    /// The cache of the site at `root`.
    pub fn new(root: &Path) -> Cache {
        Cache {
            root: root.to_path_buf(),
        }
    }

    /// The site path of a cached file (`.impress-cache/cards/<hex>.png`), for diagnostics.
    pub fn site_path(&self, kind: &str, key: Key, ext: &str) -> PathBuf {
        Path::new(CACHE_DIR).join(kind).join(format!("{}.{ext}", key.hex()))
    }

    /// Where a cached file lives on disk, whether or not it exists yet.
    pub fn path(&self, kind: &str, key: Key, ext: &str) -> PathBuf {
        self.root.join(self.site_path(kind, key, ext))
    }

    /// The file, when it is cached.
    pub fn get(&self, kind: &str, key: Key, ext: &str) -> Option<PathBuf> {
        let path = self.path(kind, key, ext);
        path.is_file().then_some(path)
    }

    /// Stores `bytes` under the key and returns the file's path.
    pub fn put(&self, kind: &str, key: Key, ext: &str, bytes: &[u8]) -> Result<PathBuf, Diagnostic> {
        let path = self.path(kind, key, ext);
        let site_path = self.site_path(kind, key, ext);
        let fail = |what: &str, e: std::io::Error| {
            Diagnostic::error(&site_path, format!("cannot {what} the cache file: {e}")).with_help(format!(
                "check that `{CACHE_DIR}` under the site is writable; it is safe to delete"
            ))
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| fail("make the folder of", e))?;
        }
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut temp_name = path.file_name().unwrap_or_default().to_os_string();
        temp_name.push(format!(".tmp-{}-{n}", std::process::id()));
        let temp = path.with_file_name(temp_name);
        std::fs::write(&temp, bytes).map_err(|e| fail("write", e))?;
        std::fs::rename(&temp, &path).map_err(|e| {
            // The temporary file is ours and useless now; failing to remove it changes nothing.
            let _ = std::fs::remove_file(&temp);
            fail("write", e)
        })?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_length_prefixed_and_stable() {
        assert_ne!(Key::of(&[b"ab", b"c"]), Key::of(&[b"a", b"bc"]));
        assert_eq!(Key::of(&[b"x"]), Key::of(&[b"x"]));
        assert_eq!(Key::of(&[]).hex().len(), 32);
        assert_eq!(Key(0xab).hex(), "000000000000000000000000000000ab");
    }

    #[test]
    fn put_then_get_returns_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let key = Key::of(&[b"card"]);
        assert!(cache.get("cards", key, "png").is_none());
        let path = cache.put("cards", key, "png", b"bytes").unwrap();
        assert_eq!(cache.get("cards", key, "png"), Some(path.clone()));
        assert_eq!(std::fs::read(&path).unwrap(), b"bytes");
        assert!(path.starts_with(dir.path().join(".impress-cache/cards")));
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn an_unwritable_cache_is_a_diagnostic_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CACHE_DIR), "a file where the folder should be").unwrap();
        let d = Cache::new(dir.path()).put("cards", Key(1), "png", b"x").unwrap_err();
        assert!(d.file.starts_with(".impress-cache/cards"), "{d}");
    }
}
