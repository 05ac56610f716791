// Draws one layer as a card into the premultiplied float composite: the source sampled through
// its (zoomed) window, clipped to a rounded rectangle whose edge pixels are weighted by their
// area inside it, an optional border, and a soft shadow cast by the same shape. Motion blur
// averages the card over several sample geometries. Also holds the two passes that prepare a
// layer's source for blurring (fs_decode, fs_downsample).

// One motion sample, every shape already derived by the frame plan (src/compose/plan.rs).
struct Sample {
    // x0, y0, x1, y1 of the card, output pixels.
    rect: vec4<f32>,
    // Source texel position = src.xy + (output position − rect.xy) · src.zw.
    src: vec4<f32>,
    // The border's inner edge, x0, y0, x1, y1 (empty when the border fills the card).
    inner: vec4<f32>,
    // The shadow's rectangle, x0, y0, x1, y1.
    shadow_rect: vec4<f32>,
    // Corner radii (clamped) of the card, the inner edge and the shadow; 0.
    radii: vec4<f32>,
    // 1 when there is a border; 1 when the shadow shows; 0, 0.
    flags: vec4<u32>,
};

struct Layer {
    // The pixels drawn, x0, y0, x1, y1: every sample's card and shadow, with a pixel of margin,
    // clamped to the target.
    bounds: vec4<f32>,
    target_size: vec2<f32>,
    // Chroma texel position = luma position · 0.5 + chroma_bias.
    chroma_bias: vec2<f32>,
    // 0: RGBA with alpha, 1: RGB without alpha, 2: I420, 3: NV12, 4: premultiplied RGBA.
    kind: u32,
    alpha: f32,
    n_samples: u32,
    // 0: circular corners, 1: squircle.
    shape: u32,
    // Rows of the YUV → RGB affine transform.
    m0: vec4<f32>,
    m1: vec4<f32>,
    m2: vec4<f32>,
    // 0, 0, shadow σ, 0.
    card: vec4<f32>,
    // Premultiplied colours.
    border_color: vec4<f32>,
    shadow_color: vec4<f32>,
    // fs_downsample: reduction factor, taps per side, output pixels per tap (footprint scale).
    aux: vec4<f32>,
    samples: array<Sample, 16>,
};

@group(0) @binding(0) var<storage, read> layer: Layer;
@group(0) @binding(1) var plane0: texture_2d<f32>;
@group(0) @binding(2) var plane1: texture_2d<f32>;
@group(0) @binding(3) var plane2: texture_2d<f32>;

@vertex
fn vs_layer(@builtin(vertex_index) index: u32) -> @builtin(position) vec4<f32> {
    let lo = layer.bounds.xy;
    let hi = layer.bounds.zw;
    // Two triangles: (lo, lo) (hi, lo) (lo, hi) / (lo, hi) (hi, lo) (hi, hi).
    var corners = array<vec2<f32>, 6>(
        vec2<f32>(0.0, 0.0), vec2<f32>(1.0, 0.0), vec2<f32>(0.0, 1.0),
        vec2<f32>(0.0, 1.0), vec2<f32>(1.0, 0.0), vec2<f32>(1.0, 1.0),
    );
    let p = mix(lo, hi, corners[index]);
    let ndc = vec2<f32>(p.x / layer.target_size.x * 2.0 - 1.0, 1.0 - p.y / layer.target_size.y * 2.0);
    return vec4<f32>(ndc, 0.0, 1.0);
}

fn yuv_to_rgb(yuv: vec3<f32>) -> vec3<f32> {
    let v = vec4<f32>(yuv, 1.0);
    return clamp(vec3<f32>(dot(layer.m0, v), dot(layer.m1, v), dot(layer.m2, v)), vec3<f32>(0.0), vec3<f32>(1.0));
}

// Premultiplied RGBA of the source at output position `p` through sample `s`'s mapping, read
// through the footprint of an output pixel (times aux.z: fs_downsample's points each stand for
// several output pixels).
fn content(p: vec2<f32>, s: Sample) -> vec4<f32> {
    let t = s.src.xy + (p - s.rect.xy) * s.src.zw;
    let fw = abs(s.src.zw) * max(layer.aux.z, 1.0);
    switch layer.kind {
        case 0u: {
            let c = filtered(plane0, t, fw);
            return vec4<f32>(c.rgb * c.a, c.a);
        }
        case 1u: {
            return vec4<f32>(filtered(plane0, t, fw).rgb, 1.0);
        }
        case 2u: {
            let c = t * 0.5 + layer.chroma_bias;
            let cw = fw * 0.5;
            let yuv = vec3<f32>(filtered(plane0, t, fw).r, filtered(plane1, c, cw).r, filtered(plane2, c, cw).r);
            return vec4<f32>(yuv_to_rgb(yuv), 1.0);
        }
        case 3u: {
            let c = t * 0.5 + layer.chroma_bias;
            let uv = filtered(plane1, c, fw * 0.5).rg;
            return vec4<f32>(yuv_to_rgb(vec3<f32>(filtered(plane0, t, fw).r, uv)), 1.0);
        }
        default: {
            return filtered(plane0, t, fw);
        }
    }
}

fn box_coverage(p: vec2<f32>, rect: vec4<f32>) -> f32 {
    let lo = max(p - 0.5, rect.xy);
    let hi = min(p + 0.5, rect.zw);
    let c = clamp(hi - lo, vec2<f32>(0.0), vec2<f32>(1.0));
    return c.x * c.y;
}

// Area of a pixel inside a straight edge passing at signed distance `d` (positive: the pixel
// centre is outside) with unit normal `n`: exact for a straight edge at any angle.
fn edge_coverage(d: f32, n: vec2<f32>) -> f32 {
    let a = max(abs(n.x), abs(n.y));
    let b = min(abs(n.x), abs(n.y));
    if b < 1e-4 {
        return clamp(0.5 - d, 0.0, 1.0);
    }
    // Distance from the pixel's outermost corner to the edge, inwards.
    let u = 0.5 * (a + b) - d;
    if u <= 0.0 {
        return 0.0;
    }
    if u >= a + b {
        return 1.0;
    }
    if u < b {
        return u * u / (2.0 * a * b);
    }
    if u < a {
        return (u - 0.5 * b) / a;
    }
    let v = a + b - u;
    return 1.0 - v * v / (2.0 * a * b);
}

// Area of the square of side `size` centred at `c` inside a corner of radius r, `c` given
// relative to the corner's centre (both components pointing outwards). The edge is taken as
// straight across the square: its tangent at the nearest point.
fn corner_coverage(q: vec2<f32>, r: f32, size: f32) -> f32 {
    if q.x <= 0.0 || q.y <= 0.0 {
        // Beside the corner: the straight edges (the box coverage) decide.
        return 1.0;
    }
    var d: f32;
    var n: vec2<f32>;
    if layer.shape == 0u {
        let len = length(q);
        d = len - r;
        n = q / len;
    } else {
        // |q|₄ − r, divided by the gradient's length for a distance.
        let q2 = q * q;
        let norm = sqrt(sqrt(dot(q2, q2)));
        let g = q2 * q / (norm * norm * norm);
        let gl = length(g);
        d = (norm - r) / gl;
        n = g / gl;
    }
    return edge_coverage(d / size, n);
}

// Area of pixel `p` inside the rounded rectangle `rect` with corner radius `radius`. Pixels in
// a corner are split in four quarters, each with its own tangent, which keeps small radii
// (strongly curved edges) within a code or two of the exact area.
fn shape_coverage(p: vec2<f32>, rect: vec4<f32>, radius: f32) -> f32 {
    let box = box_coverage(p, rect);
    let half = 0.5 * (rect.zw - rect.xy);
    let r = min(radius, min(half.x, half.y));
    if r <= 0.0 || box <= 0.0 {
        return box;
    }
    let q = abs(p - 0.5 * (rect.xy + rect.zw)) - (half - r);
    if q.x <= -0.5 || q.y <= -0.5 {
        return box;
    }
    var corner = 0.0;
    for (var j = 0; j < 2; j++) {
        for (var i = 0; i < 2; i++) {
            let o = vec2<f32>(f32(i), f32(j)) * 0.5 - 0.25;
            corner += corner_coverage(q + o, r, 0.5);
        }
    }
    return min(box, 0.25 * corner);
}

fn erf(x: f32) -> f32 {
    // Abramowitz & Stegun 7.1.26, |error| < 1.5e-7.
    let a = abs(x);
    let t = 1.0 / (1.0 + 0.3275911 * a);
    let poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
    return sign(x) * (1.0 - poly * exp(-a * a));
}

// Gaussian mass below z standard deviations.
fn phi(z: f32) -> f32 {
    return 0.5 * (1.0 + erf(z * 0.70710678));
}

// How far a corner of radius r pulls the edge in at height dy into it: the mirror of
// effects::CornerShape::inset (src/effects.rs).
fn corner_inset(r: f32, dy: f32) -> f32 {
    let t = clamp(dy, 0.0, r);
    if layer.shape == 0u {
        return r - sqrt(max(r * r - t * t, 0.0));
    }
    let r2 = r * r;
    let t2 = t * t;
    return r - sqrt(sqrt(max(r2 * r2 - t2 * t2, 0.0)));
}

const CORNER_SLABS: u32 = 16u;

// Mass of the gaussian around p that falls inside rows y0..y1 of a corner band of `rect`;
// `top` says which band. Rows are integrated in slabs, each exact along x.
fn corner_band(p: vec2<f32>, rect: vec4<f32>, r: f32, sigma: f32, y0: f32, y1: f32, top: bool) -> f32 {
    if y1 <= y0 {
        return 0.0;
    }
    var total = 0.0;
    let step = (y1 - y0) / f32(CORNER_SLABS);
    for (var k = 0u; k < CORNER_SLABS; k++) {
        let a = y0 + step * f32(k);
        let b = a + step;
        let m = 0.5 * (a + b);
        let dy = select(m - (rect.w - r), rect.y + r - m, top);
        let inset = corner_inset(r, dy);
        let wy = phi((b - p.y) / sigma) - phi((a - p.y) / sigma);
        let wx = phi((rect.z - inset - p.x) / sigma) - phi((rect.x + inset - p.x) / sigma);
        total += wy * wx;
    }
    return total;
}

// The rounded rectangle convolved with a gaussian of `sigma`, at pixel centre p.
fn blurred_shape(p: vec2<f32>, rect: vec4<f32>, r: f32, sigma: f32) -> f32 {
    if sigma < 0.05 {
        return shape_coverage(p, rect, r);
    }
    let lo = max(rect.y, p.y - 5.0 * sigma);
    let hi = min(rect.w, p.y + 5.0 * sigma);
    if lo >= hi {
        return 0.0;
    }
    var total = 0.0;
    // The straight middle band: exact.
    let m0 = max(lo, rect.y + r);
    let m1 = min(hi, rect.w - r);
    if m1 > m0 {
        let wy = phi((m1 - p.y) / sigma) - phi((m0 - p.y) / sigma);
        total += wy * (phi((rect.z - p.x) / sigma) - phi((rect.x - p.x) / sigma));
    }
    if r > 0.0 {
        total += corner_band(p, rect, r, sigma, lo, min(hi, rect.y + r), true);
        total += corner_band(p, rect, r, sigma, max(lo, rect.w - r), hi, false);
    }
    return total;
}

// The card through sample `s`: content (with border) over shadow, premultiplied, before the
// layer's alpha. The shadow is only evaluated where the card does not hide it.
fn card(p: vec2<f32>, s: Sample) -> vec4<f32> {
    var c = vec4<f32>(0.0);
    let cov = shape_coverage(p, s.rect, s.radii.x);
    if cov > 0.0 {
        c = content(p, s);
        if s.flags.x != 0u {
            var inside = 0.0;
            if s.inner.z > s.inner.x && s.inner.w > s.inner.y {
                inside = shape_coverage(p, s.inner, s.radii.y);
            }
            c = mix(layer.border_color, c, inside);
        }
        c *= cov;
    }
    if s.flags.y != 0u && c.a < 1.0 {
        let shadow = layer.shadow_color * blurred_shape(p, s.shadow_rect, s.radii.z, layer.card.z);
        c += shadow * (1.0 - c.a);
    }
    return c;
}

// The layer, premultiplied and times its alpha; the blend state applies the operator.
@fragment
fn fs_layer(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
    var acc = vec4<f32>(0.0);
    for (var i = 0u; i < layer.n_samples; i++) {
        acc += card(pos.xy, layer.samples[i]);
    }
    if all(acc == vec4<f32>(0.0)) {
        discard;
    }
    return acc * (layer.alpha / f32(layer.n_samples));
}

// First half of the "source" operator: removes the part of the destination the card covers
// (blend: dst · (1 − src.a)); fs_layer with additive blending then adds the layer.
@fragment
fn fs_erase(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
    var c = 0.0;
    for (var i = 0u; i < layer.n_samples; i++) {
        c += shape_coverage(pos.xy, layer.samples[i].rect, layer.samples[i].radii.x);
    }
    if c <= 0.0 {
        discard;
    }
    return vec4<f32>(0.0, 0.0, 0.0, c / f32(layer.n_samples));
}

// The source at its own size as premultiplied RGBA (sample 0 maps texels one to one): what a
// content blur starts from.
@fragment
fn fs_decode(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
    return content(pos.xy, layer.samples[0]);
}

// One texel of a reduced copy: the mean of taps × taps samples spread over the
// factor × factor output pixels it stands for (sample 0 maps output pixels to the source).
@fragment
fn fs_downsample(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
    let factor = layer.aux.x;
    let taps = u32(layer.aux.y);
    let origin = floor(pos.xy) * factor;
    var acc = vec4<f32>(0.0);
    for (var j = 0u; j < taps; j++) {
        for (var i = 0u; i < taps; i++) {
            let at = origin + (vec2<f32>(f32(i), f32(j)) + 0.5) * (factor / f32(taps));
            acc += content(at, layer.samples[0]);
        }
    }
    return acc / f32(taps * taps);
}
