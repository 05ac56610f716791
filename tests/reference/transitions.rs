//! FFmpeg's `xfade` transitions in the CPU reference: the 58 built-in transitions of
//! libavfilter/vf_xfade.c re-derived one output pixel at a time in plain f64, for checking the
//! GPU renderer. Nothing here is shared with the renderer; speed is not a goal.
//!
//! Conventions (the renderer's):
//! - frames are `w` × `h` premultiplied RGBA in 0..1, row-major, row 0 at the top (as in xfade,
//!   whose row 0 is the top row of an AVFrame); pixel (x, y) has its centre at
//!   uv = ((x + 0.5) / w, (y + 0.5) / h);
//! - `progress` p runs from 0 (all FROM) to 1 (all TO). xfade's own `progress` runs the other way;
//!   it is written `q = 1 − p` below, so each formula can be compared with xfade.c. xfade's first
//!   input `a` is FROM, its second `b` is TO;
//! - xfade only ever reads whole pixels; such a read is written `at(img, x, y)` here and is the
//!   same as [`sample`] at that pixel's centre;
//! - xfade's helper `mix(a, b, m)` is `a·m + b·(1 − m)`, the reverse of GLSL's. Every formula
//!   below is rewritten with GLSL's `mix(a, b, t) = a·(1 − t) + b·t` ([`mix4`]), so `t` is always
//!   the weight of the second argument;
//! - every channel, alpha included, goes through xfade's per-plane formula; the colours xfade
//!   fades through are opaque: black (0, 0, 0, 1), white (1, 1, 1, 1);
//! - xfade's `frand` (a sine hash) is replaced by the integer hash of [`frand`];
//! - integer steps are kept: where xfade converts a float to `int` the value is truncated (floor,
//!   for the non-negative values involved; `-floor` for the negative offsets of slides, covers
//!   and reveals), `width / 2` is an integer division, `lrintf` rounds half to even.
//!
//! Endpoints: most transitions give exactly FROM at p = 0 and exactly TO at p = 1. xfade's own
//! arithmetic does not for these (the reference keeps xfade's behaviour):
//! - wipeleft (p = 1: column 0 is FROM), wiperight (p = 0: column 0 is TO), wipeup (p = 1: row 0
//!   is FROM), wipedown (p = 0: row 0 is TO), wipetl (p = 1: pixel (0, 0) is FROM), wipetr
//!   (p = 0: column 0 is TO), wipebl (p = 0: row 0 is TO), wipebr (p = 0: row 0 and column 0 are
//!   TO): the split is `x > floor(w · s)` (or `y`), which never empties or fills the column or row
//!   at 0;
//! - rectcrop (both ends): the kept rectangle is `|x − w/2| < floor(w/2)` and the same for y, so
//!   column 0 and row 0 (and the last column or row when the size is odd) are black;
//! - distance (p = 0): pixels whose RGBA distance between FROM and TO exceeds 1 show TO;
//! - squeezeh / squeezev (p = 0): row (column) y of the output shows row `lrint(y·(h − 1)/h)` of
//!   FROM, i.e. the rows past the middle are shifted by one.
//!
//! Points where xfade.c has undefined behaviour, and what the reference does instead:
//! - squeezeh / squeezev at p = 1 divide by xfade's progress 0; for the middle row (column) of an
//!   even-sized frame that is 0/0 = NaN, which xfade passes to `lrintf`. The reference shows TO
//!   there (a NaN position counts as outside FROM), so p = 1 is exactly TO;
//! - revealleft / revealup at p = 0 compute the source column (row) of pixel 0 as `w` (`h`), one
//!   past the frame, in xfade; the reference wraps it to 0, so p = 0 is exactly FROM.

#![allow(dead_code, clippy::needless_range_loop)]

use std::f64::consts::PI;

/// The built-in transitions, in xfade's order.
pub const NAMES: [&str; 58] = [
    "fade",
    "wipeleft",
    "wiperight",
    "wipeup",
    "wipedown",
    "slideleft",
    "slideright",
    "slideup",
    "slidedown",
    "circlecrop",
    "rectcrop",
    "distance",
    "fadeblack",
    "fadewhite",
    "radial",
    "smoothleft",
    "smoothright",
    "smoothup",
    "smoothdown",
    "circleopen",
    "circleclose",
    "vertopen",
    "vertclose",
    "horzopen",
    "horzclose",
    "dissolve",
    "pixelize",
    "diagtl",
    "diagtr",
    "diagbl",
    "diagbr",
    "hlslice",
    "hrslice",
    "vuslice",
    "vdslice",
    "hblur",
    "fadegrays",
    "wipetl",
    "wipetr",
    "wipebl",
    "wipebr",
    "squeezeh",
    "squeezev",
    "zoomin",
    "fadefast",
    "fadeslow",
    "hlwind",
    "hrwind",
    "vuwind",
    "vdwind",
    "coverleft",
    "coverright",
    "coverup",
    "coverdown",
    "revealleft",
    "revealright",
    "revealup",
    "revealdown",
];

/// Opaque black, the colour xfade fades or crops to.
pub const BLACK: [f64; 4] = [0.0, 0.0, 0.0, 1.0];
/// Opaque white.
pub const WHITE: [f64; 4] = [1.0, 1.0, 1.0, 1.0];

/// Bilinear sample of `img` (`w` × `h`, row-major, row 0 at the top) at `uv`: texel i's centre is
/// at (i + 0.5) / w, and texel indices outside the frame are clamped to the edge texels.
pub fn sample(img: &[[f64; 4]], w: usize, h: usize, uv: [f64; 2]) -> [f64; 4] {
    assert_eq!(img.len(), w * h, "image size");
    let fx = uv[0] * w as f64 - 0.5;
    let fy = uv[1] * h as f64 - 0.5;
    let x0 = fx.floor();
    let y0 = fy.floor();
    let tx = fx - x0;
    let ty = fy - y0;
    let texel = |xi: f64, yi: f64| {
        let xi = (xi as i64).clamp(0, w as i64 - 1) as usize;
        let yi = (yi as i64).clamp(0, h as i64 - 1) as usize;
        img[yi * w + xi]
    };
    let top = mix4(texel(x0, y0), texel(x0 + 1.0, y0), tx);
    let bottom = mix4(texel(x0, y0 + 1.0), texel(x0 + 1.0, y0 + 1.0), tx);
    mix4(top, bottom, ty)
}

/// xfade's random number for pixel (x, y), replaced by an integer hash: uniform in [0, 1) in
/// steps of 2⁻²⁴.
pub fn frand(x: u32, y: u32) -> f64 {
    let mut h = x.wrapping_mul(0x8da6_b343) ^ y.wrapping_mul(0xd816_3841);
    h ^= h >> 16;
    h = h.wrapping_mul(0x7feb_352d);
    h ^= h >> 15;
    h = h.wrapping_mul(0x846c_a68b);
    h ^= h >> 16;
    (h >> 8) as f64 / 16_777_216.0
}

/// GLSL `mix` on one value: `a·(1 − t) + b·t`.
fn mix(a: f64, b: f64, t: f64) -> f64 {
    a * (1.0 - t) + b * t
}

/// GLSL `mix` on each channel.
pub fn mix4(a: [f64; 4], b: [f64; 4], t: f64) -> [f64; 4] {
    [0, 1, 2, 3].map(|i| mix(a[i], b[i], t))
}

/// GLSL `smoothstep` (the formula also for `edge0 > edge1`, which the wind transitions use).
fn smoothstep(edge0: f64, edge1: f64, x: f64) -> f64 {
    let t = ((x - edge0) / (edge1 - edge0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// GLSL `fract`.
fn fract(x: f64) -> f64 {
    x - x.floor()
}

/// The two frames and their size, with whole-pixel reads.
struct Frames<'a> {
    from: &'a [[f64; 4]],
    to: &'a [[f64; 4]],
    w: i64,
    h: i64,
}

impl Frames<'_> {
    /// FROM's pixel (x, y), which must lie in the frame.
    fn a(&self, x: i64, y: i64) -> [f64; 4] {
        at(self.from, self.w, self.h, x, y)
    }

    /// TO's pixel (x, y), which must lie in the frame.
    fn b(&self, x: i64, y: i64) -> [f64; 4] {
        at(self.to, self.w, self.h, x, y)
    }
}

/// Pixel (x, y) of `img`: the same as [`sample`] at its centre. Panics outside the frame (xfade
/// never reads there, except where the module documentation says otherwise).
fn at(img: &[[f64; 4]], w: i64, h: i64, x: i64, y: i64) -> [f64; 4] {
    assert!(
        (0..w).contains(&x) && (0..h).contains(&y),
        "read outside the frame: ({x}, {y})"
    );
    img[(y * w + x) as usize]
}

/// Transition `name` between `from` (shown at `progress` 0) and `to` (shown at 1), both `w` ×
/// `h` premultiplied RGBA. Panics on an unknown name.
pub fn xfade(
    name: &str,
    from: &[[f64; 4]],
    to: &[[f64; 4]],
    w: usize,
    h: usize,
    progress: f64,
) -> Vec<[f64; 4]> {
    assert!(NAMES.contains(&name), "unknown xfade transition {name:?}");
    assert_eq!(from.len(), w * h, "FROM size");
    assert_eq!(to.len(), w * h, "TO size");
    assert!(w >= 2 && h >= 2, "frames must be at least 2 × 2");
    let f = Frames {
        from,
        to,
        w: w as i64,
        h: h as i64,
    };
    let mut out = Vec::with_capacity(w * h);
    for y in 0..f.h {
        for x in 0..f.w {
            out.push(pixel(name, &f, x, y, progress));
        }
    }
    out
}

/// Output pixel (x, y) of transition `name` at progress `p` (0 = FROM).
fn pixel(name: &str, f: &Frames, x: i64, y: i64, p: f64) -> [f64; 4] {
    // xfade's progress, 1 at the start.
    let q = 1.0 - p;
    let (w, h) = (f.w, f.h);
    let (wf, hf) = (w as f64, h as f64);
    let (xf, yf) = (x as f64, y as f64);
    let a = || f.a(x, y);
    let b = || f.b(x, y);
    // Integer centre, as xfade's `width / 2`, `height / 2`.
    let (cx, cy) = (w / 2, h / 2);
    // Truncation of a non-negative float to int.
    let trunc = |v: f64| v.floor() as i64;
    match name {
        // Cross-fade.
        "fade" => mix4(a(), b(), p),

        // Hard splits. xfade keeps FROM where `x <= floor(w·q)` (wipeleft), so TO grows from the
        // right edge, and so on.
        "wipeleft" => {
            if x > trunc(wf * q) {
                b()
            } else {
                a()
            }
        }
        "wiperight" => {
            if x > trunc(wf * p) {
                a()
            } else {
                b()
            }
        }
        "wipeup" => {
            if y > trunc(hf * q) {
                b()
            } else {
                a()
            }
        }
        "wipedown" => {
            if y > trunc(hf * p) {
                a()
            } else {
                b()
            }
        }
        // The corner wipes: FROM keeps the rectangle at the named corner.
        "wipetl" => {
            if y <= trunc(hf * q) && x <= trunc(wf * q) {
                a()
            } else {
                b()
            }
        }
        "wipetr" => {
            if y <= trunc(hf * q) && x > trunc(wf * p) {
                a()
            } else {
                b()
            }
        }
        "wipebl" => {
            if y > trunc(hf * p) && x <= trunc(wf * q) {
                a()
            } else {
                b()
            }
        }
        "wipebr" => {
            if y > trunc(hf * p) && x > trunc(wf * p) {
                a()
            } else {
                b()
            }
        }

        // Slides: FROM and TO side by side on a strip, moved by `s = floor(w·q)` pixels; the
        // output reads strip position x − s (slideleft) or x + s (slideright): TO where that lies
        // in 0..w, FROM otherwise, each at the position wrapped into 0..w.
        "slideleft" | "slideright" => {
            let s = trunc(wf * q);
            let zx = if name == "slideleft" { x - s } else { x + s };
            let src = zx.rem_euclid(w);
            if (0..w).contains(&zx) {
                f.b(src, y)
            } else {
                f.a(src, y)
            }
        }
        "slideup" | "slidedown" => {
            let s = trunc(hf * q);
            let zy = if name == "slideup" { y - s } else { y + s };
            let src = zy.rem_euclid(h);
            if (0..h).contains(&zy) {
                f.b(x, src)
            } else {
                f.a(x, src)
            }
        }
        // Covers: TO slides in over a still FROM.
        "coverleft" | "coverright" => {
            let s = trunc(wf * q);
            let zx = if name == "coverleft" { x - s } else { x + s };
            if (0..w).contains(&zx) {
                f.b(zx, y)
            } else {
                a()
            }
        }
        "coverup" | "coverdown" => {
            let s = trunc(hf * q);
            let zy = if name == "coverup" { y - s } else { y + s };
            if (0..h).contains(&zy) {
                f.b(x, zy)
            } else {
                a()
            }
        }
        // Reveals: FROM slides out, uncovering a still TO.
        "revealleft" | "revealright" => {
            let s = trunc(wf * q);
            let zx = if name == "revealleft" { x - s } else { x + s };
            if (0..w).contains(&zx) {
                b()
            } else {
                f.a(zx.rem_euclid(w), y)
            }
        }
        "revealup" | "revealdown" => {
            let s = trunc(hf * q);
            let zy = if name == "revealup" { y - s } else { y + s };
            if (0..h).contains(&zy) {
                b()
            } else {
                f.a(x, zy.rem_euclid(h))
            }
        }

        // Crops to black: a centred circle (rectangle) shrinks on FROM until p = 0.5, then grows
        // on TO.
        "circlecrop" => {
            let radius = (2.0 * (q - 0.5).abs()).powi(3) * (cx as f64).hypot(cy as f64);
            let dist = ((x - cx) as f64).hypot((y - cy) as f64);
            if radius < dist {
                BLACK
            } else if q < 0.5 {
                b()
            } else {
                a()
            }
        }
        "rectcrop" => {
            let half_w = trunc((q - 0.5).abs() * wf);
            let half_h = trunc((q - 0.5).abs() * hf);
            let inside = (x - cx).abs() < half_w && (y - cy).abs() < half_h;
            if !inside {
                BLACK
            } else if q < 0.5 {
                b()
            } else {
                a()
            }
        }

        // Pixels whose FROM and TO are within q (RGBA distance) jump to TO; the result then
        // cross-fades to TO.
        "distance" => {
            let (pa, pb) = (a(), b());
            let dist = (0..4).map(|i| (pa[i] - pb[i]).powi(2)).sum::<f64>().sqrt();
            let first = if dist <= q { pa } else { pb };
            mix4(first, pb, p)
        }

        // Through a colour: FROM fades to it during the first fifth, TO fades in from it over the
        // last four fifths, and the two are cross-faded by p. fadegrays goes through each
        // pixel's own grey: (r + g + b) / 3 of the premultiplied colour, with its own alpha.
        "fadeblack" | "fadewhite" | "fadegrays" => {
            let (pa, pb) = (a(), b());
            let (via_a, via_b) = match name {
                "fadeblack" => (BLACK, BLACK),
                "fadewhite" => (WHITE, WHITE),
                _ => (grey(pa), grey(pb)),
            };
            let from_side = mix4(via_a, pa, smoothstep(0.8, 1.0, q));
            let to_side = mix4(pb, via_b, smoothstep(0.2, 1.0, q));
            mix4(from_side, to_side, p)
        }

        // Smooth edges: TO's weight is smoothstep(0, 1, e) for an edge function e.
        "radial" => {
            // atan2f(x − w/2, y − h/2): the angle from "down", towards +x.
            let angle = ((x - cx) as f64).atan2((y - cy) as f64);
            mix4(
                a(),
                b(),
                smoothstep(0.0, 1.0, angle - (q - 0.5) * (PI * 2.5)),
            )
        }
        "smoothleft" => mix4(a(), b(), smoothstep(0.0, 1.0, 1.0 + xf / wf - 2.0 * q)),
        "smoothright" => mix4(
            a(),
            b(),
            smoothstep(0.0, 1.0, 1.0 + (wf - 1.0 - xf) / wf - 2.0 * q),
        ),
        "smoothup" => mix4(a(), b(), smoothstep(0.0, 1.0, 1.0 + yf / hf - 2.0 * q)),
        "smoothdown" => mix4(
            a(),
            b(),
            smoothstep(0.0, 1.0, 1.0 + (hf - 1.0 - yf) / hf - 2.0 * q),
        ),
        "circleopen" | "circleclose" => {
            let r = (cx as f64).hypot(cy as f64);
            let d = ((x - cx) as f64).hypot((y - cy) as f64) / r;
            if name == "circleopen" {
                // FROM's weight grows with the distance from the centre.
                mix4(b(), a(), smoothstep(0.0, 1.0, d + (q - 0.5) * 3.0))
            } else {
                mix4(a(), b(), smoothstep(0.0, 1.0, d + (p - 0.5) * 3.0))
            }
        }
        "vertopen" | "vertclose" => {
            let w2 = wf / 2.0;
            let off = ((xf - w2) / w2).abs();
            let e = if name == "vertopen" {
                2.0 - off - 2.0 * q
            } else {
                1.0 + off - 2.0 * q
            };
            mix4(a(), b(), smoothstep(0.0, 1.0, e))
        }
        "horzopen" | "horzclose" => {
            let h2 = hf / 2.0;
            let off = ((yf - h2) / h2).abs();
            let e = if name == "horzopen" {
                2.0 - off - 2.0 * q
            } else {
                1.0 + off - 2.0 * q
            };
            mix4(a(), b(), smoothstep(0.0, 1.0, e))
        }
        "diagtl" | "diagtr" | "diagbl" | "diagbr" => {
            let fx = if name == "diagtl" || name == "diagbl" {
                xf / wf
            } else {
                (wf - 1.0 - xf) / wf
            };
            let fy = if name == "diagtl" || name == "diagtr" {
                yf / hf
            } else {
                (hf - 1.0 - yf) / hf
            };
            mix4(a(), b(), smoothstep(0.0, 1.0, 1.0 + fx * fy - 2.0 * q))
        }

        // Each pixel switches to TO once 2·frand + 2q − 1.5 drops below 0.5.
        "dissolve" => {
            if frand(x as u32, y as u32) * 2.0 + 2.0 * q - 1.5 >= 0.5 {
                a()
            } else {
                b()
            }
        }

        // Cross-fade of both frames read at the centres of square blocks that grow to p = 0.5
        // and shrink again (block side 2·dist·min(w, h)/20, dist in steps of 1/50).
        "pixelize" => {
            let d = q.min(1.0 - q);
            let dist = (d * 50.0).ceil() / 50.0;
            // xfade computes the block size and the block index in single precision; in f64 a
            // pixel on a block boundary (x / side within rounding of an integer) lands in the
            // other block.
            let side = 2.0 * dist as f32 * (w.min(h) as f32) / 20.0;
            let block = |v: f64, limit: f64| {
                trunc(((((v as f32 / side).floor() + 0.5) * side) as f64).min(limit - 1.0))
            };
            let (sx, sy) = if dist > 0.0 {
                (block(xf, wf), block(yf, hf))
            } else {
                (x, y)
            };
            mix4(f.a(sx, sy), f.b(sx, sy), p)
        }

        // Slices: ten stripes across the frame, each switching to TO when a soft edge moving
        // across the frame passes the position of the pixel within its stripe.
        "hlslice" | "hrslice" | "vuslice" | "vdslice" => {
            let v = match name {
                "hlslice" => xf / wf,
                "hrslice" => (wf - 1.0 - xf) / wf,
                "vuslice" => yf / hf,
                _ => (hf - 1.0 - yf) / hf,
            };
            let edge = smoothstep(-0.5, 0.0, v - q * 1.5);
            if edge <= fract(10.0 * v) {
                a()
            } else {
                b()
            }
        }

        // Cross-fade of horizontally box-blurred frames: the mean of pixels x..x+size−1 of the
        // row (fewer at the right edge), size = 1 + floor((w/2)·(1 − |2q − 1|)).
        "hblur" => {
            let prog = if q <= 0.5 { q * 2.0 } else { (1.0 - q) * 2.0 };
            let size = trunc(1.0 + (cx as f64) * prog);
            let end = (x + size).min(w);
            let n = (end - x) as f64;
            let mut sa = [0.0; 4];
            let mut sb = [0.0; 4];
            for xx in x..end {
                let (pa, pb) = (f.a(xx, y), f.b(xx, y));
                for i in 0..4 {
                    sa[i] += pa[i];
                    sb[i] += pb[i];
                }
            }
            mix4(sa.map(|v| v / n), sb.map(|v| v / n), p)
        }

        // Squeezes: FROM, squashed towards the centre line by the factor q, over TO. squeezeh
        // squashes rows (vertically), squeezev columns. xfade reads the nearest row
        // `lrint(z·(h − 1))` (half to even).
        "squeezeh" => {
            let z = 0.5 + (yf / hf - 0.5) / q;
            // A NaN position (0/0 at q = 0) counts as outside, like ±∞.
            if (0.0..=1.0).contains(&z) {
                f.a(x, (z * (hf - 1.0)).round_ties_even() as i64)
            } else {
                b()
            }
        }
        "squeezev" => {
            let z = 0.5 + (xf / wf - 0.5) / q;
            if (0.0..=1.0).contains(&z) {
                f.a((z * (wf - 1.0)).round_ties_even() as i64, y)
            } else {
                b()
            }
        }

        // FROM zoomed about its centre (the whole frame at p = 0, one pixel from p = 0.5),
        // reading pixel ceil(u·(w − 1)) for u = x/w scaled about 0.5, cross-faded to TO over the
        // second half.
        "zoomin" => {
            let zoom = smoothstep(0.5, 1.0, q);
            let u = 0.5 + (xf / wf - 0.5) * zoom;
            let v = 0.5 + (yf / hf - 0.5) * zoom;
            let zoomed = f.a(
                (u * (wf - 1.0)).ceil() as i64,
                (v * (hf - 1.0)).ceil() as i64,
            );
            mix4(b(), zoomed, smoothstep(0.0, 0.5, q))
        }

        // Cross-fades whose curve depends on each channel's difference d = |FROM − TO|: FROM's
        // weight is q^(1 + ln(1 + d)) (fadefast) or q^(1 + ln(2 − d)) (fadeslow).
        "fadefast" | "fadeslow" => {
            let (pa, pb) = (a(), b());
            [0, 1, 2, 3].map(|i| {
                let d = (pa[i] - pb[i]).abs();
                let k = if name == "fadefast" { 1.0 + d } else { 2.0 - d };
                mix(pb[i], pa[i], q.powf(1.0 + k.ln()))
            })
        }

        // Wind: a soft edge, ragged by one random number per row (hlwind, hrwind) or column
        // (vuwind, vdwind), sweeps across; TO's weight is smoothstep(0, −0.2, e) with
        // e = 0.8·f + 0.2·r − 1.2·p.
        "hlwind" | "hrwind" | "vuwind" | "vdwind" => {
            let (fpos, r) = match name {
                "hlwind" => (1.0 - xf / wf, frand(0, y as u32)),
                "hrwind" => (xf / wf, frand(0, y as u32)),
                "vuwind" => (1.0 - yf / hf, frand(x as u32, 0)),
                _ => (yf / hf, frand(x as u32, 0)),
            };
            let e = fpos * (1.0 - 0.2) + 0.2 * r - p * (1.0 + 0.2);
            mix4(a(), b(), smoothstep(0.0, -0.2, e))
        }

        _ => unreachable!("checked against NAMES"),
    }
}

/// fadegrays' grey for a premultiplied pixel: the mean of r, g, b (xfade's RGB formula, without
/// its integer rounding), alpha kept.
fn grey(c: [f64; 4]) -> [f64; 4] {
    let g = (c[0] + c[1] + c[2]) / 3.0;
    [g, g, g, c[3]]
}
