// Test transition in the gl-transitions format: a luma wipe driven by an image.
uniform sampler2D luma;
uniform float smoothness; // = 0.0

vec4 transition(vec2 uv) {
  float l = texture2D(luma, uv).r;
  float m = smoothness > 0.0 ? smoothstep(l - smoothness, l, progress) : step(l, progress);
  return mix(getFromColor(uv), getToColor(uv), m);
}
