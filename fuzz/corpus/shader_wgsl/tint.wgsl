// Test transition in parallelcompositor's WGSL form: a crossfade whose TO side is tinted and
// whose FROM side is read `offset` to the left.
struct Params {
    offset: f32, // = 0.125
    tint: vec4<f32>, // = vec4(1.0, 1.0, 1.0, 1.0)
}

fn transition(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    let a = from_color(uv + vec2<f32>(params.offset, 0.0));
    let b = to_color(uv) * params.tint;
    return mix(a, b, progress);
}
