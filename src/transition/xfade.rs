//! FFmpeg xfade's 58 built-in transitions, per pixel, in pure Rust (f32): the CPU twin of
//! `src/transition/xfade.wgsl` (own code, formulas after libavfilter/vf_xfade.c).
//! Both files mirror each other line for line (same formulas, same f32 operation order, no
//! fused multiply-add); change them together.
//!
//! Conventions:
//! - uv = ((x + 0.5) / W, (y + 0.5) / H) at the centre of pixel (x, y); y = 0 is the top row.
//!   Integer pixel coordinates are floor(uv * size), kept as integral f32 values. Where xfade
//!   reads pixel (xx, yy) we sample `from`/`to` at its centre ((xx + 0.5) / W, (yy + 0.5) / H).
//! - progress p: 0 = FROM (xfade's first input `a`), 1 = TO (`b`). xfade's own progress runs
//!   1 → 0; it is `pp = 1 - p` here, and xfade's `1 - progress` is written as `progress`.
//! - xfade's mix(a, b, m) is a * m + b * (1 - m) (reversed against GLSL's mix): see `mix4`.
//! - Colours are premultiplied RGBA in 0..1; all four channels follow xfade's colour-plane
//!   formula. Black = (0, 0, 0, 1), white = (1, 1, 1, 1).
//! - Randomness: [`frand`] is an integer hash (u32 wrapping), not xfade's sin() hash, so GPU and
//!   CPU agree. Arguments are xfade's: (x, y) for dissolve, (0, y) for hlwind/hrwind, (x, 0) for
//!   vuwind/vdwind.
//!
//! Where xfade differs from a clean 0 → 1 transition at its endpoints (a one-pixel column of the
//! other picture for the wipes, black borders for rectcrop, ...), we do the same; the unit tests
//! list those cases.

use std::str::FromStr;

type Rgba = [f32; 4];

pub(crate) const BLACK: Rgba = [0.0, 0.0, 0.0, 1.0];
pub(crate) const WHITE: Rgba = [1.0, 1.0, 1.0, 1.0];

macro_rules! xfade_kinds {
    ($($(#[doc = $doc:literal])* $variant:ident => $name:literal,)*) => {
        /// One of FFmpeg xfade's built-in transitions (the `transition=` names).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum XfadeKind {
            $($(#[doc = $doc])* $variant,)*
        }

        impl XfadeKind {
            /// Every transition, in FFmpeg's order.
            pub const ALL: [XfadeKind; 58] = [$(XfadeKind::$variant,)*];

            /// The FFmpeg name, e.g. `"wipeleft"`.
            pub fn name(self) -> &'static str {
                match self {
                    $(XfadeKind::$variant => $name,)*
                }
            }

            /// The WGSL function implementing this transition in `xfade.wgsl`, e.g.
            /// `"xfade_wipeleft"`, with signature
            /// `fn(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32>`.
            pub fn wgsl_function(self) -> &'static str {
                match self {
                    $(XfadeKind::$variant => concat!("xfade_", $name),)*
                }
            }
        }
    };
}

xfade_kinds! {
    /// Cross-fade.
    Fade => "fade",
    /// TO uncovered by an edge moving from the right to the left.
    WipeLeft => "wipeleft",
    /// TO uncovered by an edge moving from the left to the right.
    WipeRight => "wiperight",
    /// TO uncovered by an edge moving from the bottom to the top.
    WipeUp => "wipeup",
    /// TO uncovered by an edge moving from the top to the bottom.
    WipeDown => "wipedown",
    /// Both pictures slide left, TO entering from the right.
    SlideLeft => "slideleft",
    /// Both pictures slide right, TO entering from the left.
    SlideRight => "slideright",
    /// Both pictures slide up, TO entering from the bottom.
    SlideUp => "slideup",
    /// Both pictures slide down, TO entering from the top.
    SlideDown => "slidedown",
    /// FROM shrinks to a circle on black, TO grows from it.
    CircleCrop => "circlecrop",
    /// FROM shrinks to a rectangle on black, TO grows from it.
    RectCrop => "rectcrop",
    /// Pixels switch in order of their colour distance, over a cross-fade.
    Distance => "distance",
    /// Fade through black.
    FadeBlack => "fadeblack",
    /// Fade through white.
    FadeWhite => "fadewhite",
    /// Soft-edged clock wipe around the centre.
    Radial => "radial",
    /// Soft edge moving from the right to the left.
    SmoothLeft => "smoothleft",
    /// Soft edge moving from the left to the right.
    SmoothRight => "smoothright",
    /// Soft edge moving from the bottom to the top.
    SmoothUp => "smoothup",
    /// Soft edge moving from the top to the bottom.
    SmoothDown => "smoothdown",
    /// Soft circle opening from the centre.
    CircleOpen => "circleopen",
    /// Soft circle closing towards the centre.
    CircleClose => "circleclose",
    /// Soft vertical split opening from the centre.
    VertOpen => "vertopen",
    /// Soft vertical split closing towards the centre.
    VertClose => "vertclose",
    /// Soft horizontal split opening from the centre.
    HorzOpen => "horzopen",
    /// Soft horizontal split closing towards the centre.
    HorzClose => "horzclose",
    /// Random pixels switch (integer hash, see [`frand`]).
    Dissolve => "dissolve",
    /// Cross-fade through growing then shrinking blocks.
    Pixelize => "pixelize",
    /// Soft curved edge sweeping towards the top-left corner.
    DiagTl => "diagtl",
    /// Soft curved edge sweeping towards the top-right corner.
    DiagTr => "diagtr",
    /// Soft curved edge sweeping towards the bottom-left corner.
    DiagBl => "diagbl",
    /// Soft curved edge sweeping towards the bottom-right corner.
    DiagBr => "diagbr",
    /// TO appears through ten vertical slices, sweeping from the right to the left.
    HlSlice => "hlslice",
    /// TO appears through ten vertical slices, sweeping from the left to the right.
    HrSlice => "hrslice",
    /// TO appears through ten horizontal slices, sweeping from the bottom to the top.
    VuSlice => "vuslice",
    /// TO appears through ten horizontal slices, sweeping from the top to the bottom.
    VdSlice => "vdslice",
    /// Cross-fade through a horizontal box blur.
    HBlur => "hblur",
    /// Fade through the greyscale versions of both pictures.
    FadeGrays => "fadegrays",
    /// FROM shrinks into the top-left corner.
    WipeTl => "wipetl",
    /// FROM shrinks into the top-right corner.
    WipeTr => "wipetr",
    /// FROM shrinks into the bottom-left corner.
    WipeBl => "wipebl",
    /// FROM shrinks into the bottom-right corner.
    WipeBr => "wipebr",
    /// FROM squeezed vertically into the middle row.
    SqueezeH => "squeezeh",
    /// FROM squeezed horizontally into the middle column.
    SqueezeV => "squeezev",
    /// Zoom into FROM while fading to TO.
    ZoomIn => "zoomin",
    /// Cross-fade, faster where the pictures differ more.
    FadeFast => "fadefast",
    /// Cross-fade, slower where the pictures differ more.
    FadeSlow => "fadeslow",
    /// Ragged soft edge moving right to left (random per row).
    HlWind => "hlwind",
    /// Ragged soft edge moving left to right (random per row).
    HrWind => "hrwind",
    /// Ragged soft edge moving bottom to top (random per column).
    VuWind => "vuwind",
    /// Ragged soft edge moving top to bottom (random per column).
    VdWind => "vdwind",
    /// TO slides in from the right over FROM.
    CoverLeft => "coverleft",
    /// TO slides in from the left over FROM.
    CoverRight => "coverright",
    /// TO slides in from the bottom over FROM.
    CoverUp => "coverup",
    /// TO slides in from the top over FROM.
    CoverDown => "coverdown",
    /// FROM slides out to the left, uncovering TO.
    RevealLeft => "revealleft",
    /// FROM slides out to the right, uncovering TO.
    RevealRight => "revealright",
    /// FROM slides out to the top, uncovering TO.
    RevealUp => "revealup",
    /// FROM slides out to the bottom, uncovering TO.
    RevealDown => "revealdown",
}

impl FromStr for XfadeKind {
    type Err = String;

    /// Parses an FFmpeg transition name (exact, lower case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        XfadeKind::ALL
            .iter()
            .copied()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("unknown transition {s}"))
    }
}

impl std::fmt::Display for XfadeKind {
    /// Writes the FFmpeg name.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `$f::<K>($arg)` with K the index of `$kind` in `XfadeKind::ALL` (its declaration order): a
/// per-pixel loop generic over the kind gets a copy per kind, chosen once per call, with no
/// dispatch left inside it.
macro_rules! by_kind {
    ($kind:expr, $f:ident, $arg:expr) => {
        by_kind!(@ $kind, $f, $arg, 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57)
    };
    (@ $kind:expr, $f:ident, $arg:expr, $($k:literal)*) => {
        match $kind as usize {
            $($k => $f::<$k>($arg),)*
            _ => unreachable!("XfadeKind has 58 variants"),
        }
    };
}
pub(crate) use by_kind;

/// xfade's pseudo-random number in [0, 1) for the integer pair (xi, yi), as an integer hash
/// (u32 wrapping arithmetic) so that the GPU (`xf_frand` in xfade.wgsl) gives the same bits.
#[inline(always)]
pub fn frand(xi: u32, yi: u32) -> f32 {
    let mut h = xi.wrapping_mul(0x8da6_b343) ^ yi.wrapping_mul(0xd816_3841);
    h ^= h >> 16;
    h = h.wrapping_mul(0x7feb_352d);
    h ^= h >> 15;
    h = h.wrapping_mul(0x846c_a68b);
    h ^= h >> 16;
    // (h >> 8) / 2^24, written as the exact product with 2^-24.
    (h >> 8) as f32 * 5.960_464_5e-8
}

/// ⌊x⌋ and ⌈x⌉ with the same bits as `f32::floor` / `f32::ceil` for every input (±0, ±∞, the
/// largest values; NaN stays NaN), without the libm call these make on the baseline x86-64 target (no
/// rounding instruction before SSE4.1): the CPU backend evaluates them per pixel.
pub(crate) trait FastRound {
    fn fast_floor(self) -> f32;
    fn fast_ceil(self) -> f32;
}

impl FastRound for f32 {
    #[inline]
    fn fast_floor(self) -> f32 {
        // From 2^23 on every f32 is an integer; NaN fails the test and comes back unchanged.
        if self.abs() < 8_388_608.0 {
            let t = self as i32 as f32;
            if t > self {
                t - 1.0
            } else {
                // t has the sign of self, except truncating -0.5 (handled above) and -0.0.
                t.copysign(self)
            }
        } else {
            self
        }
    }

    #[inline]
    fn fast_ceil(self) -> f32 {
        -(-self).fast_floor()
    }
}

/// One input picture of a transition, premultiplied RGBA.
pub(crate) trait Picture {
    /// The picture at `uv` (bilinear, edge-clamped, texel centres at (i + 0.5) / size).
    fn at(&self, uv: [f32; 2]) -> Rgba;

    /// The picture at the centre of pixel (px, py) (integral values), `centre` being that
    /// centre as a uv: exactly `self.at(centre)`, which an implementation may read directly.
    #[inline]
    fn at_pixel(&self, _px: f32, _py: f32, centre: [f32; 2]) -> Rgba {
        self.at(centre)
    }
}

/// A sampler closure as a [`Picture`].
struct Sampled<'a>(&'a dyn Fn([f32; 2]) -> Rgba);

impl Picture for Sampled<'_> {
    #[inline]
    fn at(&self, uv: [f32; 2]) -> Rgba {
        (self.0)(uv)
    }
}

/// atan2(y, x) within 1e-5 rad (Abramowitz and Stegun 4.4.49 on the octant, then the
/// quadrant): radial evaluates it per pixel, where libm's costs more than the rest of the
/// transition, and the weight it feeds moves by at most as much (0.003 of a code).
#[inline(always)]
fn atan2(y: f32, x: f32) -> f32 {
    use std::f32::consts::{FRAC_PI_2, PI};
    let (ax, ay) = (x.abs(), y.abs());
    let (lo, hi) = if ax < ay { (ax, ay) } else { (ay, ax) };
    let a = if hi > 0.0 { lo / hi } else { 0.0 };
    let s = a * a;
    let mut r =
        a * (0.999_866 + s * (-0.330_299_5 + s * (0.180_141 + s * (-0.085_133 + s * 0.020_835_1))));
    if ay > ax {
        r = FRAC_PI_2 - r;
    }
    if x < 0.0 {
        r = PI - r;
    }
    if y < 0.0 {
        -r
    } else {
        r
    }
}

/// xfade's mix: a * m + b * (1 - m), per channel.
pub(crate) fn mix4(a: Rgba, b: Rgba, m: f32) -> Rgba {
    let k = 1.0 - m;
    [
        a[0] * m + b[0] * k,
        a[1] * m + b[1] * k,
        a[2] * m + b[2] * k,
        a[3] * m + b[3] * k,
    ]
}

/// Smoothstep that also accepts e0 > e1 (xfade's wind transitions use it so).
pub(crate) fn smoothstep(e0: f32, e1: f32, x: f32) -> f32 {
    let t = ((x - e0) / (e1 - e0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

fn fract(x: f32) -> f32 {
    x - x.fast_floor()
}

/// `t` if `cond`, else `f`; by bit masks rather than a branch, which dissolve's random
/// choices would mispredict half the time on the CPU.
#[inline]
fn select(f: Rgba, t: Rgba, cond: bool) -> Rgba {
    let m = (cond as u32).wrapping_neg();
    std::array::from_fn(|i| f32::from_bits((t[i].to_bits() & m) | (f[i].to_bits() & !m)))
}

/// fadeblack / fadewhite / fadegrays: `a` fades to `ga`, `gb` fades to `b`.
fn fade_via(a: Rgba, ga: Rgba, gb: Rgba, b: Rgba, pp: f32) -> Rgba {
    let s1 = smoothstep(0.8, 1.0, pp);
    let s2 = smoothstep(0.2, 1.0, pp);
    mix4(mix4(a, ga, s1), mix4(gb, b, s2), pp)
}

/// xfade's squeeze position of coordinate `c` over `n` pixels at `pp` (1 − progress); `None`
/// where TO shows (and on the last frame, where xfade divides by zero).
#[inline]
pub(crate) fn squeeze(c: f32, n: f32, pp: f32) -> Option<f32> {
    if pp <= 0.0 {
        return None;
    }
    let z = 0.5 + (c / n - 0.5) / pp;
    (0.0..=1.0)
        .contains(&z)
        .then(|| (z * (n - 1.0)).round_ties_even())
}

/// zoomin's source coordinate of `c` over `n` pixels at zoom `zf`.
#[inline]
pub(crate) fn zoomed(c: f32, n: f32, zf: f32) -> f32 {
    ((0.5 + (c / n - 0.5) * zf) * (n - 1.0)).fast_ceil()
}

/// pixelize's block centre of coordinate `v` over `n` pixels, for a frame of `size` (xfade's
/// arithmetic, as `XfadeKind::evaluate_in`).
#[inline]
pub(crate) fn pixelize_centre(progress: f32, v: f32, [w, h]: [f32; 2], n: f32) -> f32 {
    let d = (1.0 - progress).min(progress);
    let dist = (d * 50.0).fast_ceil() / 50.0;
    let sq = 2.0 * dist * w.min(h) / 20.0;
    if dist > 0.0 {
        (((v / sq).fast_floor() + 0.5) * sq)
            .min(n - 1.0)
            .fast_floor()
    } else {
        v
    }
}

/// One pixel's inputs, in the names the WGSL uses.
struct Px<'a, P: Picture> {
    uv: [f32; 2],
    /// Integer pixel coordinates as f32.
    x: f32,
    y: f32,
    /// Frame size (W, H).
    w: f32,
    h: f32,
    /// Our progress (0 = FROM) and xfade's (pp = 1 - progress).
    progress: f32,
    pp: f32,
    from: &'a P,
    to: &'a P,
}

impl<P: Picture> Px<'_, P> {
    /// FROM at this pixel.
    #[inline]
    fn a(&self) -> Rgba {
        self.from.at_pixel(self.x, self.y, self.uv)
    }

    /// TO at this pixel.
    #[inline]
    fn b(&self) -> Rgba {
        self.to.at_pixel(self.x, self.y, self.uv)
    }

    fn centre(&self, px: f32, py: f32) -> [f32; 2] {
        [(px + 0.5) / self.w, (py + 0.5) / self.h]
    }

    /// FROM at the centre of pixel (px, py).
    #[inline]
    fn a_at(&self, px: f32, py: f32) -> Rgba {
        self.from.at_pixel(px, py, self.centre(px, py))
    }

    /// TO at the centre of pixel (px, py).
    #[inline]
    fn b_at(&self, px: f32, py: f32) -> Rgba {
        self.to.at_pixel(px, py, self.centre(px, py))
    }

    /// mix(B, A, smoothstep(0, 1, sm)): the shape shared by the "smooth" transitions.
    fn smooth(&self, sm: f32) -> Rgba {
        mix4(self.b(), self.a(), smoothstep(0.0, 1.0, sm))
    }

    /// Centre used by xfade's integer `W / 2`, `H / 2`.
    fn half(&self) -> (f32, f32) {
        ((self.w * 0.5).fast_floor(), (self.h * 0.5).fast_floor())
    }

    fn slice(&self, f: f32, t: f32) -> Rgba {
        let sm = smoothstep(-0.5, 0.0, f - self.pp * 1.5);
        select(self.b(), self.a(), sm <= fract(t))
    }

    fn wind(&self, f: f32, r: f32) -> Rgba {
        let v = f * 0.8 + 0.2 * r - self.progress * 1.2;
        mix4(self.b(), self.a(), smoothstep(0.0, -0.2, v))
    }

    fn fade_pow(&self, slow: bool) -> Rgba {
        let a = self.a();
        let b = self.b();
        let pp = self.pp;
        let mut out = [0.0; 4];
        for i in 0..4 {
            let d = (a[i] - b[i]).abs();
            let base = if slow { 2.0 - d } else { 1.0 + d };
            let e = 1.0 + base.ln();
            let m = if pp > 0.0 { pp.powf(e) } else { 0.0 };
            out[i] = a[i] * m + b[i] * (1.0 - m);
        }
        out
    }
}

impl XfadeKind {
    /// Colour of one output pixel. `uv` is the pixel centre ((x + 0.5) / W, (y + 0.5) / H),
    /// `progress` runs 0 (FROM) → 1 (TO), `size` = (W, H); `from`/`to` return premultiplied
    /// RGBA at a uv (bilinear, edge-clamped, texel centres at (i + 0.5) / size). Same formulas
    /// and operation order as `xfade_<name>` in xfade.wgsl.
    pub fn evaluate(
        self,
        uv: [f32; 2],
        progress: f32,
        size: [f32; 2],
        from: &dyn Fn([f32; 2]) -> [f32; 4],
        to: &dyn Fn([f32; 2]) -> [f32; 4],
    ) -> [f32; 4] {
        self.evaluate_in(uv, progress, size, &Sampled(from), &Sampled(to))
    }

    /// [`XfadeKind::evaluate`] over any [`Picture`]: the CPU backend reads its buffers directly.
    /// Inlined so that a caller looping over pixels keeps the per-frame terms out of the loop.
    #[inline(always)]
    pub(crate) fn evaluate_in<P: Picture>(
        self,
        uv: [f32; 2],
        progress: f32,
        size: [f32; 2],
        from: &P,
        to: &P,
    ) -> [f32; 4] {
        let (x, y) = (
            (uv[0] * size[0]).fast_floor(),
            (uv[1] * size[1]).fast_floor(),
        );
        self.evaluate_at(uv, [x, y], progress, size, from, to)
    }

    /// [`XfadeKind::evaluate_in`] at pixel `xy` (whole numbers) whose centre is `uv`, given both:
    /// a caller that knows the pixel skips finding it again. For pictures that do not read `uv`
    /// (probes), any `uv` does.
    #[inline(always)]
    pub(crate) fn evaluate_at<P: Picture>(
        self,
        uv: [f32; 2],
        [x, y]: [f32; 2],
        progress: f32,
        size: [f32; 2],
        from: &P,
        to: &P,
    ) -> [f32; 4] {
        let q = Px {
            uv,
            x,
            y,
            w: size[0],
            h: size[1],
            progress,
            pp: 1.0 - progress,
            from,
            to,
        };
        let (x, y, w, h, pp) = (q.x, q.y, q.w, q.h, q.pp);
        match self {
            XfadeKind::Fade => mix4(q.a(), q.b(), pp),
            XfadeKind::WipeLeft => select(q.a(), q.b(), x > (w * pp).fast_floor()),
            XfadeKind::WipeRight => select(q.b(), q.a(), x > (w * progress).fast_floor()),
            XfadeKind::WipeUp => select(q.a(), q.b(), y > (h * pp).fast_floor()),
            XfadeKind::WipeDown => select(q.b(), q.a(), y > (h * progress).fast_floor()),
            XfadeKind::SlideLeft => slideleft(&q),
            XfadeKind::SlideRight => slideright(&q),
            XfadeKind::SlideUp => slideup(&q),
            XfadeKind::SlideDown => slidedown(&q),
            XfadeKind::CircleCrop => circlecrop(&q),
            XfadeKind::RectCrop => rectcrop(&q),
            XfadeKind::Distance => distance(&q),
            XfadeKind::FadeBlack => fade_via(q.a(), BLACK, BLACK, q.b(), pp),
            XfadeKind::FadeWhite => fade_via(q.a(), WHITE, WHITE, q.b(), pp),
            XfadeKind::Radial => radial(&q),
            XfadeKind::SmoothLeft => q.smooth(1.0 + x / w - pp * 2.0),
            XfadeKind::SmoothRight => q.smooth(1.0 + (w - 1.0 - x) / w - pp * 2.0),
            XfadeKind::SmoothUp => q.smooth(1.0 + y / h - pp * 2.0),
            XfadeKind::SmoothDown => q.smooth(1.0 + (h - 1.0 - y) / h - pp * 2.0),
            XfadeKind::CircleOpen => circleopen(&q),
            XfadeKind::CircleClose => circleclose(&q),
            XfadeKind::VertOpen => vertopen(&q),
            XfadeKind::VertClose => vertclose(&q),
            XfadeKind::HorzOpen => horzopen(&q),
            XfadeKind::HorzClose => horzclose(&q),
            XfadeKind::Dissolve => dissolve(&q),
            XfadeKind::Pixelize => pixelize(&q),
            XfadeKind::DiagTl => q.smooth(1.0 + x / w * y / h - pp * 2.0),
            XfadeKind::DiagTr => q.smooth(1.0 + (w - 1.0 - x) / w * y / h - pp * 2.0),
            XfadeKind::DiagBl => q.smooth(1.0 + x / w * (h - 1.0 - y) / h - pp * 2.0),
            XfadeKind::DiagBr => q.smooth(1.0 + (w - 1.0 - x) / w * (h - 1.0 - y) / h - pp * 2.0),
            XfadeKind::HlSlice => q.slice(x / w, 10.0 * x / w),
            XfadeKind::HrSlice => hrslice(&q),
            XfadeKind::VuSlice => q.slice(y / h, 10.0 * y / h),
            XfadeKind::VdSlice => vdslice(&q),
            XfadeKind::HBlur => hblur(&q),
            XfadeKind::FadeGrays => fadegrays(&q),
            XfadeKind::WipeTl => wipetl(&q),
            XfadeKind::WipeTr => wipetr(&q),
            XfadeKind::WipeBl => wipebl(&q),
            XfadeKind::WipeBr => wipebr(&q),
            XfadeKind::SqueezeH => squeezeh(&q),
            XfadeKind::SqueezeV => squeezev(&q),
            XfadeKind::ZoomIn => zoomin(&q),
            XfadeKind::FadeFast => q.fade_pow(false),
            XfadeKind::FadeSlow => q.fade_pow(true),
            XfadeKind::HlWind => q.wind(1.0 - x / w, frand(0, y as u32)),
            XfadeKind::HrWind => q.wind(x / w, frand(0, y as u32)),
            XfadeKind::VuWind => q.wind(1.0 - y / h, frand(x as u32, 0)),
            XfadeKind::VdWind => q.wind(y / h, frand(x as u32, 0)),
            XfadeKind::CoverLeft => coverleft(&q),
            XfadeKind::CoverRight => coverright(&q),
            XfadeKind::CoverUp => coverup(&q),
            XfadeKind::CoverDown => coverdown(&q),
            XfadeKind::RevealLeft => revealleft(&q),
            XfadeKind::RevealRight => revealright(&q),
            XfadeKind::RevealUp => revealup(&q),
            XfadeKind::RevealDown => revealdown(&q),
        }
    }
}

// One function per multi-line kind, named as its `xfade_<name>` twin in xfade.wgsl; inlined so
// that the CPU backend's per-kind pixel loops still hoist the per-frame terms.

#[inline(always)]
fn slideleft<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, w, pp) = (q.x, q.y, q.w, q.pp);
    let zx = x - (pp * w).fast_floor();
    if zx >= 0.0 {
        q.b_at(zx, y)
    } else {
        q.a_at(zx + w, y)
    }
}

#[inline(always)]
fn slideright<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, w, pp) = (q.x, q.y, q.w, q.pp);
    let zx = x + (pp * w).fast_floor();
    if zx < w {
        q.b_at(zx, y)
    } else {
        q.a_at(zx - w, y)
    }
}

#[inline(always)]
fn slideup<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, h, pp) = (q.x, q.y, q.h, q.pp);
    let zy = y - (pp * h).fast_floor();
    if zy >= 0.0 {
        q.b_at(x, zy)
    } else {
        q.a_at(x, zy + h)
    }
}

#[inline(always)]
fn slidedown<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, h, pp) = (q.x, q.y, q.h, q.pp);
    let zy = y + (pp * h).fast_floor();
    if zy < h {
        q.b_at(x, zy)
    } else {
        q.a_at(x, zy - h)
    }
}

#[inline(always)]
fn circlecrop<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, pp) = (q.x, q.y, q.pp);
    let (cx, cy) = q.half();
    let t = 2.0 * (pp - 0.5).abs();
    let z = t * t * t * (cx * cx + cy * cy).sqrt();
    let dx = x - cx;
    let dy = y - cy;
    let dist = (dx * dx + dy * dy).sqrt();
    if z < dist {
        BLACK
    } else if pp < 0.5 {
        q.b()
    } else {
        q.a()
    }
}

#[inline(always)]
fn rectcrop<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, w, h, pp) = (q.x, q.y, q.w, q.h, q.pp);
    let (cx, cy) = q.half();
    let zh = ((pp - 0.5).abs() * h).fast_floor();
    let zw = ((pp - 0.5).abs() * w).fast_floor();
    let inside = (x - cx).abs() < zw && (y - cy).abs() < zh;
    if !inside {
        BLACK
    } else if pp < 0.5 {
        q.b()
    } else {
        q.a()
    }
}

#[inline(always)]
fn distance<P: Picture>(q: &Px<'_, P>) -> Rgba {
    distance_of(q.a(), q.b(), q.pp)
}

/// distance of the pixel's two colours `a` and `b` at `pp` (1 − progress).
#[inline(always)]
pub(crate) fn distance_of(a: Rgba, b: Rgba, pp: f32) -> Rgba {
    let d = [a[0] - b[0], a[1] - b[1], a[2] - b[2], a[3] - b[3]];
    let sum = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + d[3] * d[3];
    let k = if sum.sqrt() <= pp { 1.0 } else { 0.0 };
    mix4(mix4(a, b, k), b, pp)
}

#[inline(always)]
fn radial<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, pp) = (q.x, q.y, q.pp);
    let (cx, cy) = q.half();
    let dx = x - cx;
    let dy = y - cy;
    // atan2(0, 0) is 0 in C but undefined in WGSL: the centre pixel gets C's value.
    let angle = if dx == 0.0 && dy == 0.0 {
        0.0
    } else {
        atan2(dx, dy)
    };
    let sm = angle - (pp - 0.5) * 7.853_981_5;
    q.smooth(sm)
}

#[inline(always)]
fn circleopen<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, pp) = (q.x, q.y, q.pp);
    let (cx, cy) = q.half();
    let z = (cx * cx + cy * cy).sqrt();
    let r = (pp - 0.5) * 3.0;
    let dx = x - cx;
    let dy = y - cy;
    let sm = (dx * dx + dy * dy).sqrt() / z + r;
    mix4(q.a(), q.b(), smoothstep(0.0, 1.0, sm))
}

#[inline(always)]
fn circleclose<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, progress) = (q.x, q.y, q.progress);
    let (cx, cy) = q.half();
    let z = (cx * cx + cy * cy).sqrt();
    let r = (progress - 0.5) * 3.0;
    let dx = x - cx;
    let dy = y - cy;
    q.smooth((dx * dx + dy * dy).sqrt() / z + r)
}

#[inline(always)]
fn vertopen<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, w, pp) = (q.x, q.w, q.pp);
    let w2 = w * 0.5;
    q.smooth(2.0 - ((x - w2) / w2).abs() - pp * 2.0)
}

#[inline(always)]
fn vertclose<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, w, pp) = (q.x, q.w, q.pp);
    let w2 = w * 0.5;
    q.smooth(1.0 + ((x - w2) / w2).abs() - pp * 2.0)
}

#[inline(always)]
fn horzopen<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (y, h, pp) = (q.y, q.h, q.pp);
    let h2 = h * 0.5;
    q.smooth(2.0 - ((y - h2) / h2).abs() - pp * 2.0)
}

#[inline(always)]
fn horzclose<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (y, h, pp) = (q.y, q.h, q.pp);
    let h2 = h * 0.5;
    q.smooth(1.0 + ((y - h2) / h2).abs() - pp * 2.0)
}

#[inline(always)]
fn dissolve<P: Picture>(q: &Px<'_, P>) -> Rgba {
    select(
        q.b(),
        q.a(),
        dissolve_shows_from(q.x as u32, q.y as u32, q.pp),
    )
}

/// Whether dissolve shows FROM at pixel (x, y) at `pp` (1 − progress).
#[inline(always)]
pub(crate) fn dissolve_shows_from(x: u32, y: u32, pp: f32) -> bool {
    let sm = frand(x, y) * 2.0 + pp * 2.0 - 1.5;
    sm >= 0.5
}

#[inline(always)]
fn pixelize<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, w, h, progress, pp) = (q.x, q.y, q.w, q.h, q.progress, q.pp);
    let sx = pixelize_centre(progress, x, [w, h], w);
    let sy = pixelize_centre(progress, y, [w, h], h);
    mix4(q.a_at(sx, sy), q.b_at(sx, sy), pp)
}

#[inline(always)]
fn hrslice<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, w) = (q.x, q.w);
    let f = (w - 1.0 - x) / w;
    q.slice(f, 10.0 * f)
}

#[inline(always)]
fn vdslice<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (y, h) = (q.y, q.h);
    let f = (h - 1.0 - y) / h;
    q.slice(f, 10.0 * f)
}

/// hblur's window: how many pixels from each one to its right are averaged, on a frame `w`
/// pixels wide at `progress` (ours: 0 shows FROM).
#[inline]
pub(crate) fn hblur_window(w: f32, progress: f32) -> f32 {
    let pp = 1.0 - progress;
    let prog = if pp <= 0.5 { pp * 2.0 } else { progress * 2.0 };
    (1.0 + (w * 0.5).fast_floor() * prog).fast_floor()
}

#[inline(always)]
fn hblur<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, w, pp) = (q.x, q.y, q.w, q.pp);
    let size = hblur_window(w, q.progress);
    // Box of `size` pixels starting at x, cut at the right edge (xfade's running
    // sum, computed directly).
    let n = size.min(w - x);
    let mut sa = [0.0f32; 4];
    let mut sb = [0.0f32; 4];
    let mut i = 0.0;
    while i < n {
        let a = q.a_at(x + i, y);
        let b = q.b_at(x + i, y);
        for c in 0..4 {
            sa[c] += a[c];
            sb[c] += b[c];
        }
        i += 1.0;
    }
    mix4(sa.map(|v| v / n), sb.map(|v| v / n), pp)
}

#[inline(always)]
fn fadegrays<P: Picture>(q: &Px<'_, P>) -> Rgba {
    fadegrays_of(q.a(), q.b(), q.pp)
}

/// fadegrays of the pixel's two colours `a` and `b` at `pp` (1 − progress).
#[inline(always)]
pub(crate) fn fadegrays_of(a: Rgba, b: Rgba, pp: f32) -> Rgba {
    let ya = (a[0] + a[1] + a[2]) / 3.0;
    let yb = (b[0] + b[1] + b[2]) / 3.0;
    fade_via(a, [ya, ya, ya, a[3]], [yb, yb, yb, b[3]], b, pp)
}

#[inline(always)]
fn wipetl<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, w, h, pp) = (q.x, q.y, q.w, q.h, q.pp);
    let zw = (w * pp).fast_floor();
    let zh = (h * pp).fast_floor();
    select(q.b(), q.a(), y <= zh && x <= zw)
}

#[inline(always)]
fn wipetr<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, w, h, progress, pp) = (q.x, q.y, q.w, q.h, q.progress, q.pp);
    let zw = (w * progress).fast_floor();
    let zh = (h * pp).fast_floor();
    select(q.b(), q.a(), y <= zh && x > zw)
}

#[inline(always)]
fn wipebl<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, w, h, progress, pp) = (q.x, q.y, q.w, q.h, q.progress, q.pp);
    let zw = (w * pp).fast_floor();
    let zh = (h * progress).fast_floor();
    select(q.b(), q.a(), y > zh && x <= zw)
}

#[inline(always)]
fn wipebr<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, w, h, progress) = (q.x, q.y, q.w, q.h, q.progress);
    let zh = (h * progress).fast_floor();
    let zw = (w * progress).fast_floor();
    select(q.b(), q.a(), y > zh && x > zw)
}

#[inline(always)]
fn squeezeh<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, h, pp) = (q.x, q.y, q.h, q.pp);
    match squeeze(y, h, pp) {
        Some(sy) => q.a_at(x, sy),
        None => q.b(),
    }
}

#[inline(always)]
fn squeezev<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, w, pp) = (q.x, q.y, q.w, q.pp);
    match squeeze(x, w, pp) {
        Some(sx) => q.a_at(sx, y),
        None => q.b(),
    }
}

#[inline(always)]
fn zoomin<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, w, h, pp) = (q.x, q.y, q.w, q.h, q.pp);
    let zf = smoothstep(0.5, 1.0, pp);
    let zv = q.a_at(zoomed(x, w, zf), zoomed(y, h, zf));
    mix4(zv, q.b(), smoothstep(0.0, 0.5, pp))
}

#[inline(always)]
fn coverleft<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, w, pp) = (q.x, q.y, q.w, q.pp);
    let zx = x - (pp * w).fast_floor();
    if zx >= 0.0 {
        q.b_at(zx, y)
    } else {
        q.a()
    }
}

#[inline(always)]
fn coverright<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, w, pp) = (q.x, q.y, q.w, q.pp);
    let zx = x + (pp * w).fast_floor();
    if zx < w {
        q.b_at(zx, y)
    } else {
        q.a()
    }
}

#[inline(always)]
fn coverup<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, h, pp) = (q.x, q.y, q.h, q.pp);
    let zy = y - (pp * h).fast_floor();
    if zy >= 0.0 {
        q.b_at(x, zy)
    } else {
        q.a()
    }
}

#[inline(always)]
fn coverdown<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, h, pp) = (q.x, q.y, q.h, q.pp);
    let zy = y + (pp * h).fast_floor();
    if zy < h {
        q.b_at(x, zy)
    } else {
        q.a()
    }
}

#[inline(always)]
fn revealleft<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, w, pp) = (q.x, q.y, q.w, q.pp);
    let zx = x - (pp * w).fast_floor();
    if zx >= 0.0 {
        q.b()
    } else {
        q.a_at(zx + w, y)
    }
}

#[inline(always)]
fn revealright<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, w, pp) = (q.x, q.y, q.w, q.pp);
    let zx = x + (pp * w).fast_floor();
    if zx < w {
        q.b()
    } else {
        q.a_at(zx - w, y)
    }
}

#[inline(always)]
fn revealup<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, h, pp) = (q.x, q.y, q.h, q.pp);
    let zy = y - (pp * h).fast_floor();
    if zy >= 0.0 {
        q.b()
    } else {
        q.a_at(x, zy + h)
    }
}

#[inline(always)]
fn revealdown<P: Picture>(q: &Px<'_, P>) -> Rgba {
    let (x, y, h, pp) = (q.x, q.y, q.h, q.pp);
    let zy = y + (pp * h).fast_floor();
    if zy < h {
        q.b()
    } else {
        q.a_at(x, zy - h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atan2_is_within_1e_5() {
        let mut worst = 0.0f64;
        for i in 0..2000 {
            for j in 0..50 {
                let (y, x) = ((i as f32 - 1000.0) * 0.37, (j as f32 - 25.0) * 1.9);
                if x == 0.0 && y == 0.0 {
                    continue;
                }
                let want = (y as f64).atan2(x as f64);
                let got = atan2(y, x) as f64;
                // ±π are the same angle.
                let d = (got - want)
                    .abs()
                    .min((got.abs() - want.abs()).abs() + 1e-30);
                worst = worst.max(d);
            }
        }
        assert!(worst < 1.2e-5, "{worst}");
    }

    const W: usize = 16;
    const H: usize = 9;
    const SIZE: [f32; 2] = [W as f32, H as f32];

    /// Nearest pixel of a W × H picture at `uv`, edge-clamped (exact at pixel centres).
    fn texel(uv: [f32; 2]) -> (f32, f32) {
        let x = (uv[0] * SIZE[0]).floor().clamp(0.0, SIZE[0] - 1.0);
        let y = (uv[1] * SIZE[1]).floor().clamp(0.0, SIZE[1] - 1.0);
        (x, y)
    }

    /// FROM: opaque, varies with x and y. Its RGBA distance to TO stays below 1 (see
    /// `distance_stays_below_one`).
    fn pic_a(x: f32, y: f32) -> Rgba {
        [0.1 + 0.03 * x, 0.2 + 0.05 * y, 0.5, 1.0]
    }

    /// TO: alpha 0.8, premultiplied; differs from FROM everywhere (blue, alpha).
    fn pic_b(x: f32, y: f32) -> Rgba {
        [0.7 - 0.02 * y, 0.15 + 0.02 * x, 0.25, 0.8]
    }

    fn from(uv: [f32; 2]) -> Rgba {
        let (x, y) = texel(uv);
        pic_a(x, y)
    }

    fn to(uv: [f32; 2]) -> Rgba {
        let (x, y) = texel(uv);
        pic_b(x, y)
    }

    fn eval(kind: XfadeKind, x: usize, y: usize, p: f32) -> Rgba {
        let uv = [(x as f32 + 0.5) / SIZE[0], (y as f32 + 0.5) / SIZE[1]];
        kind.evaluate(uv, p, SIZE, &from, &to)
    }

    fn close(a: Rgba, b: Rgba, tol: f32) -> bool {
        a.iter().zip(b.iter()).all(|(u, v)| (u - v).abs() <= tol)
    }

    #[test]
    fn names_round_trip() {
        assert_eq!(XfadeKind::ALL.len(), 58);
        let mut seen = std::collections::HashSet::new();
        for k in XfadeKind::ALL {
            assert_eq!(k.name().parse::<XfadeKind>(), Ok(k));
            assert_eq!(k.wgsl_function(), format!("xfade_{}", k.name()));
            assert_eq!(k.to_string(), k.name());
            assert!(seen.insert(k.name()));
        }
        assert_eq!(
            "nope".parse::<XfadeKind>(),
            Err("unknown transition nope".to_string())
        );
        assert_eq!(XfadeKind::ALL[0].name(), "fade");
        assert_eq!(XfadeKind::ALL[57].name(), "revealdown");
    }

    /// The README's list of built-in names is the table, in its order.
    #[test]
    fn the_readme_lists_the_table() {
        let readme = include_str!("../../README.md");
        let listed = readme
            .lines()
            .find(|l| l.trim_start().starts_with("`fade`, `wipeleft`"))
            .expect("the README lists the built-in transitions");
        let names: Vec<&str> = listed.split('`').skip(1).step_by(2).collect();
        let table: Vec<&str> = XfadeKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names, table);
    }

    #[test]
    fn every_kind_has_a_wgsl_function() {
        let wgsl = include_str!("xfade.wgsl");
        let defined: Vec<&str> = wgsl
            .lines()
            .filter_map(|l| l.strip_prefix("fn "))
            .filter_map(|l| l.split('(').next())
            .filter(|n| n.starts_with("xfade_"))
            .collect();
        let expected: Vec<&str> = XfadeKind::ALL.iter().map(|k| k.wgsl_function()).collect();
        assert_eq!(defined, expected);
        for k in XfadeKind::ALL {
            let signature = format!(
                "fn {}(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32>",
                k.wgsl_function()
            );
            assert!(wgsl.contains(&signature), "{signature}");
        }
    }

    #[test]
    fn distance_stays_below_one() {
        for y in 0..H {
            for x in 0..W {
                let (a, b) = (pic_a(x as f32, y as f32), pic_b(x as f32, y as f32));
                let d: f32 = (0..4).map(|i| (a[i] - b[i]) * (a[i] - b[i])).sum();
                assert!(d.sqrt() < 1.0);
            }
        }
    }

    /// What xfade shows at an endpoint.
    #[derive(Debug, PartialEq)]
    enum Want {
        From,
        To,
        /// FROM's pixel (x, y), not the one under the output pixel.
        FromAt(usize, usize),
        Black,
    }

    /// Expected endpoint picture on the 16 × 9 frame. By default p = 0 is FROM and p = 1 is
    /// TO; the exceptions are xfade's own behaviour, reproduced on purpose.
    fn want(kind: XfadeKind, p: f32, x: usize, y: usize) -> Want {
        use XfadeKind as K;
        let start = p == 0.0;
        let default = if start { Want::From } else { Want::To };
        match kind {
            // Strict `x > z` with z = floor(W * progress): at xfade's progress 0 column 0 (row 0)
            // still shows FROM.
            K::WipeLeft if !start && x == 0 => Want::From,
            K::WipeUp if !start && y == 0 => Want::From,
            K::WipeTl if !start && x == 0 && y == 0 => Want::From,
            // Same strict comparison against z = 0 at the start: column 0 / row 0 show TO.
            K::WipeRight | K::WipeTr if start && x == 0 => Want::To,
            K::WipeDown | K::WipeBl if start && y == 0 => Want::To,
            K::WipeBr if start && (x == 0 || y == 0) => Want::To,
            // |x - W/2| < floor(W/2) (and for y) is false on column 0 and, H being odd, on rows
            // 0 and H - 1: black borders at both ends.
            K::RectCrop if x == 0 || y == 0 || y == H - 1 => Want::Black,
            // Rows/columns are resampled as round(z * (H - 1)) with z = y / H, which moves the
            // lower half (right half) by one pixel at the start.
            K::SqueezeH if start => Want::FromAt(x, if 2 * y > H { y - 1 } else { y }),
            K::SqueezeV if start => Want::FromAt(if 2 * x > W { x - 1 } else { x }, y),
            // radial is exact here only because no pixel of this frame lies in the thin wedge
            // just left of straight up from the centre (|dx| < 0.2146 |dy|, dx < 0), which keeps
            // some FROM at p = 1 on larger frames. distance is exact at p = 0 only where the
            // RGBA distance of the two pictures is <= 1 (true for these pictures).
            _ => default,
        }
    }

    #[test]
    fn endpoints() {
        for kind in XfadeKind::ALL {
            for p in [0.0, 1.0] {
                for y in 0..H {
                    for x in 0..W {
                        let got = eval(kind, x, y, p);
                        let w = want(kind, p, x, y);
                        let expected = match w {
                            Want::From => pic_a(x as f32, y as f32),
                            Want::To => pic_b(x as f32, y as f32),
                            Want::FromAt(sx, sy) => pic_a(sx as f32, sy as f32),
                            Want::Black => BLACK,
                        };
                        assert!(
                            close(got, expected, 1e-5),
                            "{} p={p} ({x},{y}): got {got:?}, want {w:?} = {expected:?}",
                            kind.name()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn radial_wedge_is_not_exact_on_a_tall_frame() {
        // Documents the xfade behaviour described in `want`: on a 9 × 64 frame the pixel just
        // left of straight up from the centre keeps some FROM at p = 1.
        let size = [9.0, 64.0];
        let uv = [(3.0 + 0.5) / 9.0, 0.5 / 64.0];
        let f = |_: [f32; 2]| [1.0, 1.0, 1.0, 1.0];
        let t = |_: [f32; 2]| [0.0, 0.0, 0.0, 1.0];
        let got = XfadeKind::Radial.evaluate(uv, 1.0, size, &f, &t);
        assert!(got[0] > 0.0 && got[0] < 1.0, "{got:?}");
    }

    #[test]
    fn fade_is_linear() {
        for y in 0..H {
            for x in 0..W {
                let (a, b) = (pic_a(x as f32, y as f32), pic_b(x as f32, y as f32));
                let want = [0, 1, 2, 3].map(|i| 0.7 * a[i] + 0.3 * b[i]);
                assert!(close(eval(XfadeKind::Fade, x, y, 0.3), want, 1e-6));
            }
        }
    }

    #[test]
    fn wipeleft_moves_leftwards() {
        // xfade: TO where x > floor(W * (1 - p)): at p = 0.5 the right half (x > 8) is TO.
        for y in 0..H {
            for x in 0..W {
                let got = eval(XfadeKind::WipeLeft, x, y, 0.5);
                let want = if x > 8 {
                    pic_b(x as f32, y as f32)
                } else {
                    pic_a(x as f32, y as f32)
                };
                assert_eq!(got, want, "({x},{y})");
            }
        }
    }

    #[test]
    fn slideleft_shifts_both_pictures() {
        // p = 0.25: k = floor(0.75 * 16) = 12; x >= 12 shows TO column x - 12, the rest FROM
        // column x + 4.
        for x in 0..W {
            let got = eval(XfadeKind::SlideLeft, x, 3, 0.25);
            let want = if x >= 12 {
                pic_b(x as f32 - 12.0, 3.0)
            } else {
                pic_a(x as f32 + 4.0, 3.0)
            };
            assert!(close(got, want, 1e-6), "x={x}: {got:?} vs {want:?}");
        }
    }

    #[test]
    fn all_finite_in_between() {
        for kind in XfadeKind::ALL {
            for i in 0..=64 {
                let p = i as f32 / 64.0;
                for y in 0..H {
                    for x in 0..W {
                        let c = eval(kind, x, y, p);
                        assert!(
                            c.iter().all(|v| v.is_finite()),
                            "{} p={p}: {c:?}",
                            kind.name()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn fast_rounding_has_the_bits_of_libm() {
        let special = [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.0,
            -1.0,
            8_388_607.5,
            -8_388_607.5,
            8_388_608.0,
            f32::MAX,
            f32::MIN,
            f32::MIN_POSITIVE,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
        ];
        // Every 4099th bit pattern (all of them pass too, in about a minute in release).
        let sampled = (0..=u32::MAX).step_by(4099).map(f32::from_bits);
        for x in special.into_iter().chain(sampled) {
            let same = |a: f32, b: f32| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
            assert!(same(x.fast_floor(), x.floor()), "floor {x:e}");
            assert!(same(x.fast_ceil(), x.ceil()), "ceil {x:e}");
        }
    }

    #[test]
    fn frand_range_and_determinism() {
        let mut sum = 0.0f64;
        for y in 0..64u32 {
            for x in 0..64u32 {
                let r = frand(x, y);
                assert!((0.0..1.0).contains(&r));
                assert_eq!(r.to_bits(), frand(x, y).to_bits());
                sum += f64::from(r);
            }
        }
        let mean = sum / 4096.0;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
        assert_ne!(frand(1, 0), frand(0, 1));
        assert_eq!(frand(u32::MAX, u32::MAX), frand(u32::MAX, u32::MAX));
        // Fixed value: the hash must not change (the WGSL twin must give the same).
        let h = {
            let mut h: u32 = 3u32.wrapping_mul(0x8da6_b343) ^ 5u32.wrapping_mul(0xd816_3841);
            h ^= h >> 16;
            h = h.wrapping_mul(0x7feb_352d);
            h ^= h >> 15;
            h = h.wrapping_mul(0x846c_a68b);
            h ^= h >> 16;
            h
        };
        assert_eq!(frand(3, 5), (h >> 8) as f32 / 16_777_216.0);
    }

    #[test]
    fn dissolve_uses_the_hash() {
        // Pixel (x, y) shows FROM while frand(x, y) * 2 + (1 - p) * 2 - 1.5 >= 0.5.
        let p = 0.4;
        for y in 0..H {
            for x in 0..W {
                let from_wins = frand(x as u32, y as u32) * 2.0 + (1.0 - p) * 2.0 - 1.5 >= 0.5;
                let want = if from_wins {
                    pic_a(x as f32, y as f32)
                } else {
                    pic_b(x as f32, y as f32)
                };
                assert_eq!(eval(XfadeKind::Dissolve, x, y, p), want);
            }
        }
    }
}
