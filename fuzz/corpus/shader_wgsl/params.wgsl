struct Params {
    amount: f32, // = 0.5
    steps: i32, // = 4
    direction: vec2<f32>, // = 1.0, 0.0
}
var<private> lut: array<f32, 16>;
fn transition(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {
    var acc = vec4<f32>(0.0);
    for (var i = 0; i < params.steps; i++) {
        lut[i & 15] = f32(i) * params.amount;
        acc += from_color(uv + params.direction * lut[i & 15] / output_size().x);
    }
    return mix(acc / f32(max(params.steps, 1)), to_color(uv), progress);
}
