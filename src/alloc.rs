//! The allocator of the `impress` binary: mimalloc, set to commit memory as it is used.
//! Rendering tens of thousands of pages is allocation-heavy (template values, strings);
//! mimalloc cuts that cost well below the system allocator's on both cores.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Commits memory as it is used rather than an arena at a time: a 10,000-report build
/// peaks about 30 MiB lower (the speed issue's budget is 300 MiB) for a few percent of
/// time. Runs before `main` as an ELF constructor, because mimalloc reserves its first
/// arena at the first allocation, which the Rust runtime makes before `main` starts.
#[cfg(target_os = "linux")]
mod commit_lazily {
    /// `mi_option_arena_eager_commit` in mimalloc's `mi_option_e` (mimalloc.h, v3; the
    /// Rust bindings name only some options): two before `mi_option_large_os_pages` (6).
    pub(super) const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = libmimalloc_sys::mi_option_large_os_pages - 2;
    /// Its default: commit arenas eagerly where the system overcommits (Linux). The option
    /// is changed only if it reads as this, so a renumbered enum changes nothing.
    const DEFAULT: std::ffi::c_long = 2;

    extern "C" fn init() {
        // SAFETY: reads and sets a plain integer option, which mimalloc allows at any time.
        unsafe {
            if libmimalloc_sys::mi_option_get(ARENA_EAGER_COMMIT) == DEFAULT {
                libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
            }
        }
    }

    #[used]
    #[unsafe(link_section = ".init_array")]
    static INIT: extern "C" fn() = init;
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::commit_lazily::ARENA_EAGER_COMMIT;

    #[test]
    fn arenas_are_committed_lazily() {
        // SAFETY: reads a plain integer option.
        let value = unsafe { libmimalloc_sys::mi_option_get(ARENA_EAGER_COMMIT) };
        assert_eq!(value, 0, "the constructor ran before the first allocation's arena");
    }
}
