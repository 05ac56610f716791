// Converts the premultiplied float composite into the output format: straight RGBA (the target's
// format swaps to BGRA), or Y and subsampled chroma planes with the output colorimetry.

struct Convert {
    // Rows of the RGB → YUV affine transform.
    m0: vec4<f32>,
    m1: vec4<f32>,
    m2: vec4<f32>,
    // 1 when chroma sits on even luma columns / rows (3 taps 1/4 1/2 1/4), 0 when between
    // them (2 taps 1/2 1/2).
    cosited_h: u32,
    cosited_v: u32,
    _pad0: u32,
    _pad1: u32,
};

@group(0) @binding(0) var<storage, read> conv: Convert;
@group(0) @binding(1) var composite: texture_2d<f32>;

@vertex
fn vs_fullscreen(@builtin(vertex_index) index: u32) -> @builtin(position) vec4<f32> {
    let x = f32((index << 1u) & 2u) * 2.0 - 1.0;
    let y = f32(index & 2u) * 2.0 - 1.0;
    return vec4<f32>(x, y, 0.0, 1.0);
}

fn straight(p: vec2<i32>) -> vec4<f32> {
    let size = vec2<i32>(textureDimensions(composite));
    let c = textureLoad(composite, clamp(p, vec2<i32>(0), size - 1), 0);
    let a = clamp(c.a, 0.0, 1.0);
    if a <= 0.0 {
        return vec4<f32>(0.0);
    }
    return vec4<f32>(clamp(c.rgb / c.a, vec3<f32>(0.0), vec3<f32>(1.0)), a);
}

fn to_yuv(rgb: vec3<f32>) -> vec3<f32> {
    let v = vec4<f32>(rgb, 1.0);
    return vec3<f32>(dot(conv.m0, v), dot(conv.m1, v), dot(conv.m2, v));
}

@fragment
fn fs_rgba(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
    return straight(vec2<i32>(pos.xy));
}

@fragment
fn fs_y(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
    return vec4<f32>(to_yuv(straight(vec2<i32>(pos.xy)).rgb).x, 0.0, 0.0, 1.0);
}

// The RGB the chroma sample at chroma pixel `j` stands for: a small box/tent filter over the
// luma-resolution pixels it covers, following the siting.
fn chroma_rgb(j: vec2<i32>) -> vec3<f32> {
    var xs = array<i32, 3>(2 * j.x, 2 * j.x + 1, 2 * j.x);
    var wx = array<f32, 3>(0.5, 0.5, 0.0);
    if conv.cosited_h != 0u {
        xs = array<i32, 3>(2 * j.x - 1, 2 * j.x, 2 * j.x + 1);
        wx = array<f32, 3>(0.25, 0.5, 0.25);
    }
    var ys = array<i32, 3>(2 * j.y, 2 * j.y + 1, 2 * j.y);
    var wy = array<f32, 3>(0.5, 0.5, 0.0);
    if conv.cosited_v != 0u {
        ys = array<i32, 3>(2 * j.y - 1, 2 * j.y, 2 * j.y + 1);
        wy = array<f32, 3>(0.25, 0.5, 0.25);
    }
    var sum = vec3<f32>(0.0);
    for (var v = 0; v < 3; v++) {
        for (var u = 0; u < 3; u++) {
            sum += straight(vec2<i32>(xs[u], ys[v])).rgb * (wx[u] * wy[v]);
        }
    }
    return sum;
}

@fragment
fn fs_uv(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
    let yuv = to_yuv(chroma_rgb(vec2<i32>(pos.xy)));
    return vec4<f32>(yuv.y, yuv.z, 0.0, 1.0);
}

struct Planar {
    @location(0) u: vec4<f32>,
    @location(1) v: vec4<f32>,
};

@fragment
fn fs_u_v(@builtin(position) pos: vec4<f32>) -> Planar {
    let yuv = to_yuv(chroma_rgb(vec2<i32>(pos.xy)));
    return Planar(vec4<f32>(yuv.y, 0.0, 0.0, 1.0), vec4<f32>(yuv.z, 0.0, 0.0, 1.0));
}
