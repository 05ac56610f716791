// Fills the composite with the background: a colour, the checkerboard, a linear gradient, or a
// texture (an image, straight alpha; or a blurred reduced copy of a layer, premultiplied)
// stretched over the frame.

struct Backdrop {
    // Solid: the premultiplied colour. Checker: the two greys in .x, .y. Gradient: start colour.
    colour: vec4<f32>,
    // Gradient: end colour (premultiplied).
    colour2: vec4<f32>,
    // Gradient: direction .xy and length .z. Texture: texel = (position − .xy) · .z.
    geom: vec4<f32>,
    target_size: vec2<f32>,
    // 0 solid, 1 checker, 2 gradient, 3 straight texture, 4 premultiplied texture.
    kind: u32,
    square: f32,
};

@group(0) @binding(0) var<storage, read> backdrop: Backdrop;
@group(0) @binding(1) var picture: texture_2d<f32>;

@fragment
fn fs_background(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
    switch backdrop.kind {
        case 0u: {
            return backdrop.colour;
        }
        case 1u: {
            let cell = vec2<u32>(floor(pos.xy / backdrop.square));
            let g = select(backdrop.colour.x, backdrop.colour.y, ((cell.x + cell.y) & 1u) == 1u);
            return vec4<f32>(g, g, g, 1.0);
        }
        case 2u: {
            let t = dot(pos.xy - 0.5 * backdrop.target_size, backdrop.geom.xy) / backdrop.geom.z + 0.5;
            return mix(backdrop.colour, backdrop.colour2, clamp(t, 0.0, 1.0));
        }
        case 3u: {
            // An image larger than the frame is area-averaged over each pixel's footprint.
            let c = filtered(picture, (pos.xy - backdrop.geom.xy) * backdrop.geom.z, vec2<f32>(backdrop.geom.z));
            return vec4<f32>(c.rgb * c.a, c.a);
        }
        default: {
            return bilinear(picture, (pos.xy - backdrop.geom.xy) * backdrop.geom.z);
        }
    }
}
