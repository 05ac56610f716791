// Shared by the composite, background and blur passes (prepended to each module).

@vertex
fn vs_fullscreen(@builtin(vertex_index) index: u32) -> @builtin(position) vec4<f32> {
    // One triangle covering the target.
    let x = f32((index << 1u) & 2u) * 2.0 - 1.0;
    let y = f32(index & 2u) * 2.0 - 1.0;
    return vec4<f32>(x, y, 0.0, 1.0);
}

// Bilinear sample at `pos` (texel units, centres at i + 0.5), edges clamped. Done by hand with
// textureLoad so that every backend computes the same weights at full float precision.
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

// The source read through an output pixel's footprint (src/cpu/resample.rs): at most one texel
// wide and tall, the bilinear sample at `pos`; wider (minification), the area average over
// `width` texels centred at `pos`, texels taken as constant, edges clamped. Continuous in the
// footprint: at width 1 the area average is the bilinear sample.
fn filtered(t: texture_2d<f32>, pos: vec2<f32>, width: vec2<f32>) -> vec4<f32> {
    if all(width <= vec2<f32>(1.0)) {
        return bilinear(t, pos);
    }
    let size = vec2<i32>(textureDimensions(t));
    // At most 64 texels (MAX_FOOTPRINT); a centre past the edges by more reads the edge alone.
    let w = clamp(width, vec2<f32>(1.0), vec2<f32>(64.0));
    let p = clamp(pos, vec2<f32>(-65.0), vec2<f32>(size) + 65.0);
    let lo = p - 0.5 * w;
    let hi = p + 0.5 * w;
    let k0 = floor(lo);
    let n = vec2<i32>(ceil(hi) - k0);
    var acc = vec4<f32>(0.0);
    for (var j = 0; j < n.y; j++) {
        let ky = k0.y + f32(j);
        let wy = min(hi.y, ky + 1.0) - max(lo.y, ky);
        let y = clamp(i32(ky), 0, size.y - 1);
        var row = vec4<f32>(0.0);
        for (var i = 0; i < n.x; i++) {
            let kx = k0.x + f32(i);
            let wx = min(hi.x, kx + 1.0) - max(lo.x, kx);
            row += textureLoad(t, vec2<i32>(clamp(i32(kx), 0, size.x - 1), y), 0) * wx;
        }
        acc += row * wy;
    }
    return acc / (w.x * w.y);
}
