// Composites layers into a premultiplied RGBA (float) target. One draw per layer covers the
// layer's rectangle grown by one pixel; edge pixels are weighted by their area inside the
// rectangle. The source is sampled bilinearly by hand (textureLoad) so that every backend
// computes the same weights at full float precision.

struct Layer {
    // x0, y0, x1, y1 of the destination rectangle, output pixels.
    rect: vec4<f32>,
    // Source pixel = origin + (output pixel − rect.xy) · scale.
    src_origin: vec2<f32>,
    src_scale: vec2<f32>,
    // Chroma texel position = luma position · 0.5 + chroma_bias.
    chroma_bias: vec2<f32>,
    target_size: vec2<f32>,
    // 0: RGBA-like with alpha, 1: RGB without alpha, 2: I420, 3: NV12.
    kind: u32,
    alpha: f32,
    _pad0: u32,
    _pad1: u32,
    // Rows of the YUV → RGB affine transform.
    m0: vec4<f32>,
    m1: vec4<f32>,
    m2: vec4<f32>,
};

@group(0) @binding(0) var<uniform> layer: Layer;
@group(0) @binding(1) var plane0: texture_2d<f32>;
@group(0) @binding(2) var plane1: texture_2d<f32>;
@group(0) @binding(3) var plane2: texture_2d<f32>;

@vertex
fn vs_layer(@builtin(vertex_index) index: u32) -> @builtin(position) vec4<f32> {
    let lo = clamp(floor(layer.rect.xy) - 1.0, vec2<f32>(0.0), layer.target_size);
    let hi = clamp(ceil(layer.rect.zw) + 1.0, vec2<f32>(0.0), layer.target_size);
    // Two triangles: (lo, lo) (hi, lo) (lo, hi) / (lo, hi) (hi, lo) (hi, hi).
    var corners = array<vec2<f32>, 6>(
        vec2<f32>(0.0, 0.0), vec2<f32>(1.0, 0.0), vec2<f32>(0.0, 1.0),
        vec2<f32>(0.0, 1.0), vec2<f32>(1.0, 0.0), vec2<f32>(1.0, 1.0),
    );
    let p = mix(lo, hi, corners[index]);
    let ndc = vec2<f32>(p.x / layer.target_size.x * 2.0 - 1.0, 1.0 - p.y / layer.target_size.y * 2.0);
    return vec4<f32>(ndc, 0.0, 1.0);
}

fn coverage(p: vec2<f32>) -> f32 {
    let lo = max(p - 0.5, layer.rect.xy);
    let hi = min(p + 0.5, layer.rect.zw);
    let c = clamp(hi - lo, vec2<f32>(0.0), vec2<f32>(1.0));
    return c.x * c.y;
}

// Bilinear sample at `pos` (texel units, centres at i + 0.5), edges clamped.
fn bilinear(t: texture_2d<f32>, pos: vec2<f32>) -> vec4<f32> {
    let size = vec2<i32>(textureDimensions(t));
    let f = pos - 0.5;
    let base = floor(f);
    let w = f - base;
    let i0 = vec2<i32>(base);
    let a = clamp(i0, vec2<i32>(0), size - 1);
    let t00 = textureLoad(t, vec2<i32>(a.x, a.y), 0);
    // On texel centres (unscaled input at a whole-pixel offset) the other three weights are 0:
    // the same result from one load instead of four.
    if all(w == vec2<f32>(0.0)) {
        return t00;
    }
    let b = clamp(i0 + 1, vec2<i32>(0), size - 1);
    let t10 = textureLoad(t, vec2<i32>(b.x, a.y), 0);
    let t01 = textureLoad(t, vec2<i32>(a.x, b.y), 0);
    let t11 = textureLoad(t, vec2<i32>(b.x, b.y), 0);
    return mix(mix(t00, t10, w.x), mix(t01, t11, w.x), w.y);
}

fn yuv_to_rgb(yuv: vec3<f32>) -> vec3<f32> {
    let v = vec4<f32>(yuv, 1.0);
    return clamp(vec3<f32>(dot(layer.m0, v), dot(layer.m1, v), dot(layer.m2, v)), vec3<f32>(0.0), vec3<f32>(1.0));
}

// Straight (not premultiplied) RGBA of the source at output pixel centre `p`.
fn sample_source(p: vec2<f32>) -> vec4<f32> {
    let s = layer.src_origin + (p - layer.rect.xy) * layer.src_scale;
    switch layer.kind {
        case 0u: {
            return bilinear(plane0, s);
        }
        case 1u: {
            return vec4<f32>(bilinear(plane0, s).rgb, 1.0);
        }
        case 2u: {
            let c = s * 0.5 + layer.chroma_bias;
            let yuv = vec3<f32>(bilinear(plane0, s).r, bilinear(plane1, c).r, bilinear(plane2, c).r);
            return vec4<f32>(yuv_to_rgb(yuv), 1.0);
        }
        default: {
            let c = s * 0.5 + layer.chroma_bias;
            let uv = bilinear(plane1, c).rg;
            return vec4<f32>(yuv_to_rgb(vec3<f32>(bilinear(plane0, s).r, uv)), 1.0);
        }
    }
}

// Premultiplied source times coverage; the blend state applies the operator.
@fragment
fn fs_layer(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
    let c = coverage(pos.xy);
    if c <= 0.0 {
        discard;
    }
    let src = sample_source(pos.xy);
    let a = src.a * layer.alpha;
    return vec4<f32>(src.rgb * a, a) * c;
}

// First half of the "source" operator: removes the covered part of the destination
// (blend: dst · (1 − src.a)); fs_layer with additive blending then adds the source.
@fragment
fn fs_erase(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
    let c = coverage(pos.xy);
    if c <= 0.0 {
        discard;
    }
    return vec4<f32>(0.0, 0.0, 0.0, c);
}

struct Backdrop {
    // Premultiplied colour, or the two checker greys in .x and .y when checker != 0.
    colour: vec4<f32>,
    checker: u32,
    square: f32,
    _pad0: u32,
    _pad1: u32,
};

@group(0) @binding(0) var<uniform> backdrop: Backdrop;

@vertex
fn vs_fullscreen(@builtin(vertex_index) index: u32) -> @builtin(position) vec4<f32> {
    // One triangle covering the target.
    let x = f32((index << 1u) & 2u) * 2.0 - 1.0;
    let y = f32(index & 2u) * 2.0 - 1.0;
    return vec4<f32>(x, y, 0.0, 1.0);
}

@fragment
fn fs_background(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
    if backdrop.checker == 0u {
        return backdrop.colour;
    }
    let cell = vec2<u32>(floor(pos.xy / backdrop.square));
    let g = select(backdrop.colour.x, backdrop.colour.y, ((cell.x + cell.y) & 1u) == 1u);
    return vec4<f32>(g, g, g, 1.0);
}
