// FFmpeg xfade's 58 built-in transitions, ported to WGSL (own code, formulas after
// libavfilter/vf_xfade.c). Mirrored line for line by src/transition/xfade.rs (the CPU backend):
// same formulas, same f32 operation order; change both together.
//
// Conventions:
// - Concatenated after a prelude providing from_color(uv), to_color(uv) (premultiplied RGBA,
//   bilinear, texel centres at (i + 0.5) / size, edge-clamped) and output_size() = (W, H).
// - uv = ((x + 0.5) / W, (y + 0.5) / H) at the centre of pixel (x, y); y = 0 is the top row.
//   Integer pixel coordinates are floor(uv * size), kept as integral f32 values. Where xfade
//   reads pixel (xx, yy) we sample at its centre ((xx + 0.5) / W, (yy + 0.5) / H).
// - progress p: 0 = FROM (xfade's first input `a`), 1 = TO (`b`). xfade's own progress runs
//   1 -> 0; it is `pp = 1 - p` below, and xfade's `1 - progress` is written as `progress`.
// - xfade's mix(a, b, m) is a * m + b * (1 - m) (reversed against WGSL's mix): see xf_mix.
//   smoothstep/fract/clamp are spelled out (xf_smoothstep accepts edge0 > edge1, as xfade's
//   wind transitions need; WGSL's builtin does not).
// - Colours are premultiplied RGBA; all four channels follow xfade's colour-plane formula.
//   Black = (0, 0, 0, 1), white = (1, 1, 1, 1).
// - Randomness: xf_frand(xi, yi) is an integer hash (u32 wrapping), not xfade's sin() hash, so
//   GPU and CPU agree: h = (xi * 0x8da6b343) ^ (yi * 0xd8163841); h ^= h >> 16;
//   h *= 0x7feb352d; h ^= h >> 15; h *= 0x846ca68b; h ^= h >> 16; frand = (h >> 8) * 2^-24.
//   Arguments are xfade's: (x, y) for dissolve, (0, y) for hlwind/hrwind, (x, 0) for vuwind/vdwind.
// - Every function is `fn xfade_<name>(uv, progress, ratio) -> vec4<f32>`; `ratio` is unused.
//   Helpers are prefixed xf_.

fn xf_pixel(uv: vec2<f32>) -> vec2<f32> {
    return floor(uv * output_size());
}

fn xf_from_px(px: vec2<f32>) -> vec4<f32> {
    return from_color((px + vec2<f32>(0.5)) / output_size());
}

fn xf_to_px(px: vec2<f32>) -> vec4<f32> {
    return to_color((px + vec2<f32>(0.5)) / output_size());
}

// xfade's mix: a * m + b * (1 - m).
fn xf_mix(a: vec4<f32>, b: vec4<f32>, m: f32) -> vec4<f32> {
    return a * m + b * (1.0 - m);
}

fn xf_smoothstep(e0: f32, e1: f32, x: f32) -> f32 {
    let t = clamp((x - e0) / (e1 - e0), 0.0, 1.0);
    return t * t * (3.0 - 2.0 * t);
}

fn xf_fract(x: f32) -> f32 {
    return x - floor(x);
}

fn xf_black() -> vec4<f32> {
    return vec4<f32>(0.0, 0.0, 0.0, 1.0);
}

fn xf_white() -> vec4<f32> {
    return vec4<f32>(1.0, 1.0, 1.0, 1.0);
}

fn xf_frand(xi: u32, yi: u32) -> f32 {
    var h = (xi * 0x8da6b343u) ^ (yi * 0xd8163841u);
    h = h ^ (h >> 16u);
    h = h * 0x7feb352du;
    h = h ^ (h >> 15u);
    h = h * 0x846ca68bu;
    h = h ^ (h >> 16u);
    return f32(h >> 8u) * 5.9604644775390625e-8;
}

// mix(B, A, smoothstep(0, 1, sm)): the shape shared by the "smooth" transitions.
fn xf_smooth(uv: vec2<f32>, sm: f32) -> vec4<f32> {
    return xf_mix(to_color(uv), from_color(uv), xf_smoothstep(0.0, 1.0, sm));
}

// fadeblack / fadewhite / fadegrays: a fades to ga, gb fades to b.
fn xf_fade_via(a: vec4<f32>, ga: vec4<f32>, gb: vec4<f32>, b: vec4<f32>, pp: f32) -> vec4<f32> {
    let s1 = xf_smoothstep(0.8, 1.0, pp);
    let s2 = xf_smoothstep(0.2, 1.0, pp);
    return xf_mix(xf_mix(a, ga, s1), xf_mix(gb, b, s2), pp);
}

// fadefast (slow = false) / fadeslow (slow = true): per-channel exponent.
fn xf_fade_pow(uv: vec2<f32>, progress: f32, slow: bool) -> vec4<f32> {
    let pp = 1.0 - progress;
    let a = from_color(uv);
    let b = to_color(uv);
    let d = abs(a - b);
    let e = vec4<f32>(1.0) + log(select(vec4<f32>(1.0) + d, vec4<f32>(2.0) - d, slow));
    // pow(0, e) is 0 for e >= 1; WGSL's pow is undefined at 0, so select it explicitly.
    let m = select(vec4<f32>(0.0), pow(vec4<f32>(pp), e), pp > 0.0);
    return a * m + b * (vec4<f32>(1.0) - m);
}

// hlwind / hrwind / vuwind / vdwind: f is the position along the wind, r the row/column noise.
fn xf_wind(uv: vec2<f32>, progress: f32, f: f32, r: f32) -> vec4<f32> {
    let v = f * 0.8 + 0.2 * r - progress * 1.2;
    return xf_mix(to_color(uv), from_color(uv), xf_smoothstep(0.0, -0.2, v));
}

fn xfade_fade(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let pp = 1.0 - progress;
    return xf_mix(from_color(uv), to_color(uv), pp);
}

fn xfade_wipeleft(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let z = floor(s.x * pp);
    return select(from_color(uv), to_color(uv), px.x > z);
}

fn xfade_wiperight(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let z = floor(s.x * progress);
    return select(to_color(uv), from_color(uv), px.x > z);
}

fn xfade_wipeup(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let z = floor(s.y * pp);
    return select(from_color(uv), to_color(uv), px.y > z);
}

fn xfade_wipedown(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let z = floor(s.y * progress);
    return select(to_color(uv), from_color(uv), px.y > z);
}

fn xfade_slideleft(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let zx = px.x - floor(pp * s.x);
    if (zx >= 0.0) {
        return xf_to_px(vec2<f32>(zx, px.y));
    }
    return xf_from_px(vec2<f32>(zx + s.x, px.y));
}

fn xfade_slideright(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let zx = px.x + floor(pp * s.x);
    if (zx < s.x) {
        return xf_to_px(vec2<f32>(zx, px.y));
    }
    return xf_from_px(vec2<f32>(zx - s.x, px.y));
}

fn xfade_slideup(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let zy = px.y - floor(pp * s.y);
    if (zy >= 0.0) {
        return xf_to_px(vec2<f32>(px.x, zy));
    }
    return xf_from_px(vec2<f32>(px.x, zy + s.y));
}

fn xfade_slidedown(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let zy = px.y + floor(pp * s.y);
    if (zy < s.y) {
        return xf_to_px(vec2<f32>(px.x, zy));
    }
    return xf_from_px(vec2<f32>(px.x, zy - s.y));
}

fn xfade_circlecrop(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let c = floor(s * 0.5);
    let t = 2.0 * abs(pp - 0.5);
    let z = t * t * t * sqrt(c.x * c.x + c.y * c.y);
    let dx = px.x - c.x;
    let dy = px.y - c.y;
    let dist = sqrt(dx * dx + dy * dy);
    if (z < dist) {
        return xf_black();
    }
    if (pp < 0.5) {
        return to_color(uv);
    }
    return from_color(uv);
}

fn xfade_rectcrop(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let c = floor(s * 0.5);
    let zh = floor(abs(pp - 0.5) * s.y);
    let zw = floor(abs(pp - 0.5) * s.x);
    let inside = abs(px.x - c.x) < zw && abs(px.y - c.y) < zh;
    if (!inside) {
        return xf_black();
    }
    if (pp < 0.5) {
        return to_color(uv);
    }
    return from_color(uv);
}

fn xfade_distance(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let pp = 1.0 - progress;
    let a = from_color(uv);
    let b = to_color(uv);
    let d = a - b;
    let sum = d.x * d.x + d.y * d.y + d.z * d.z + d.w * d.w;
    let k = select(0.0, 1.0, sqrt(sum) <= pp);
    return xf_mix(xf_mix(a, b, k), b, pp);
}

fn xfade_fadeblack(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let pp = 1.0 - progress;
    return xf_fade_via(from_color(uv), xf_black(), xf_black(), to_color(uv), pp);
}

fn xfade_fadewhite(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let pp = 1.0 - progress;
    return xf_fade_via(from_color(uv), xf_white(), xf_white(), to_color(uv), pp);
}

fn xfade_radial(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let c = floor(s * 0.5);
    let dx = px.x - c.x;
    let dy = px.y - c.y;
    // atan2(0, 0) is 0 in C but undefined in WGSL: the centre pixel gets C's value.
    let angle = select(atan2(dx, dy), 0.0, dx == 0.0 && dy == 0.0);
    let sm = angle - (pp - 0.5) * 7.8539815;
    return xf_smooth(uv, sm);
}

fn xfade_smoothleft(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    return xf_smooth(uv, 1.0 + px.x / s.x - pp * 2.0);
}

fn xfade_smoothright(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    return xf_smooth(uv, 1.0 + (s.x - 1.0 - px.x) / s.x - pp * 2.0);
}

fn xfade_smoothup(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    return xf_smooth(uv, 1.0 + px.y / s.y - pp * 2.0);
}

fn xfade_smoothdown(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    return xf_smooth(uv, 1.0 + (s.y - 1.0 - px.y) / s.y - pp * 2.0);
}

fn xfade_circleopen(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let c = floor(s * 0.5);
    let z = sqrt(c.x * c.x + c.y * c.y);
    let q = (pp - 0.5) * 3.0;
    let dx = px.x - c.x;
    let dy = px.y - c.y;
    let sm = sqrt(dx * dx + dy * dy) / z + q;
    return xf_mix(from_color(uv), to_color(uv), xf_smoothstep(0.0, 1.0, sm));
}

fn xfade_circleclose(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let c = floor(s * 0.5);
    let z = sqrt(c.x * c.x + c.y * c.y);
    let q = (progress - 0.5) * 3.0;
    let dx = px.x - c.x;
    let dy = px.y - c.y;
    return xf_smooth(uv, sqrt(dx * dx + dy * dy) / z + q);
}

fn xfade_vertopen(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let w2 = s.x * 0.5;
    return xf_smooth(uv, 2.0 - abs((px.x - w2) / w2) - pp * 2.0);
}

fn xfade_vertclose(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let w2 = s.x * 0.5;
    return xf_smooth(uv, 1.0 + abs((px.x - w2) / w2) - pp * 2.0);
}

fn xfade_horzopen(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let h2 = s.y * 0.5;
    return xf_smooth(uv, 2.0 - abs((px.y - h2) / h2) - pp * 2.0);
}

fn xfade_horzclose(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let h2 = s.y * 0.5;
    return xf_smooth(uv, 1.0 + abs((px.y - h2) / h2) - pp * 2.0);
}

fn xfade_dissolve(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let sm = xf_frand(u32(px.x), u32(px.y)) * 2.0 + pp * 2.0 - 1.5;
    return select(to_color(uv), from_color(uv), sm >= 0.5);
}

fn xfade_pixelize(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let d = min(pp, progress);
    let dist = ceil(d * 50.0) / 50.0;
    let sq = 2.0 * dist * min(s.x, s.y) / 20.0;
    var q = px;
    if (dist > 0.0) {
        q = vec2<f32>(
            floor(min((floor(px.x / sq) + 0.5) * sq, s.x - 1.0)),
            floor(min((floor(px.y / sq) + 0.5) * sq, s.y - 1.0)),
        );
    }
    return xf_mix(xf_from_px(q), xf_to_px(q), pp);
}

fn xfade_diagtl(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    return xf_smooth(uv, 1.0 + px.x / s.x * px.y / s.y - pp * 2.0);
}

fn xfade_diagtr(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    return xf_smooth(uv, 1.0 + (s.x - 1.0 - px.x) / s.x * px.y / s.y - pp * 2.0);
}

fn xfade_diagbl(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    return xf_smooth(uv, 1.0 + px.x / s.x * (s.y - 1.0 - px.y) / s.y - pp * 2.0);
}

fn xfade_diagbr(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    return xf_smooth(uv, 1.0 + (s.x - 1.0 - px.x) / s.x * (s.y - 1.0 - px.y) / s.y - pp * 2.0);
}

// hlslice / hrslice / vuslice / vdslice: f = position in 0..1 along the slicing axis, t = the
// value whose fract() makes the ten slices (10 * x / W for hlslice, 10 * f for hrslice).
fn xf_slice(uv: vec2<f32>, progress: f32, f: f32, t: f32) -> vec4<f32> {
    let pp = 1.0 - progress;
    let sm = xf_smoothstep(-0.5, 0.0, f - pp * 1.5);
    return select(to_color(uv), from_color(uv), sm <= xf_fract(t));
}

fn xfade_hlslice(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    return xf_slice(uv, progress, px.x / s.x, 10.0 * px.x / s.x);
}

fn xfade_hrslice(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let f = (s.x - 1.0 - px.x) / s.x;
    return xf_slice(uv, progress, f, 10.0 * f);
}

fn xfade_vuslice(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    return xf_slice(uv, progress, px.y / s.y, 10.0 * px.y / s.y);
}

fn xfade_vdslice(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let f = (s.y - 1.0 - px.y) / s.y;
    return xf_slice(uv, progress, f, 10.0 * f);
}

fn xfade_hblur(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let prog = select(progress * 2.0, pp * 2.0, pp <= 0.5);
    let size = floor(1.0 + floor(s.x * 0.5) * prog);
    // Box of `size` pixels starting at x, cut at the right edge (xfade's running sum).
    let n = min(size, s.x - px.x);
    var sa = vec4<f32>(0.0);
    var sb = vec4<f32>(0.0);
    for (var i = 0.0; i < n; i = i + 1.0) {
        let q = vec2<f32>(px.x + i, px.y);
        sa = sa + xf_from_px(q);
        sb = sb + xf_to_px(q);
    }
    return xf_mix(sa / n, sb / n, pp);
}

fn xfade_fadegrays(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let pp = 1.0 - progress;
    let a = from_color(uv);
    let b = to_color(uv);
    let ya = (a.x + a.y + a.z) / 3.0;
    let yb = (b.x + b.y + b.z) / 3.0;
    return xf_fade_via(a, vec4<f32>(ya, ya, ya, a.w), vec4<f32>(yb, yb, yb, b.w), b, pp);
}

fn xfade_wipetl(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let zw = floor(s.x * pp);
    let zh = floor(s.y * pp);
    return select(to_color(uv), from_color(uv), px.y <= zh && px.x <= zw);
}

fn xfade_wipetr(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let zw = floor(s.x * progress);
    let zh = floor(s.y * pp);
    return select(to_color(uv), from_color(uv), px.y <= zh && px.x > zw);
}

fn xfade_wipebl(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let zw = floor(s.x * pp);
    let zh = floor(s.y * progress);
    return select(to_color(uv), from_color(uv), px.y > zh && px.x <= zw);
}

fn xfade_wipebr(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let zh = floor(s.y * progress);
    let zw = floor(s.x * progress);
    return select(to_color(uv), from_color(uv), px.y > zh && px.x > zw);
}

fn xfade_squeezeh(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    // xfade divides by zero at the end (pp = 0); that frame is all TO here.
    if (pp <= 0.0) {
        return to_color(uv);
    }
    let z = 0.5 + (px.y / s.y - 0.5) / pp;
    if (z < 0.0 || z > 1.0) {
        return to_color(uv);
    }
    return xf_from_px(vec2<f32>(px.x, round(z * (s.y - 1.0))));
}

fn xfade_squeezev(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    if (pp <= 0.0) {
        return to_color(uv);
    }
    let z = 0.5 + (px.x / s.x - 0.5) / pp;
    if (z < 0.0 || z > 1.0) {
        return to_color(uv);
    }
    return xf_from_px(vec2<f32>(round(z * (s.x - 1.0)), px.y));
}

fn xfade_zoomin(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let zf = xf_smoothstep(0.5, 1.0, pp);
    let u = 0.5 + (px.x / s.x - 0.5) * zf;
    let v = 0.5 + (px.y / s.y - 0.5) * zf;
    let zv = xf_from_px(vec2<f32>(ceil(u * (s.x - 1.0)), ceil(v * (s.y - 1.0))));
    return xf_mix(zv, to_color(uv), xf_smoothstep(0.0, 0.5, pp));
}

fn xfade_fadefast(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    return xf_fade_pow(uv, progress, false);
}

fn xfade_fadeslow(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    return xf_fade_pow(uv, progress, true);
}

fn xfade_hlwind(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    return xf_wind(uv, progress, 1.0 - px.x / s.x, xf_frand(0u, u32(px.y)));
}

fn xfade_hrwind(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    return xf_wind(uv, progress, px.x / s.x, xf_frand(0u, u32(px.y)));
}

fn xfade_vuwind(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    return xf_wind(uv, progress, 1.0 - px.y / s.y, xf_frand(u32(px.x), 0u));
}

fn xfade_vdwind(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    return xf_wind(uv, progress, px.y / s.y, xf_frand(u32(px.x), 0u));
}

fn xfade_coverleft(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let zx = px.x - floor(pp * s.x);
    if (zx >= 0.0) {
        return xf_to_px(vec2<f32>(zx, px.y));
    }
    return from_color(uv);
}

fn xfade_coverright(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let zx = px.x + floor(pp * s.x);
    if (zx < s.x) {
        return xf_to_px(vec2<f32>(zx, px.y));
    }
    return from_color(uv);
}

fn xfade_coverup(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let zy = px.y - floor(pp * s.y);
    if (zy >= 0.0) {
        return xf_to_px(vec2<f32>(px.x, zy));
    }
    return from_color(uv);
}

fn xfade_coverdown(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let zy = px.y + floor(pp * s.y);
    if (zy < s.y) {
        return xf_to_px(vec2<f32>(px.x, zy));
    }
    return from_color(uv);
}

fn xfade_revealleft(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let zx = px.x - floor(pp * s.x);
    if (zx >= 0.0) {
        return to_color(uv);
    }
    return xf_from_px(vec2<f32>(zx + s.x, px.y));
}

fn xfade_revealright(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let zx = px.x + floor(pp * s.x);
    if (zx < s.x) {
        return to_color(uv);
    }
    return xf_from_px(vec2<f32>(zx - s.x, px.y));
}

fn xfade_revealup(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let zy = px.y - floor(pp * s.y);
    if (zy >= 0.0) {
        return to_color(uv);
    }
    return xf_from_px(vec2<f32>(px.x, zy + s.y));
}

fn xfade_revealdown(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let s = output_size();
    let px = xf_pixel(uv);
    let pp = 1.0 - progress;
    let zy = px.y + floor(pp * s.y);
    if (zy < s.y) {
        return to_color(uv);
    }
    return xf_from_px(vec2<f32>(px.x, zy - s.y));
}
