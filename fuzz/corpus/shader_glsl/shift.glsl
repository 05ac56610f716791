// Test transition in the gl-transitions format: FROM slides along `direction` while TO is
// revealed behind a vertical edge. Loaded unmodified by parallelcompositor.
uniform float amplitude; // = 0.25
uniform vec2 direction; // = vec2(1.0, 0.0)
uniform bool darken; // = false

vec4 transition(vec2 uv) {
  vec2 p = uv - progress * amplitude * direction;
  vec4 a = getFromColor(p);
  vec4 b = getToColor(uv);
  if (darken) {
    b = vec4(b.rgb * 0.5, b.a);
  }
  return uv.x < progress ? b : a;
}
