//! What the static musl build takes from elsewhere than musl: the allocator
//! and, on x86_64, `memcpy` and `memmove`.
//!
//! - mimalloc: musl's malloc takes a global lock and returns memory to the
//!   kernel eagerly; it was 12 % of `plume list`.
//! - musl's x86_64 `memcpy` is `rep movsq` plus `movsb` loops for the head
//!   and tail, whatever the size: a run calls it about 54,000 times, most
//!   copies under 64 bytes, and it was 9 % of a 100-check run's samples and
//!   12 % of `plume list`'s. Here a copy of up to 64 bytes is a few
//!   overlapping unaligned loads and stores, and a longer one is `rep movsb`
//!   (fast on every x86_64 CPU since 2012, ERMSB; on short lengths too since
//!   2019, FSRM). musl's `memmove` reaches its `memcpy` through a private
//!   symbol, so it is replaced as well: linking both would define `memcpy`
//!   twice.
//!
//! glibc builds keep the system's (already tuned per CPU).

/// The static musl build allocates through mimalloc (see host/Cargo.toml).
#[cfg(target_env = "musl")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `memcpy(3)`: `n` bytes from `src` to `dst`, which do not overlap.
///
/// # Safety
/// As `memcpy(3)`: both ranges valid for `n` bytes.
#[cfg(all(target_env = "musl", target_arch = "x86_64"))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: the caller's contract is `copy`'s.
    unsafe { copy(dst, src, n) };
    dst
}

/// `memmove(3)`: as [`memcpy`], and the ranges may overlap.
///
/// # Safety
/// As `memmove(3)`: both ranges valid for `n` bytes.
#[cfg(all(target_env = "musl", target_arch = "x86_64"))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: the caller's contract is `copy_overlapping`'s.
    unsafe { copy_overlapping(dst, src, n) };
    dst
}

/// Copies `n` bytes from `src` to `dst`. Up to 64 bytes every byte is read
/// before the first is written, so those may overlap; longer ranges may
/// overlap only with `dst` below `src` (`rep movsb` copies forwards, and the
/// CPU itself falls back to byte order when the ranges are close).
///
/// # Safety
/// `src` valid for reads and `dst` for writes of `n` bytes.
#[cfg(all(target_arch = "x86_64", any(test, target_env = "musl")))]
#[inline(always)]
unsafe fn copy(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY (every arm): each access lies within the first `n` bytes of
    // the ranges, by the arm's size range.
    unsafe {
        match n {
            0 => {}
            1..=3 => {
                let (a, b, c) = (*src, *src.add(n / 2), *src.add(n - 1));
                *dst = a;
                *dst.add(n / 2) = b;
                *dst.add(n - 1) = c;
            }
            4..=7 => ends::<u32>(dst, src, n),
            8..=16 => ends::<u64>(dst, src, n),
            17..=32 => ends::<u128>(dst, src, n),
            33..=64 => ends::<[u128; 2]>(dst, src, n),
            _ => std::arch::asm!(
                "rep movsb",
                inout("rcx") n => _,
                inout("rdi") dst => _,
                inout("rsi") src => _,
                options(nostack, preserves_flags),
            ),
        }
    }
}

/// Copies `n` bytes as the first and the last `size_of::<T>()` of them
/// (overlapping in the middle), both read before either is written. A
/// fixed-size unaligned load or store compiles to moves, never to a call of
/// `memcpy` (which would be this file's).
///
/// # Safety
/// `size_of::<T>() <= n <= 2 * size_of::<T>()`, and the ranges as [`copy`].
#[cfg(all(target_arch = "x86_64", any(test, target_env = "musl")))]
#[inline(always)]
unsafe fn ends<T: Copy>(dst: *mut u8, src: *const u8, n: usize) {
    let last = n - size_of::<T>();
    // SAFETY: both reads and both writes lie within the first `n` bytes.
    unsafe {
        let (a, b) = (
            src.cast::<T>().read_unaligned(),
            src.add(last).cast::<T>().read_unaligned(),
        );
        dst.cast::<T>().write_unaligned(a);
        dst.add(last).cast::<T>().write_unaligned(b);
    }
}

/// [`copy`] for ranges that may overlap in any way: a long copy onto a
/// higher, overlapping `dst` runs backwards (`std; rep movsb; cld`: slow, and
/// rare).
///
/// # Safety
/// As [`copy`].
#[cfg(all(target_arch = "x86_64", any(test, target_env = "musl")))]
unsafe fn copy_overlapping(dst: *mut u8, src: *const u8, n: usize) {
    let ahead = (dst as usize).wrapping_sub(src as usize);
    let backwards = n > 64 && ahead != 0 && ahead < n;
    if !backwards {
        // SAFETY: the caller's contract; the overlap is one `copy` allows.
        unsafe { copy(dst, src, n) };
        return;
    }
    // SAFETY: the caller's contract; rdi/rsi start at the last byte of each
    // range and walk down `n` bytes; the direction flag is clear again before
    // the block ends, as the ABI requires.
    unsafe {
        std::arch::asm!(
            "std",
            "rep movsb",
            "cld",
            inout("rcx") n => _,
            inout("rdi") dst.add(n - 1) => _,
            inout("rsi") src.add(n - 1) => _,
            options(nostack),
        );
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::{copy, copy_overlapping};

    /// A buffer of distinct bytes (no two neighbours equal), so a misplaced
    /// or missing byte shows.
    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + 3) as u8).collect()
    }

    #[test]
    fn copies_every_length_and_alignment_without_touching_neighbours() {
        for n in 0..300 {
            for offset in 0..9 {
                let src = pattern(n + 16);
                let mut dst = vec![0xEE_u8; n + 32];
                // SAFETY: both ranges lie inside their vectors.
                unsafe { copy(dst.as_mut_ptr().add(offset), src.as_ptr().add(3), n) };
                assert_eq!(
                    &dst[offset..offset + n],
                    &src[3..3 + n],
                    "n={n} offset={offset}"
                );
                assert!(dst[..offset].iter().all(|&b| b == 0xEE), "before, n={n}");
                assert!(dst[offset + n..].iter().all(|&b| b == 0xEE), "after, n={n}");
            }
        }
    }

    #[test]
    fn moves_overlapping_ranges_in_both_directions_as_the_standard_library_does() {
        for n in [1, 3, 7, 15, 16, 31, 33, 64, 65, 100, 257, 4096] {
            for shift in [1, 2, 7, 8, 15, 63, 64, 65, 200] {
                for up in [false, true] {
                    let mut ours = pattern(n + shift);
                    let mut expected = ours.clone();
                    let (from, to) = if up { (0, shift) } else { (shift, 0) };
                    expected.copy_within(from..from + n, to);
                    let base = ours.as_mut_ptr();
                    // SAFETY: both ranges lie inside the vector.
                    unsafe { copy_overlapping(base.add(to), base.add(from), n) };
                    assert_eq!(ours, expected, "n={n} shift={shift} up={up}");
                }
            }
        }
    }
}
