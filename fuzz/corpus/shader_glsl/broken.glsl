// A gl-transitions file with a type error on line 5.
uniform float amount; // = 0.5

vec4 transition(vec2 uv) {
  vec3 c = getFromColor(uv);
  return vec4(c, 1.0);
}
