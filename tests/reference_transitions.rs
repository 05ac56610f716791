//! Checks of the CPU reference for FFmpeg's xfade transitions (tests/reference/transitions.rs)
//! against properties read off libavfilter/vf_xfade.c: the endpoints, and the direction each
//! family moves in. The GPU renderer is compared with this reference elsewhere.

#![allow(clippy::needless_range_loop)]

mod reference;

use reference::transitions::{frand, mix4, sample, xfade, BLACK, NAMES};

type Img = Vec<[f64; 4]>;

const EPS: f64 = 1e-9;

/// Which pixels (x, y) a check expects to show TO.
type Region = fn(usize, usize) -> bool;

/// A deterministic premultiplied image with varied colours and alphas.
fn noise(w: usize, h: usize, seed: u64) -> Img {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..w * h)
        .map(|_| {
            let a = 0.2 + 0.8 * next();
            [next() * a, next() * a, next() * a, a]
        })
        .collect()
}

/// A uniform image.
fn flat(w: usize, h: usize, c: [f64; 4]) -> Img {
    vec![c; w * h]
}

fn close(a: [f64; 4], b: [f64; 4]) -> bool {
    (0..4).all(|i| (a[i] - b[i]).abs() <= EPS)
}

#[track_caller]
fn assert_px(got: [f64; 4], want: [f64; 4], what: &str) {
    assert!(close(got, want), "{what}: got {got:?}, want {want:?}");
}

/// The frame sizes the checks run on: even and odd in both directions.
const SIZES: [(usize, usize); 3] = [(8, 6), (7, 5), (16, 9)];

/// A pair of frames.
struct Pair<'a> {
    from: &'a Img,
    to: &'a Img,
    w: usize,
    h: usize,
}

/// What xfade shows at an endpoint, for pixel (x, y), where it is not exactly the expected
/// frame. `end` is 0 or 1. `None`: exact there.
fn endpoint_exception(name: &str, end: u8, f: &Pair, x: usize, y: usize) -> Option<[f64; 4]> {
    let Pair { from, to, w, h } = *f;
    let i = y * w + x;
    match (name, end) {
        // `x > floor(w·q)` with q = 0 keeps column 0 on FROM.
        ("wipeleft", 1) if x == 0 => Some(from[i]),
        // `x > floor(w·p)` with p = 0 gives column 0 to TO.
        ("wiperight", 0) if x == 0 => Some(to[i]),
        ("wipeup", 1) if y == 0 => Some(from[i]),
        ("wipedown", 0) if y == 0 => Some(to[i]),
        ("wipetl", 1) if x == 0 && y == 0 => Some(from[i]),
        ("wipetr", 0) if x == 0 => Some(to[i]),
        ("wipebl", 0) if y == 0 => Some(to[i]),
        ("wipebr", 0) if x == 0 || y == 0 => Some(to[i]),
        // The kept rectangle is |x − w/2| < floor(w/2) (same for y) at both ends.
        ("rectcrop", _) => {
            let out = |v: usize, n: usize| (v as i64 - (n / 2) as i64).abs() >= (n / 2) as i64;
            (out(x, w) || out(y, h)).then_some(BLACK)
        }
        // Pixels further apart than 1 (RGBA distance) do not pass `dist <= 1`.
        ("distance", 0) => {
            let d = (0..4)
                .map(|c| (from[i][c] - to[i][c]).powi(2))
                .sum::<f64>()
                .sqrt();
            (d > 1.0).then_some(to[i])
        }
        // Row y reads FROM's row lrint(y·(h − 1)/h): y before the middle, y − 1 after it.
        ("squeezeh", 0) => {
            let src = squeeze_identity_source(y, h);
            (src != y).then_some(from[src * w + x])
        }
        ("squeezev", 0) => {
            let src = squeeze_identity_source(x, w);
            (src != x).then_some(from[y * w + src])
        }
        _ => None,
    }
}

/// lrint(v·(n − 1)/n), written out: v below the middle, v − 1 above it, half to even at it.
fn squeeze_identity_source(v: usize, n: usize) -> usize {
    match (2 * v).cmp(&n) {
        std::cmp::Ordering::Less => v,
        std::cmp::Ordering::Greater => v - 1,
        // (n − 1)/2 with n even: a half; to even.
        std::cmp::Ordering::Equal => {
            let lo = v - 1;
            if lo.is_multiple_of(2) {
                lo
            } else {
                v
            }
        }
    }
}

#[test]
fn names_are_the_58_xfade_transitions() {
    assert_eq!(NAMES.len(), 58);
    let mut sorted = NAMES.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 58, "duplicate names");
}

#[test]
#[should_panic(expected = "unknown xfade transition")]
fn unknown_name_panics() {
    let img = flat(4, 4, BLACK);
    xfade("wipeleftt", &img, &img, 4, 4, 0.5);
}

#[test]
fn endpoints_are_from_and_to_except_where_xfade_is_not() {
    // Exceptions (see endpoint_exception and the module documentation of the reference):
    // wipeleft/wipeup/wipetl at p = 1 and wiperight/wipedown/wipetr/wipebl/wipebr at p = 0 (an
    // edge column or row, from `x > floor(w·s)`), rectcrop at both ends (black edge columns and
    // rows, from a strict `<`), distance at p = 0 (pixels more than 1 apart show TO), squeezeh and
    // squeezev at p = 0 (rows or columns past the middle read one before).
    for (w, h) in SIZES {
        let from = noise(w, h, 1);
        let to = noise(w, h, 2);
        let pair = Pair {
            from: &from,
            to: &to,
            w,
            h,
        };
        // The distance exception must actually occur somewhere for the check to mean anything.
        assert!(
            (0..w * h).any(|i| endpoint_exception("distance", 0, &pair, i % w, i / w).is_some()),
            "test images too similar"
        );
        for name in NAMES {
            for (end, want) in [(0u8, &from), (1u8, &to)] {
                let out = xfade(name, &from, &to, w, h, end as f64);
                for y in 0..h {
                    for x in 0..w {
                        let i = y * w + x;
                        let expected =
                            endpoint_exception(name, end, &pair, x, y).unwrap_or(want[i]);
                        assert_px(
                            out[i],
                            expected,
                            &format!("{name} at p = {end}, {w}×{h}, pixel ({x}, {y})"),
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn fade_is_a_linear_cross_fade() {
    let (w, h) = (8, 6);
    let (a, b) = (noise(w, h, 3), noise(w, h, 4));
    let out = xfade("fade", &a, &b, w, h, 0.25);
    for i in 0..w * h {
        let want = [0, 1, 2, 3].map(|c| 0.75 * a[i][c] + 0.25 * b[i][c]);
        assert_px(out[i], want, "fade at 0.25");
    }
}

/// Which of FROM / TO each pixel of `out` is (panics on anything else).
fn which(out: &[[f64; 4]], a: &Img, b: &Img) -> Vec<char> {
    out.iter()
        .enumerate()
        .map(|(i, &px)| {
            if close(px, a[i]) {
                'A'
            } else if close(px, b[i]) {
                'B'
            } else {
                panic!("pixel {i} is neither FROM nor TO: {px:?}")
            }
        })
        .collect()
}

#[test]
fn wipes_at_half_split_the_frame() {
    let (w, h) = (8, 6);
    let a = flat(w, h, [0.0, 0.0, 0.0, 1.0]);
    let b = flat(w, h, [1.0, 1.0, 1.0, 1.0]);
    let at = |name: &str| which(&xfade(name, &a, &b, w, h, 0.5), &a, &b);
    // floor(8 · 0.5) = 4, floor(6 · 0.5) = 3.
    let cases: [(&str, Region); 8] = [
        // TO comes in from the right: columns 5..8.
        ("wipeleft", |x, _| x > 4),
        // TO comes in from the left: columns 0..=4.
        ("wiperight", |x, _| x <= 4),
        // TO comes in from the bottom: rows 4..6.
        ("wipeup", |_, y| y > 3),
        // TO comes in from the top: rows 0..=3.
        ("wipedown", |_, y| y <= 3),
        // The corner wipes: FROM keeps the named corner's quarter (5 × 4 or 3 × 2 pixels).
        ("wipetl", |x, y| !(x <= 4 && y <= 3)),
        ("wipetr", |x, y| !(x > 4 && y <= 3)),
        ("wipebl", |x, y| !(x <= 4 && y > 3)),
        ("wipebr", |x, y| !(x > 4 && y > 3)),
    ];
    for (name, to_here) in cases {
        let got = at(name);
        for y in 0..h {
            for x in 0..w {
                let want = if to_here(x, y) { 'B' } else { 'A' };
                assert_eq!(got[y * w + x], want, "{name} pixel ({x}, {y})");
            }
        }
    }
}

#[test]
fn slides_at_half_move_both_frames() {
    let (w, h) = (8, 6);
    let (a, b) = (noise(w, h, 5), noise(w, h, 6));
    let (hw, hh) = (w / 2, h / 2);
    let px = |img: &Img, x: usize, y: usize| img[y * w + x];
    let check = |name: &str, want: &dyn Fn(usize, usize) -> [f64; 4]| {
        let out = xfade(name, &a, &b, w, h, 0.5);
        for y in 0..h {
            for x in 0..w {
                assert_px(out[y * w + x], want(x, y), &format!("{name} ({x}, {y})"));
            }
        }
    };
    // Content moves left: FROM's right half on the left, TO's left half on the right.
    check("slideleft", &|x, y| {
        if x < hw {
            px(&a, x + hw, y)
        } else {
            px(&b, x - hw, y)
        }
    });
    // Content moves right: TO's right half on the left, FROM's left half on the right.
    check("slideright", &|x, y| {
        if x < hw {
            px(&b, x + hw, y)
        } else {
            px(&a, x - hw, y)
        }
    });
    // Content moves up: FROM's bottom half at the top, TO's top half at the bottom.
    check("slideup", &|x, y| {
        if y < hh {
            px(&a, x, y + hh)
        } else {
            px(&b, x, y - hh)
        }
    });
    check("slidedown", &|x, y| {
        if y < hh {
            px(&b, x, y + hh)
        } else {
            px(&a, x, y - hh)
        }
    });
}

#[test]
fn covers_and_reveals_at_a_quarter() {
    let (w, h) = (8, 8);
    let (a, b) = (noise(w, h, 7), noise(w, h, 8));
    let px = |img: &Img, x: usize, y: usize| img[y * w + x];
    // floor(8 · 0.75) = 6: the moving frame has moved in (or out) by 2 pixels.
    let check = |name: &str, want: &dyn Fn(usize, usize) -> [f64; 4]| {
        let out = xfade(name, &a, &b, w, h, 0.25);
        for y in 0..h {
            for x in 0..w {
                assert_px(out[y * w + x], want(x, y), &format!("{name} ({x}, {y})"));
            }
        }
    };
    // TO's left edge enters from the right over a still FROM.
    check("coverleft", &|x, y| {
        if x >= 6 {
            px(&b, x - 6, y)
        } else {
            px(&a, x, y)
        }
    });
    // TO's right edge enters from the left.
    check("coverright", &|x, y| {
        if x < 2 {
            px(&b, x + 6, y)
        } else {
            px(&a, x, y)
        }
    });
    check("coverup", &|x, y| {
        if y >= 6 {
            px(&b, x, y - 6)
        } else {
            px(&a, x, y)
        }
    });
    check("coverdown", &|x, y| {
        if y < 2 {
            px(&b, x, y + 6)
        } else {
            px(&a, x, y)
        }
    });
    // FROM moves out to the left, uncovering a still TO on the right.
    check("revealleft", &|x, y| {
        if x >= 6 {
            px(&b, x, y)
        } else {
            px(&a, x + 2, y)
        }
    });
    check("revealright", &|x, y| {
        if x < 2 {
            px(&b, x, y)
        } else {
            px(&a, x - 2, y)
        }
    });
    check("revealup", &|x, y| {
        if y >= 6 {
            px(&b, x, y)
        } else {
            px(&a, x, y + 2)
        }
    });
    check("revealdown", &|x, y| {
        if y < 2 {
            px(&b, x, y)
        } else {
            px(&a, x, y - 2)
        }
    });
}

/// TO's weight at each pixel, read with FROM = 0 and TO = 1 in every channel.
fn to_weight(name: &str, w: usize, h: usize, p: f64) -> Vec<f64> {
    let a = flat(w, h, [0.0; 4]);
    let b = flat(w, h, [1.0; 4]);
    xfade(name, &a, &b, w, h, p)
        .iter()
        .map(|px| {
            assert!(
                px.iter().all(|&c| (c - px[0]).abs() <= EPS),
                "{name}: {px:?}"
            );
            px[0]
        })
        .collect()
}

#[test]
fn smooth_transitions_move_the_named_way() {
    let (w, h) = (16, 12);
    let wt = |name: &str, p: f64| to_weight(name, w, h, p);
    let i = |x: usize, y: usize| y * w + x;
    // At p = 0.5 the edge function of smoothleft is x/w: TO weight 0 at the left edge, growing to
    // the right (the edge moves left).
    let s = wt("smoothleft", 0.5);
    assert_eq!(s[i(0, 5)], 0.0);
    assert!((1..w).all(|x| s[i(x, 5)] > s[i(x - 1, 5)]));
    let s = wt("smoothright", 0.5);
    assert_eq!(s[i(w - 1, 5)], 0.0);
    assert!((1..w).all(|x| s[i(x, 5)] < s[i(x - 1, 5)]));
    let s = wt("smoothup", 0.5);
    assert_eq!(s[i(3, 0)], 0.0);
    assert!((1..h).all(|y| s[i(3, y)] > s[i(3, y - 1)]));
    let s = wt("smoothdown", 0.5);
    assert_eq!(s[i(3, h - 1)], 0.0);
    assert!((1..h).all(|y| s[i(3, y)] < s[i(3, y - 1)]));
    // Weights are smoothstep values: 1 + x/w − 2q at p = 0.75 (q = 0.25) is 0.5 + x/w: one half
    // at x = 0, all TO from the middle on.
    let s = wt("smoothleft", 0.75);
    assert_eq!(s[i(0, 2)], 0.5);
    assert!((w / 2..w).all(|x| s[i(x, 2)] == 1.0));

    // diagtl: the edge moves towards the top-left corner; TO first at the bottom right.
    let s = wt("diagtl", 0.5);
    assert_eq!(s[i(0, 0)], 0.0);
    assert!(s[i(w - 1, h - 1)] > s[i(w / 2, h / 2)]);
    let s = wt("diagbr", 0.5);
    assert_eq!(s[i(w - 1, h - 1)], 0.0);
    assert!(s[i(0, 0)] > s[i(w / 2, h / 2)]);
    let s = wt("diagtr", 0.5);
    assert_eq!(s[i(w - 1, 0)], 0.0);
    assert!(s[i(0, h - 1)] > 0.0);
    let s = wt("diagbl", 0.5);
    assert_eq!(s[i(0, h - 1)], 0.0);
    assert!(s[i(w - 1, 0)] > 0.0);

    // circleopen: TO opens from the centre; circleclose: FROM shrinks towards the centre.
    let (cx, cy) = (w / 2, h / 2);
    let s = wt("circleopen", 0.5);
    assert_eq!(s[i(cx, cy)], 1.0);
    assert_eq!(s[i(0, 0)], 0.0);
    let s = wt("circleclose", 0.5);
    assert_eq!(s[i(cx, cy)], 0.0);
    assert_eq!(s[i(0, 0)], 1.0);
    // vertopen / horzopen: TO opens from the centre line; the closes from the edges.
    let s = wt("vertopen", 0.5);
    assert_eq!(s[i(cx, 0)], 1.0);
    assert_eq!(s[i(0, 0)], 0.0);
    let s = wt("vertclose", 0.5);
    assert_eq!(s[i(cx, 0)], 0.0);
    assert_eq!(s[i(0, 7)], 1.0);
    let s = wt("horzopen", 0.5);
    assert_eq!(s[i(0, cy)], 1.0);
    assert_eq!(s[i(0, 0)], 0.0);
    let s = wt("horzclose", 0.5);
    assert_eq!(s[i(0, cy)], 0.0);
    assert_eq!(s[i(5, 0)], 1.0);

    // radial at 0.5: the edge is at the angle atan2(x − w/2, y − h/2) = 0, i.e. straight down from
    // the centre; TO's weight is smoothstep(0, 1, angle), so positive angles (towards +x) show TO.
    let s = wt("radial", 0.5);
    assert_eq!(s[i(cx, h - 1)], 0.0);
    let angle = 1f64.atan2((h - 1 - cy) as f64);
    assert!((s[i(cx + 1, h - 1)] - angle * angle * (3.0 - 2.0 * angle)).abs() < EPS);
    assert_eq!(s[i(w - 1, 0)], 1.0);
    assert_eq!(s[i(0, h - 1)], 0.0);
}

#[test]
fn slices_and_winds_start_on_the_named_side() {
    let (w, h) = (20, 20);
    let wt = |name: &str, p: f64| to_weight(name, w, h, p);
    let i = |x: usize, y: usize| y * w + x;
    // At p = 0.5 the slice edge is smoothstep(−0.5, 0, v − 0.75): FROM where v ≤ 0.25, TO where
    // v ≥ 0.75 (v = x/w for hlslice).
    for (name, first, last) in [
        ("hlslice", i(0, 3), i(w - 1, 3)),
        ("hrslice", i(w - 1, 3), i(0, 3)),
        ("vuslice", i(3, 0), i(3, h - 1)),
        ("vdslice", i(3, h - 1), i(3, 0)),
    ] {
        let s = wt(name, 0.5);
        assert_eq!(s[first], 0.0, "{name} start side");
        assert_eq!(s[last], 1.0, "{name} far side");
        assert!(s.iter().all(|&v| v == 0.0 || v == 1.0), "{name} is hard");
    }
    // Winds at p = 0.5: e = 0.8·f + 0.2·r − 0.6; f = 0 (the side TO starts from) gives e < −0.4,
    // all TO; f = (n − 1)/n gives e > 0, all FROM.
    for (name, to_side, from_side) in [
        ("hrwind", i(0, 7), i(w - 1, 7)),
        ("hlwind", i(w - 1, 7), i(0, 7)),
        ("vdwind", i(7, 0), i(7, h - 1)),
        ("vuwind", i(7, h - 1), i(7, 0)),
    ] {
        let s = wt(name, 0.5);
        assert_eq!(s[to_side], 1.0, "{name}");
        assert_eq!(s[from_side], 0.0, "{name}");
    }
    // The wind's raggedness: one random number per row for hrwind.
    let s = wt("hrwind", 0.45);
    let x = 5;
    for y in 0..h {
        let e = 0.8 * x as f64 / w as f64 + 0.2 * frand(0, y as u32) - 1.2 * 0.45;
        let t = (e / -0.2).clamp(0.0, 1.0);
        assert!((s[i(x, y)] - t * t * (3.0 - 2.0 * t)).abs() < EPS);
    }
}

#[test]
fn frand_is_the_agreed_hash() {
    // Values computed independently from the hash's definition.
    assert_eq!(frand(0, 0), 0.0);
    assert_eq!(frand(1, 0), 11595483.0 / 16777216.0);
    assert_eq!(frand(0, 1), 8048615.0 / 16777216.0);
    assert_eq!(frand(3, 5), 12326485.0 / 16777216.0);
    assert_eq!(frand(1000, 7), 14179070.0 / 16777216.0);
}

#[test]
fn dissolve_switches_where_frand_is_below_the_threshold() {
    let (w, h) = (32, 32);
    let a = flat(w, h, [0.0; 4]);
    let b = flat(w, h, [1.0; 4]);
    // TO where 2·frand + 2q − 1.5 < 0.5, i.e. frand < 1 − q = p.
    for p in [0.25, 0.5, 0.8] {
        let got = which(&xfade("dissolve", &a, &b, w, h, p), &a, &b);
        let mut n_to = 0;
        for y in 0..h {
            for x in 0..w {
                let want = if frand(x as u32, y as u32) < p {
                    'B'
                } else {
                    'A'
                };
                assert_eq!(got[y * w + x], want, "dissolve {p} ({x}, {y})");
                n_to += usize::from(want == 'B');
            }
        }
        let share = n_to as f64 / (w * h) as f64;
        assert!((share - p).abs() < 0.06, "dissolve {p}: {share} of TO");
    }
}

#[test]
fn crops_at_half_show_only_the_centre() {
    let (w, h) = (9, 7);
    let (a, b) = (noise(w, h, 9), noise(w, h, 10));
    let (cx, cy) = (w / 2, h / 2);
    // circlecrop at 0.5: radius 0, only the centre pixel (distance 0, not < 0) is kept, on FROM
    // (xfade picks TO only when its progress < 0.5).
    let out = xfade("circlecrop", &a, &b, w, h, 0.5);
    for y in 0..h {
        for x in 0..w {
            let want = if (x, y) == (cx, cy) {
                a[y * w + x]
            } else {
                BLACK
            };
            assert_px(out[y * w + x], want, "circlecrop 0.5");
        }
    }
    // At 0.75 the circle grows on TO: radius 0.125 · hypot(4, 3) = 0.625: the centre only;
    // at 0.9, 0.512 · 5 = 2.56.
    let out = xfade("circlecrop", &a, &b, w, h, 0.9);
    for y in 0..h {
        for x in 0..w {
            let d = ((x as f64 - cx as f64).powi(2) + (y as f64 - cy as f64).powi(2)).sqrt();
            let want = if d <= 2.56 { b[y * w + x] } else { BLACK };
            assert_px(out[y * w + x], want, "circlecrop 0.9");
        }
    }
    // rectcrop at 0.75: half sizes floor(0.25 · 9) = 2 and floor(0.25 · 7) = 1: |dx| < 2, dy = 0.
    let out = xfade("rectcrop", &a, &b, w, h, 0.75);
    for y in 0..h {
        for x in 0..w {
            let inside = (x as i64 - cx as i64).abs() < 2 && y == cy;
            let want = if inside { b[y * w + x] } else { BLACK };
            assert_px(out[y * w + x], want, "rectcrop 0.75");
        }
    }
}

#[test]
fn fades_through_colours() {
    let (w, h) = (4, 4);
    let white = flat(w, h, [1.0; 4]);
    let black = flat(w, h, BLACK);
    // p = 0.5 (q = 0.5): the FROM side is all black (smoothstep(0.8, 1, 0.5) = 0); the TO side is
    // mix(TO, black, smoothstep(0.2, 1, 0.5) = 0.31640625); the two are averaged.
    let out = xfade("fadeblack", &white, &white, w, h, 0.5);
    let v = 0.5 * (1.0 - 0.31640625);
    assert_px(out[5], [v, v, v, 1.0], "fadeblack 0.5");
    let out = xfade("fadewhite", &black, &black, w, h, 0.5);
    let v = 0.5 + 0.5 * 0.31640625;
    assert_px(out[5], [v, v, v, 1.0], "fadewhite 0.5");
    // At p = 0.1 (q = 0.9) FROM is half-way to black, and the TO side (weight 0.1) mostly black.
    let s1 = 0.5; // smoothstep(0.8, 1, 0.9)
    let t = (0.9 - 0.2) / 0.8;
    let s2 = t * t * (3.0 - 2.0 * t);
    let from_side = s1; // white mixed with black
    let to_side = 1.0 - s2; // white mixed with black
    let v = 0.9 * from_side + 0.1 * to_side;
    let out = xfade("fadeblack", &white, &white, w, h, 0.1);
    assert_px(out[0], [v, v, v, 1.0], "fadeblack 0.1");

    // fadegrays goes through each pixel's own grey with its own alpha: a grey pixel is unchanged
    // all the way, and alpha cross-fades linearly.
    let ga = flat(w, h, [0.3, 0.3, 0.3, 0.6]);
    let gb = flat(w, h, [0.1, 0.1, 0.1, 0.2]);
    let out = xfade("fadegrays", &ga, &ga, w, h, 0.37);
    assert_px(out[3], ga[3], "fadegrays of grey");
    let out = xfade("fadegrays", &ga, &gb, w, h, 0.25);
    assert!((out[3][3] - (0.75 * 0.6 + 0.25 * 0.2)).abs() < EPS);
    // Coloured: at p = 0.5 the FROM side is its grey.
    let c = [0.6, 0.3, 0.0, 0.9];
    let col = flat(w, h, c);
    let g = 0.3;
    let out = xfade("fadegrays", &col, &col, w, h, 0.5);
    let to_side = mix4(c, [g, g, g, 0.9], 0.31640625);
    let want = mix4([g, g, g, 0.9], to_side, 0.5);
    assert_px(out[0], want, "fadegrays colour");
}

#[test]
fn pixelize_hblur_squeeze_zoom() {
    let (w, h) = (40, 20);
    let (a, b) = (noise(w, h, 11), noise(w, h, 12));
    let px = |img: &Img, x: usize, y: usize| img[y * w + x];
    // pixelize at 0.5 on 40 × 40: dist 0.5, blocks of side 2 · 0.5 · 40 / 20 = 2, each read at
    // its pixel (2i + 1, 2j + 1).
    let (w2, h2) = (40, 40);
    let (a2, b2) = (noise(w2, h2, 13), noise(w2, h2, 14));
    let out = xfade("pixelize", &a2, &b2, w2, h2, 0.5);
    for y in 0..h2 {
        for x in 0..w2 {
            let (sx, sy) = (2 * (x / 2) + 1, 2 * (y / 2) + 1);
            let s = sy * w2 + sx;
            assert_px(out[y * w2 + x], mix4(a2[s], b2[s], 0.5), "pixelize 0.5");
        }
    }

    // hblur at 0.5: box of 1 + 20 = 21 pixels starting at x, cut at the right edge.
    let out = xfade("hblur", &a, &b, w, h, 0.5);
    for (x, y) in [(0, 0), (10, 3), (19, 19), (20, 5), (30, 7), (39, 2)] {
        let end = (x + 21).min(w);
        let n = (end - x) as f64;
        let mean = |img: &Img| {
            let mut s = [0.0; 4];
            for xx in x..end {
                for c in 0..4 {
                    s[c] += px(img, xx, y)[c] / n;
                }
            }
            s
        };
        assert_px(out[y * w + x], mix4(mean(&a), mean(&b), 0.5), "hblur 0.5");
    }

    // squeezeh at 0.5: FROM squashed to half height about the middle (rows 5..=15 of 20 have
    // z = 0.5 + (y/20 − 0.5)·2 in [0, 1]), TO above and below.
    let out = xfade("squeezeh", &a, &b, w, h, 0.5);
    for y in 0..h {
        let z = 0.5 + (y as f64 / h as f64 - 0.5) * 2.0;
        for x in 0..w {
            let want = if (0.0..=1.0).contains(&z) {
                px(&a, x, (z * (h as f64 - 1.0)).round_ties_even() as usize)
            } else {
                px(&b, x, y)
            };
            assert_px(out[y * w + x], want, "squeezeh 0.5");
        }
        assert_eq!((0.0..=1.0).contains(&z), (5..=15).contains(&y));
    }
    // squeezev at 0.5: columns 10..=30 of 40 show FROM squashed to half width.
    let out = xfade("squeezev", &a, &b, w, h, 0.5);
    for x in 0..w {
        let z = 0.5 + (x as f64 / w as f64 - 0.5) * 2.0;
        for y in 0..h {
            let want = if (0.0..=1.0).contains(&z) {
                px(&a, (z * (w as f64 - 1.0)).round_ties_even() as usize, y)
            } else {
                px(&b, x, y)
            };
            assert_px(out[y * w + x], want, "squeezev 0.5");
        }
        assert_eq!((0.0..=1.0).contains(&z), (10..=30).contains(&x));
    }

    // zoomin at 0.25 (q = 0.75): FROM magnified 2× about the centre (zoom 0.5), not yet mixed;
    // at 0.75 (q = 0.25): FROM's pixel (ceil(19.5), ceil(9.5)) = (20, 10) half-mixed with TO.
    let out = xfade("zoomin", &a, &b, w, h, 0.25);
    for y in 0..h {
        for x in 0..w {
            let u = 0.5 + (x as f64 / w as f64 - 0.5) * 0.5;
            let v = 0.5 + (y as f64 / h as f64 - 0.5) * 0.5;
            let sx = (u * (w as f64 - 1.0)).ceil() as usize;
            let sy = (v * (h as f64 - 1.0)).ceil() as usize;
            assert_px(out[y * w + x], px(&a, sx, sy), "zoomin 0.25");
        }
    }
    let out = xfade("zoomin", &a, &b, w, h, 0.75);
    assert_px(
        out[3 * w + 7],
        mix4(px(&b, 7, 3), px(&a, 20, 10), 0.5),
        "zoomin 0.75",
    );
}

#[test]
fn fadefast_and_fadeslow_bend_the_cross_fade() {
    let (w, h) = (2, 2);
    let a = flat(w, h, [0.2, 0.9, 0.5, 1.0]);
    let b = flat(w, h, [0.7, 0.1, 0.5, 1.0]);
    let q: f64 = 0.6;
    for (name, k) in [("fadefast", 1.0), ("fadeslow", 2.0)] {
        let out = xfade(name, &a, &b, w, h, 1.0 - q);
        for c in 0..4 {
            let d = (a[0][c] - b[0][c]).abs();
            let arg = if name == "fadefast" { k + d } else { k - d };
            let e = q.powf(1.0 + arg.ln());
            let want = a[0][c] * e + b[0][c] * (1.0 - e);
            assert!((out[0][c] - want).abs() < EPS, "{name} channel {c}");
        }
        // Equal channels stay put; with d = 0 fadefast is the plain cross-fade.
        assert!((out[0][2] - 0.5).abs() < EPS);
        assert!((out[0][3] - 1.0).abs() < EPS);
    }
    // fadefast moves large differences towards TO sooner than fade does.
    let fast = xfade("fadefast", &a, &b, w, h, 0.4);
    let lin = xfade("fade", &a, &b, w, h, 0.4);
    assert!((fast[0][0] - 0.7).abs() < (lin[0][0] - 0.7).abs());
}

#[test]
fn distance_jumps_close_pixels_to_to() {
    let (w, h) = (2, 2);
    // Pixel 0: FROM and TO 0.5 apart; pixel 1: 0.9 apart (the rest as pixel 0).
    let a = vec![
        [0.5, 0.0, 0.0, 1.0],
        [0.9, 0.0, 0.0, 1.0],
        [0.5, 0.0, 0.0, 1.0],
        [0.5, 0.0, 0.0, 1.0],
    ];
    let b = flat(w, h, BLACK);
    // p = 0.3 (q = 0.7): pixel 0 has dist 0.5 ≤ 0.7 and keeps FROM before the final mix; pixel 1
    // (0.9 > 0.7) is already TO.
    let out = xfade("distance", &a, &b, w, h, 0.3);
    assert_px(out[0], mix4(a[0], b[0], 0.3), "distance near");
    assert_px(out[1], b[1], "distance far");
}

#[test]
fn sample_is_bilinear_with_clamped_edges() {
    let (w, h) = (3, 2);
    let img = noise(w, h, 15);
    for y in 0..h {
        for x in 0..w {
            let uv = [(x as f64 + 0.5) / w as f64, (y as f64 + 0.5) / h as f64];
            assert_px(sample(&img, w, h, uv), img[y * w + x], "texel centre");
        }
    }
    // Half-way between texels (0, 0) and (1, 0).
    let got = sample(&img, w, h, [1.0 / 3.0, 0.25]);
    assert_px(got, mix4(img[0], img[1], 0.5), "between two texels");
    // The middle of four texels.
    let got = sample(&img, w, h, [2.0 / 3.0, 0.5]);
    let want = mix4(mix4(img[1], img[2], 0.5), mix4(img[4], img[5], 0.5), 0.5);
    assert_px(got, want, "between four texels");
    // Outside the frame: the edge texels.
    assert_px(sample(&img, w, h, [-0.7, -0.2]), img[0], "clamped corner");
    assert_px(sample(&img, w, h, [1.4, 0.25]), img[2], "clamped right");
    assert_px(sample(&img, w, h, [0.0, 0.25]), img[0], "edge of frame");
}
