// One direction of a separable gaussian blur over a premultiplied float texture, edges clamped.
// The weights exp(−k² / 2σ²) are normalised over the taps actually used (|k| ≤ radius).

struct Blur {
    direction: vec2<i32>,
    sigma: f32,
    radius: i32,
};

@group(0) @binding(0) var<storage, read> blur: Blur;
@group(0) @binding(1) var source: texture_2d<f32>;

@fragment
fn fs_blur(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
    let size = vec2<i32>(textureDimensions(source));
    let p = vec2<i32>(floor(pos.xy));
    let k2 = -0.5 / (blur.sigma * blur.sigma);
    var acc = vec4<f32>(0.0);
    var total = 0.0;
    for (var k = -blur.radius; k <= blur.radius; k++) {
        let w = exp(f32(k * k) * k2);
        acc += w * textureLoad(source, clamp(p + k * blur.direction, vec2<i32>(0), size - 1), 0);
        total += w;
    }
    return acc / total;
}
