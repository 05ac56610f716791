//! Hot loops compiled twice: for the baseline x86-64 target (SSE2) and for CPUs with AVX2,
//! chosen at run time. The same arithmetic either way (Rust never fuses a multiply and an add
//! on its own, and every operation used is exact to IEEE rules), so the same bits: only wider
//! vectors.

/// Evaluates `$call` (a call of `#[inline(always)]` functions, so that their loops are compiled
/// inside) with AVX2 enabled where the CPU has it, as compiled for the baseline elsewhere.
macro_rules! dispatch {
    ($call:expr) => {{
        #[cfg(target_arch = "x86_64")]
        {
            #[target_feature(enable = "avx2")]
            fn wide<R>(f: impl FnOnce() -> R) -> R {
                f()
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2, checked just above.
                unsafe {
                    wide(
                        #[inline(always)]
                        || $call,
                    )
                }
            } else {
                $call
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            $call
        }
    }};
}
pub(crate) use dispatch;
