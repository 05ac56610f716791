//! User transition shaders: custom WGSL and gl-transitions GLSL, compiled with naga into one
//! fragment program with a fixed binding interface, their user uniforms reflected from the
//! compiled module and filled from defaults (`// = value` comments) and overrides.
//!
//! Binding interface (group 0), shared by every transition program:
//! 0 frame uniform `{size: vec2<f32>, progress: f32, ratio: f32}`;
//! 1, 2 the two cards (premultiplied RGBA, float textures, read with `textureLoad`);
//! 3 a linear clamp-to-edge sampler (user images); 4 the user uniform block, if any;
//! 5.. user images (GLSL `sampler2D` uniforms), in declaration order.
//!
//! Positions in errors are those of the user's file: 1-based line and column (characters).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::pixel_reads;
use crate::effects::RgbaImage;

/// The language of a transition shader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// WGSL implementing `fn transition(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32>`.
    Wgsl,
    /// A gl-transitions GLSL file implementing `vec4 transition(vec2 uv)`.
    Glsl,
}

/// A value given for a user uniform (or image) of a transition.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    /// A scalar (float, int or bool uniform).
    Number(f64),
    /// A vector's components.
    Numbers(Vec<f64>),
    /// A boolean.
    Bool(bool),
    /// Text: the path of an image for a `sampler2D` uniform.
    Text(String),
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Number(v) => write!(f, "{v}"),
            ParamValue::Numbers(v) => write!(f, "{v:?}"),
            ParamValue::Bool(v) => write!(f, "{v}"),
            ParamValue::Text(v) => write!(f, "\"{v}\""),
        }
    }
}

/// A shader that does not compile, or a uniform value that does not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShaderError {
    /// The file path, or a description of where an inline shader came from.
    pub origin: String,
    /// 1-based line in the user's source (0 when the error has no position).
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
    /// What is wrong, with the compiler's message.
    pub message: String,
}

impl ShaderError {
    /// A maker of errors at a line and column of `origin`.
    fn in_file(origin: &str) -> impl Fn(usize, usize, String) -> ShaderError + '_ {
        move |line, column, message| ShaderError {
            origin: origin.to_string(),
            line,
            column,
            message,
        }
    }
}

impl fmt::Display for ShaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.origin, self.line, self.column, self.message
            )
        } else {
            write!(f, "{}: {}", self.origin, self.message)
        }
    }
}

impl std::error::Error for ShaderError {}

/// The scalar type of a user uniform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarType {
    /// 32-bit float.
    Float,
    /// 32-bit signed integer.
    Int,
    /// 32-bit unsigned integer.
    Uint,
    /// A boolean, stored as a 32-bit integer.
    Bool,
}

/// One member of the user uniform block.
#[derive(Debug, Clone, PartialEq)]
pub struct UniformField {
    /// The name in the shader.
    pub name: String,
    /// Byte offset in the block.
    pub offset: u32,
    /// Component type.
    pub scalar: ScalarType,
    /// 1 for scalars, 2–4 for vectors.
    pub components: u32,
    /// The value used unless overridden.
    pub default: Vec<f64>,
}

/// A compiled, validated transition program and the values of its user uniforms.
#[derive(Debug)]
pub struct ShaderProgram {
    /// Unique per program: renderers key their pipelines on it.
    pub id: u64,
    /// Where the shader came from, for messages.
    pub origin: String,
    /// Source language.
    pub language: Language,
    /// The validated module; the fragment entry point is [`ShaderProgram::ENTRY`].
    pub module: naga::Module,
    /// The user uniform block's members (empty if it has none).
    pub fields: Vec<UniformField>,
    /// The user uniform block's bytes, defaults and overrides applied (empty if none).
    pub uniform_bytes: Vec<u8>,
    /// The images of `sampler2D` uniforms, in binding order from 5 on.
    pub images: Vec<Arc<RgbaImage>>,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The WGSL prelude: bindings, `from_color`, `to_color`, `output_size` and the entry point.
/// Appended after the user's source so that line numbers are the user's own.
const WGSL_WRAPPER: &str = r#"
struct PcFrame { size: vec2<f32>, progress: f32, ratio: f32 }
@group(0) @binding(0) var<uniform> pc_frame: PcFrame;
@group(0) @binding(1) var pc_from: texture_2d<f32>;
@group(0) @binding(2) var pc_to: texture_2d<f32>;
fn pc_bilinear(t: texture_2d<f32>, uv: vec2<f32>) -> vec4<f32> {
    let size = vec2<i32>(textureDimensions(t));
    let p = uv * vec2<f32>(size) - 0.5;
    let f = floor(p);
    let w = p - f;
    let i = vec2<i32>(f);
    let lo = clamp(i, vec2<i32>(0), size - 1);
    let hi = clamp(i + 1, vec2<i32>(0), size - 1);
    let a = textureLoad(t, vec2<i32>(lo.x, lo.y), 0);
    let b = textureLoad(t, vec2<i32>(hi.x, lo.y), 0);
    let c = textureLoad(t, vec2<i32>(lo.x, hi.y), 0);
    let d = textureLoad(t, vec2<i32>(hi.x, hi.y), 0);
    return mix(mix(a, b, w.x), mix(c, d, w.x), w.y);
}
fn from_color(uv: vec2<f32>) -> vec4<f32> { return pc_bilinear(pc_from, uv); }
fn to_color(uv: vec2<f32>) -> vec4<f32> { return pc_bilinear(pc_to, uv); }
var<private> pc_pixel: vec2<i32>;
fn output_size() -> vec2<f32> { return pc_frame.size; }
@fragment
fn pc_fragment(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
    pc_pixel = vec2<i32>(pos.xy);
    return transition(pos.xy / pc_frame.size, pc_frame.progress, pc_frame.ratio);
}
"#;

/// `from_color` and `to_color` at the pixel's own uv (see `pixel_reads`). Put before the
/// user's source: naga orders a module's functions as their source, callees first, and a call
/// may only go to an earlier function. One line, which `locate` takes off.
const WGSL_AT_PIXEL: &str = "fn pc_from_at_pixel(uv: vec2<f32>) -> vec4<f32> { return textureLoad(pc_from, pc_pixel, 0); } \
     fn pc_to_at_pixel(uv: vec2<f32>) -> vec4<f32> { return textureLoad(pc_to, pc_pixel, 0); }\n";

const WGSL_PARAMS: &str = "@group(0) @binding(4) var<uniform> params: Params;\n";

impl ShaderProgram {
    /// Name of the fragment entry point of every transition module.
    pub const ENTRY: &'static str = "pc_fragment";

    /// Compiles a WGSL transition. User uniforms: an optional `struct Params { ... }`, bound as
    /// `params`; a member's default follows `// =` on its line. `load_image` is unused by WGSL
    /// (it has no image uniforms) but keeps one signature for both languages.
    pub fn wgsl(
        origin: &str,
        source: &str,
        overrides: &[(String, ParamValue)],
        _load_image: &dyn Fn(&str) -> Result<Arc<RgbaImage>, String>,
    ) -> Result<ShaderProgram, ShaderError> {
        let err = ShaderError::in_file(origin);
        let has_params = declares_struct(source, "Params");
        let mut full = String::with_capacity(source.len() + WGSL_WRAPPER.len() + 300);
        full.push_str(WGSL_AT_PIXEL);
        let user_start = full.len();
        full.push_str(source);
        full.push('\n');
        let user_end = full.len();
        full.push_str(WGSL_WRAPPER);
        if has_params {
            full.push_str(WGSL_PARAMS);
        }
        let missing = "the shader must define `fn transition(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32>`";
        let locate = |offset: usize, message: String| -> ShaderError {
            if offset >= user_end || offset < user_start {
                let (line, column) = end_position(source);
                err(
                    line,
                    column,
                    format!("{missing}; the compiler says: {message}"),
                )
            } else {
                let (line, column) = position(source, offset - user_start);
                err(line, column, message)
            }
        };
        let module = guarded(|| naga::front::wgsl::parse_str(&full))
            .map_err(|m| locate(0, m))?
            .map_err(|e| {
                let offset = e
                    .location(&full)
                    .map(|l| l.offset as usize)
                    .unwrap_or(user_end);
                locate(offset, e.message().to_string())
            })?;
        validate(&module, &full, &locate)?;
        check_memory(&module, &locate)?;
        let mut module = module;
        pixel_reads::redirect(
            &mut module,
            &[
                ("from_color", "pc_from_at_pixel"),
                ("to_color", "pc_to_at_pixel"),
            ],
        );
        let defaults = if has_params {
            wgsl_param_defaults(source)
        } else {
            Vec::new()
        };
        let fields = reflect_fields(&module, &defaults).map_err(|m| err(0, 0, m))?;
        Self::finish(
            origin,
            Language::Wgsl,
            module,
            fields,
            overrides,
            Vec::new(),
        )
    }

    /// Compiles a gl-transitions GLSL file as it is: `vec4 transition(vec2 uv)`, `progress`,
    /// `ratio`, `getFromColor`, `getToColor`, `uniform T name; // = default` and `sampler2D`
    /// uniforms whose images `load_image` loads from the path given in `overrides`.
    pub fn glsl(
        origin: &str,
        source: &str,
        overrides: &[(String, ParamValue)],
        load_image: &dyn Fn(&str) -> Result<Arc<RgbaImage>, String>,
    ) -> Result<ShaderProgram, ShaderError> {
        let err = ShaderError::in_file(origin);
        let (body, decls) = glsl_uniforms(source).map_err(|(l, c, m)| err(l, c, m))?;
        let mut prelude = String::from(
            "#version 450\n\
             layout(set = 0, binding = 0) uniform PcFrame { vec2 pc_size; float progress; float ratio; };\n\
             layout(set = 0, binding = 1) uniform texture2D pc_from;\n\
             layout(set = 0, binding = 2) uniform texture2D pc_to;\n\
             layout(set = 0, binding = 3) uniform sampler pc_sampler;\n\
             vec4 getFromColor(vec2 uv) { return textureLod(sampler2D(pc_from, pc_sampler), vec2(uv.x, 1.0 - uv.y), 0.0); }\n\
             vec4 getToColor(vec2 uv) { return textureLod(sampler2D(pc_to, pc_sampler), vec2(uv.x, 1.0 - uv.y), 0.0); }\n\
             vec4 pc_from_at_pixel(vec2 uv) { return texelFetch(sampler2D(pc_from, pc_sampler), ivec2(gl_FragCoord.xy), 0); }\n\
             vec4 pc_to_at_pixel(vec2 uv) { return texelFetch(sampler2D(pc_to, pc_sampler), ivec2(gl_FragCoord.xy), 0); }\n",
        );
        let values: Vec<&GlslUniform> = decls.iter().filter(|d| d.ty != "sampler2D").collect();
        if !values.is_empty() {
            prelude.push_str("layout(set = 0, binding = 4) uniform PcParams {");
            for d in &values {
                if d.ty == "bool" {
                    prelude.push_str(&format!(" int pc_bool_{};", d.name));
                } else {
                    prelude.push_str(&format!(" {} {};", d.ty, d.name));
                }
            }
            prelude.push_str(" };\n");
            for d in values.iter().filter(|d| d.ty == "bool") {
                prelude.push_str(&format!("#define {0} (pc_bool_{0} != 0)\n", d.name));
            }
        }
        let mut images = Vec::new();
        for d in decls.iter().filter(|d| d.ty == "sampler2D") {
            let binding = 5 + images.len();
            let path = match overrides.iter().find(|(n, _)| *n == d.name) {
                Some((_, ParamValue::Text(p))) => p.clone(),
                Some((_, v)) => {
                    return Err(err(
                        d.line,
                        d.column,
                        format!("`{}` is a sampler2D: give an image path, not {v}", d.name),
                    ))
                }
                None => {
                    return Err(err(
                        d.line,
                        d.column,
                        format!(
                            "`{}` is a sampler2D: give its image as a parameter ({}=PATH)",
                            d.name, d.name
                        ),
                    ))
                }
            };
            let image = load_image(&path)
                .map_err(|m| err(d.line, d.column, format!("image for `{}`: {m}", d.name)))?;
            images.push(image);
            prelude.push_str(&format!(
                "layout(set = 0, binding = {binding}) uniform texture2D pc_image_{0};\n\
                 #define {0} sampler2D(pc_image_{0}, pc_sampler)\n",
                d.name
            ));
        }
        // GLSL ES 1.0's texture2D() (what gl-transitions use); after every declaration above.
        prelude.push_str("#define texture2D texture\n");
        let prelude_lines = prelude.matches('\n').count();
        let mut full = prelude;
        full.push_str(&body);
        let user_end = full.len();
        full.push_str(
            "\nlayout(location = 0) out vec4 pc_color;\n\
             void main() { vec2 uv = gl_FragCoord.xy / pc_size; pc_color = transition(vec2(uv.x, 1.0 - uv.y)); }\n",
        );
        let missing = "the shader must define `vec4 transition(vec2 uv)`";
        let locate = |offset: usize, message: String| -> ShaderError {
            let (line, column) = position(&full, offset);
            if offset >= user_end {
                let (line, column) = end_position(source);
                err(
                    line,
                    column,
                    format!("{missing}; the compiler says: {message}"),
                )
            } else if line <= prelude_lines {
                err(1, 1, message)
            } else {
                err(line - prelude_lines, column, message)
            }
        };
        let mut frontend = naga::front::glsl::Frontend::default();
        let options = naga::front::glsl::Options::from(naga::ShaderStage::Fragment);
        let parsed = guarded(|| frontend.parse(&options, &full)).map_err(|m| locate(0, m))?;
        let mut module = parsed.map_err(|errors| {
            let first = errors.errors.first();
            let offset = first
                .and_then(|e| e.meta.to_range())
                .map(|r| r.start)
                .unwrap_or(user_end);
            let message = first
                .map(|e| e.kind.to_string())
                .unwrap_or_else(|| "unknown error".into());
            locate(offset, message)
        })?;
        // naga names the GLSL entry point `main`; every transition module uses one name.
        for entry in &mut module.entry_points {
            entry.name = Self::ENTRY.to_string();
        }
        validate(&module, &full, &locate)?;
        check_memory(&module, &locate)?;
        pixel_reads::redirect(
            &mut module,
            &[
                ("getFromColor", "pc_from_at_pixel"),
                ("getToColor", "pc_to_at_pixel"),
            ],
        );
        let defaults: Vec<(String, Vec<f64>)> = values
            .iter()
            .map(|d| {
                let name = if d.ty == "bool" {
                    format!("pc_bool_{}", d.name)
                } else {
                    d.name.clone()
                };
                (name, d.default.clone())
            })
            .collect();
        let mut fields = reflect_fields(&module, &defaults).map_err(|m| err(0, 0, m))?;
        for f in &mut fields {
            if let Some(name) = f.name.strip_prefix("pc_bool_") {
                f.name = name.to_string();
                f.scalar = ScalarType::Bool;
            }
        }
        let overrides: Vec<(String, ParamValue)> = overrides
            .iter()
            .filter(|(n, _)| !decls.iter().any(|d| d.ty == "sampler2D" && d.name == *n))
            .cloned()
            .collect();
        Self::finish(origin, Language::Glsl, module, fields, &overrides, images)
    }

    /// Whether the program may discard a pixel (`discard`, in any function): else it writes
    /// every pixel it covers.
    pub fn may_discard(&self) -> bool {
        let mut kills = false;
        let mut look = |s: &naga::Statement| kills |= matches!(s, naga::Statement::Kill);
        for (_, f) in self.module.functions.iter() {
            pixel_reads::visit(&f.body, &mut look);
        }
        for e in &self.module.entry_points {
            pixel_reads::visit(&e.function.body, &mut look);
        }
        kills
    }

    /// The program with its uniform block filled: defaults, then `overrides` by name (a name
    /// that matches no uniform is an error).
    fn finish(
        origin: &str,
        language: Language,
        module: naga::Module,
        fields: Vec<UniformField>,
        overrides: &[(String, ParamValue)],
        images: Vec<Arc<RgbaImage>>,
    ) -> Result<ShaderProgram, ShaderError> {
        let err = |message: String| ShaderError {
            origin: origin.to_string(),
            line: 0,
            column: 0,
            message,
        };
        let (uniform_bytes, unknown) = fill_uniforms(&module, &fields, overrides).map_err(err)?;
        if let Some(name) = unknown.first() {
            return Err(err(format!(
                "the shader has no uniform `{name}` (its uniforms: {})",
                names(&fields)
            )));
        }
        Ok(ShaderProgram {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            origin: origin.to_string(),
            language,
            module,
            fields,
            uniform_bytes,
            images,
        })
    }
}

fn names(fields: &[UniformField]) -> String {
    if fields.is_empty() {
        "none".into()
    } else {
        fields
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// 1-based line and column (characters) of byte `offset` in `text`.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// The position just after the last character of `text`'s last non-empty line.
fn end_position(text: &str) -> (usize, usize) {
    let trimmed = text.trim_end();
    position(trimmed, trimmed.len())
}

/// Runs one naga stage, turning a panic inside it into an error message: naga's front ends and
/// validator assert on some malformed input, and a user's shader must never bring the process down.
pub(super) fn guarded<T>(stage: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(stage)).map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".into());
        format!("the shader compiler failed on this shader (naga panicked: {what})")
    })
}

/// The validator every transition module passes: all checks, default capabilities.
pub(super) fn validator() -> naga::valid::Validator {
    naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::default(),
    )
}

fn validate(
    module: &naga::Module,
    full: &str,
    locate: &dyn Fn(usize, String) -> ShaderError,
) -> Result<(), ShaderError> {
    let mut validator = validator();
    // Boxed: naga's validation error is large.
    let result = guarded(|| validator.validate(module).map(|_| ()).map_err(Box::new))
        .map_err(|m| locate(0, m))?;
    result.map_err(|e| {
        // The spans go from the outermost item (the function) to the offending expression.
        let offset = e
            .spans()
            .filter_map(|(span, _)| span.to_range())
            .last()
            .map_or(full.len(), |r| r.start);
        let mut message = e.as_inner().to_string();
        let mut source = std::error::Error::source(e.as_inner());
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        locate(offset, message)
    })
}

/// The most bytes of private and function variables a transition may declare: every pixel
/// (every GPU lane) holds its own copy, so a large array exhausts memory or crashes the driver
/// (lavapipe) long before it is useful. 64 KiB is far beyond what a transition needs.
pub const VARIABLE_BUDGET: u64 = 64 * 1024;

/// Rejects a module whose private variables and the local variables of any one function add up
/// to more than [`VARIABLE_BUDGET`], at the largest offending variable.
fn check_memory(
    module: &naga::Module,
    locate: &dyn Fn(usize, String) -> ShaderError,
) -> Result<(), ShaderError> {
    let mut layouter = naga::proc::Layouter::default();
    if let Err(e) = guarded(|| layouter.update(module.to_ctx())).map_err(|m| locate(0, m))? {
        return Err(locate(0, format!("a type is too large to lay out: {e}")));
    }
    let size = |ty: naga::Handle<naga::Type>| u64::from(layouter[ty].size);
    // (bytes, name, span) of each variable.
    let privates: Vec<(u64, String, naga::Span)> = module
        .global_variables
        .iter()
        .filter(|(_, v)| {
            matches!(
                v.space,
                naga::AddressSpace::Private | naga::AddressSpace::Function
            )
        })
        .map(|(h, v)| {
            let name = v.name.clone().unwrap_or_default();
            (size(v.ty), name, module.global_variables.get_span(h))
        })
        .collect();
    let functions = module
        .functions
        .iter()
        .map(|(_, f)| f)
        .chain(module.entry_points.iter().map(|e| &e.function));
    let mut worst = None;
    for f in std::iter::once(None).chain(functions.map(Some)) {
        let mut vars = privates.clone();
        if let Some(f) = f {
            vars.extend(f.local_variables.iter().map(|(h, v)| {
                let name = v.name.clone().unwrap_or_default();
                (size(v.ty), name, f.local_variables.get_span(h))
            }));
        }
        let total: u64 = vars.iter().map(|v| v.0).sum();
        if total > VARIABLE_BUDGET && worst.as_ref().is_none_or(|(t, _)| total > *t) {
            worst = vars.into_iter().max_by_key(|v| v.0).map(|v| (total, v));
        }
    }
    match worst {
        None => Ok(()),
        Some((total, (bytes, name, span))) => Err(locate(
            span.to_range().map_or(0, |r| r.start),
            format!(
                "the shader's variables take {total} bytes per pixel, over the budget of \
                 {VARIABLE_BUDGET} bytes: `{name}` alone takes {bytes} bytes"
            ),
        )),
    }
}

/// Whether `source` declares `struct NAME` (outside comments, roughly: a declaration at a
/// word boundary).
fn declares_struct(source: &str, name: &str) -> bool {
    strip_comments(source)
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .any(|w| w[0] == "struct" && w[1].trim_end_matches('{') == name)
}

/// `source` with comments replaced by spaces (offsets kept).
fn strip_comments(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '/' && chars.peek() == Some(&'/') {
            out.push(' ');
            for c in chars.by_ref() {
                if c == '\n' {
                    out.push('\n');
                    break;
                }
                out.push(' ');
            }
        } else if c == '/' && chars.peek() == Some(&'*') {
            out.push(' ');
            let mut prev = ' ';
            for c in chars.by_ref() {
                out.push(if c == '\n' { '\n' } else { ' ' });
                if prev == '*' && c == '/' {
                    break;
                }
                prev = c;
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The `// = value` default of each member of `struct Params` in WGSL source.
fn wgsl_param_defaults(source: &str) -> Vec<(String, Vec<f64>)> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        if !inside {
            if code.contains("struct") && code.contains("Params") {
                inside = true;
            } else {
                continue;
            }
        }
        if let Some((name, _)) = code.split_once(':') {
            let name = name
                .trim()
                .trim_start_matches('{')
                .trim()
                .rsplit(|c: char| c.is_whitespace())
                .next()
                .unwrap_or("");
            if let Some(value) = default_comment(line).and_then(|v| parse_default(&v)) {
                out.push((name.to_string(), value));
            }
        }
        if code.contains('}') {
            break;
        }
    }
    out
}

/// The text after `// =` on a line, up to a `;` or a further comment (gl-transitions files write
/// `// = 0.4 ; // what it does`).
fn default_comment(line: &str) -> Option<String> {
    let (_, comment) = line.split_once("//")?;
    let value = comment.trim_start().strip_prefix('=')?;
    let value = value.split("//").next().unwrap_or(value);
    let value = value.split(';').next().unwrap_or(value);
    Some(value.trim().to_string())
}

/// A default: `1.0`, `-2`, `true`, `vec2(0.5, 1.0)`, `ivec2(10)` (one value fills every
/// component), `vec3<f32>(...)`.
fn parse_default(text: &str) -> Option<Vec<f64>> {
    let text = text.trim();
    match text {
        "true" => return Some(vec![1.0]),
        "false" => return Some(vec![0.0]),
        _ => {}
    }
    let number = |s: &str| -> Option<f64> {
        let s = s.trim().trim_end_matches(['f', 'u', 'i']);
        match s {
            "true" => Some(1.0),
            "false" => Some(0.0),
            _ => s.parse::<f64>().ok(),
        }
    };
    if let Some(open) = text.find('(') {
        let inner = text.get(open + 1..)?.strip_suffix(')')?;
        inner.split(',').map(number).collect()
    } else {
        number(text).map(|v| vec![v])
    }
}

/// A `uniform` declaration of a gl-transitions file.
#[derive(Debug)]
struct GlslUniform {
    ty: String,
    name: String,
    default: Vec<f64>,
    line: usize,
    column: usize,
}

const GLSL_TYPES: &[&str] = &[
    "float",
    "int",
    "bool",
    "vec2",
    "vec3",
    "vec4",
    "ivec2",
    "ivec3",
    "ivec4",
    "sampler2D",
];

/// Finds the `uniform` declarations (one statement per line, possibly several names), returns
/// the source with them blanked out (positions kept) and the declarations.
#[allow(clippy::type_complexity)]
fn glsl_uniforms(source: &str) -> Result<(String, Vec<GlslUniform>), (usize, usize, String)> {
    let code = strip_comments(source);
    let mut body = String::with_capacity(source.len());
    let mut decls = Vec::new();
    for (index, (line, code_line)) in source.split('\n').zip(code.split('\n')).enumerate() {
        let trimmed = code_line.trim_start();
        let indent = code_line.len() - trimmed.len();
        let is_uniform = trimmed
            .strip_prefix("uniform")
            .is_some_and(|rest| rest.starts_with(char::is_whitespace));
        if !is_uniform {
            body.push_str(line);
            body.push('\n');
            continue;
        }
        let column = code_line.get(..indent).map_or(0, |s| s.chars().count()) + 1;
        let at = |message: String| (index + 1, column, message);
        let Some(end) = trimmed.find(';') else {
            return Err(at(
                "a uniform declaration must end on its own line with `;`".into(),
            ));
        };
        let statement = trimmed.get("uniform".len()..end).unwrap_or("");
        let mut words = statement
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .filter(|w| !matches!(*w, "lowp" | "mediump" | "highp"));
        let ty = words.next().unwrap_or("").to_string();
        if !GLSL_TYPES.contains(&ty.as_str()) {
            return Err(at(format!(
                "unsupported uniform type `{ty}` (supported: {})",
                GLSL_TYPES.join(", ")
            )));
        }
        let default = default_comment(line)
            .map(|d| parse_default(&d).ok_or_else(|| at(format!("cannot read the default `{d}`"))))
            .transpose()?;
        for name in words {
            if !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                return Err(at(format!("cannot read the uniform name `{name}`")));
            }
            decls.push(GlslUniform {
                ty: ty.clone(),
                name: name.to_string(),
                default: default.clone().unwrap_or_default(),
                line: index + 1,
                column,
            });
        }
        // Blank the declaration, keep the rest of the line (a trailing comment) and positions.
        let cut = indent + end + 1;
        let blank: String = line
            .char_indices()
            .map(|(i, c)| if i < cut { ' ' } else { c })
            .collect();
        body.push_str(&blank);
        body.push('\n');
    }
    Ok((hoist_global_initializers(&body), decls))
}

/// Types a global of a gl-transitions file may have.
const GLSL_VALUE_TYPES: &[&str] = &[
    "float", "int", "bool", "vec2", "vec3", "vec4", "ivec2", "ivec3", "ivec4", "mat2", "mat3",
    "mat4",
];

/// WebGL evaluates a global's initializer per invocation, so gl-transitions files initialise
/// globals from `progress` and uniforms (`float d = min(progress, 1.0 - progress);`), which
/// naga rejects at file scope. Such a declaration keeps its place without the initializer, and
/// the assignment moves to the start of `transition`, on the line of its opening brace: same
/// meaning, same line numbers. `const` globals and lines of another shape are left alone.
fn hoist_global_initializers(body: &str) -> String {
    let code = strip_comments(body);
    let mut depth = 0i32;
    let mut lines: Vec<String> = body.split('\n').map(str::to_string).collect();
    let mut assignments = Vec::new();
    for (line, code_line) in lines.iter_mut().zip(code.split('\n')) {
        let top = depth == 0;
        depth += code_line.matches('{').count() as i32 - code_line.matches('}').count() as i32;
        if !top || code_line.contains('{') || code_line.contains('}') {
            continue;
        }
        let trimmed = code_line.trim();
        let Some(statement) = trimmed.strip_suffix(';') else {
            continue;
        };
        let Some((declaration, init)) = statement.split_once('=') else {
            continue;
        };
        let mut words = declaration.split_whitespace();
        let (Some(ty), Some(name), None) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        let simple = GLSL_VALUE_TYPES.contains(&ty)
            && name.chars().all(|c| c.is_alphanumeric() || c == '_')
            && !init.contains(',') | init.contains('(');
        if !simple {
            continue;
        }
        assignments.push(format!("{name} = {};", init.trim()));
        // The declaration alone, the rest of the line blank (positions before it kept).
        let start = code_line.len() - code_line.trim_start().len();
        *line = format!("{}{ty} {name};", &code_line[..start]);
    }
    if assignments.is_empty() {
        return body.to_string();
    }
    // The opening brace of `vec4 transition(...)`.
    let mut depth = 0i32;
    let mut seen = false;
    for (line, code_line) in lines.iter_mut().zip(code.split('\n')) {
        let top = depth == 0;
        if top && code_line.contains("transition") && code_line.contains("vec4") {
            seen = true;
        }
        if seen {
            if let Some(brace) = code_line.find('{') {
                line.insert_str(brace + 1, &format!(" {}", assignments.join(" ")));
                break;
            }
        }
        depth += code_line.matches('{').count() as i32 - code_line.matches('}').count() as i32;
    }
    lines.join("\n")
}

/// The members of the struct bound at (0, 4), with their layout, and defaults by name.
fn reflect_fields(
    module: &naga::Module,
    defaults: &[(String, Vec<f64>)],
) -> Result<Vec<UniformField>, String> {
    let Some(ty) = params_type(module) else {
        return Ok(Vec::new());
    };
    let naga::TypeInner::Struct { members, .. } = &module.types[ty].inner else {
        return Err("the user uniforms must be a struct".into());
    };
    let mut fields = Vec::new();
    for m in members {
        let name = m.name.clone().unwrap_or_default();
        let (scalar, components) = match module.types[m.ty].inner {
            naga::TypeInner::Scalar(s) => (scalar_type(s)?, 1),
            naga::TypeInner::Vector { size, scalar } => (scalar_type(scalar)?, size as u32),
            _ => {
                return Err(format!(
                    "uniform `{name}`: only scalars and vectors of f32/i32/u32 are supported"
                ))
            }
        };
        let mut default = defaults
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        if default.len() == 1 && components > 1 {
            default = vec![default[0]; components as usize];
        }
        default.resize(components as usize, 0.0);
        fields.push(UniformField {
            name,
            offset: m.offset,
            scalar,
            components,
            default,
        });
    }
    Ok(fields)
}

fn params_type(module: &naga::Module) -> Option<naga::Handle<naga::Type>> {
    module.global_variables.iter().find_map(|(_, g)| {
        (g.space == naga::AddressSpace::Uniform
            && g.binding
                .as_ref()
                .is_some_and(|b| b.group == 0 && b.binding == 4))
        .then_some(g.ty)
    })
}

fn scalar_type(s: naga::Scalar) -> Result<ScalarType, String> {
    match (s.kind, s.width) {
        (naga::ScalarKind::Float, 4) => Ok(ScalarType::Float),
        (naga::ScalarKind::Sint, 4) => Ok(ScalarType::Int),
        (naga::ScalarKind::Uint, 4) => Ok(ScalarType::Uint),
        _ => Err(format!("unsupported uniform scalar {s:?}")),
    }
}

/// The user uniform block with defaults and overrides; also returns override names that match
/// no field.
fn fill_uniforms(
    module: &naga::Module,
    fields: &[UniformField],
    overrides: &[(String, ParamValue)],
) -> Result<(Vec<u8>, Vec<String>), String> {
    let Some(ty) = params_type(module) else {
        let unknown = overrides.iter().map(|(n, _)| n.clone()).collect();
        return Ok((Vec::new(), unknown));
    };
    let size = module.types[ty].inner.size(module.to_ctx()) as usize;
    // Uniform buffers bind in 16-byte units.
    let mut bytes = vec![0u8; size.max(16).div_ceil(16) * 16];
    let mut unknown = Vec::new();
    for (name, _) in overrides {
        if !fields.iter().any(|f| f.name == *name) {
            unknown.push(name.clone());
        }
    }
    for f in fields {
        let values = match overrides.iter().find(|(n, _)| *n == f.name) {
            Some((_, value)) => {
                let finite = match value {
                    ParamValue::Number(v) => v.is_finite(),
                    ParamValue::Numbers(v) => v.iter().all(|v| v.is_finite()),
                    _ => true,
                };
                if !finite {
                    return Err(format!(
                        "uniform `{}` is not a finite number ({value:?})",
                        f.name
                    ));
                }
                let v = match value {
                    ParamValue::Number(v) => vec![*v; f.components as usize],
                    ParamValue::Bool(b) => vec![f64::from(u8::from(*b)); f.components as usize],
                    ParamValue::Numbers(v) if v.len() == f.components as usize => v.clone(),
                    ParamValue::Numbers(v) => {
                        return Err(format!(
                            "uniform `{}` has {} components, {} given",
                            f.name,
                            f.components,
                            v.len()
                        ))
                    }
                    ParamValue::Text(t) if f.components > 1 => {
                        return Err(format!(
                            "uniform `{0}` is a vector of {1} numbers, not the text \"{t}\": \
                             give them unquoted as an array, e.g. {0}=<{2}>",
                            f.name,
                            f.components,
                            vec!["0.5"; f.components as usize].join(", ")
                        ))
                    }
                    ParamValue::Text(t) => {
                        return Err(format!("uniform `{}` is a number, not \"{t}\"", f.name))
                    }
                };
                v
            }
            None => f.default.clone(),
        };
        for (i, v) in values.iter().enumerate() {
            let word = match f.scalar {
                ScalarType::Float => (*v as f32).to_le_bytes(),
                ScalarType::Int => (v.round() as i32).to_le_bytes(),
                ScalarType::Uint => (v.round().max(0.0) as u32).to_le_bytes(),
                ScalarType::Bool => i32::from(*v != 0.0).to_le_bytes(),
            };
            let at = f.offset as usize + 4 * i;
            if let Some(dst) = bytes.get_mut(at..at + 4) {
                dst.copy_from_slice(&word);
            }
        }
    }
    Ok((bytes, unknown))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_images(_: &str) -> Result<Arc<RgbaImage>, String> {
        Err("no images here".into())
    }

    /// A `discard` anywhere, in either language, is found; a program without one writes
    /// every pixel.
    #[test]
    fn discards_are_found() {
        let glsl = |src: &str| ShaderProgram::glsl("t.glsl", src, &[], &no_images).unwrap();
        let wgsl = |src: &str| ShaderProgram::wgsl("t.wgsl", src, &[], &no_images).unwrap();
        assert!(!glsl("vec4 transition(vec2 uv) { return getToColor(uv); }").may_discard());
        let nested =
            "vec4 pick(vec2 uv) { if (uv.x < progress) { discard; } return getToColor(uv); }\n\
                      vec4 transition(vec2 uv) { return pick(uv); }";
        assert!(glsl(nested).may_discard());
        let plain = "fn transition(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> { return to_color(uv); }";
        assert!(!wgsl(plain).may_discard());
        let looped = "fn transition(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {\n\
                      for (var i = 0; i < 2; i++) { if uv.x > progress { discard; } }\n\
                      return to_color(uv); }";
        assert!(wgsl(looped).may_discard());
    }

    /// A panic inside a naga stage is an error message, not an unwinding through the element.
    #[test]
    fn naga_panics_become_errors() {
        let e = guarded(|| -> u32 { panic!("hostile input") }).unwrap_err();
        assert!(e.contains("naga panicked: hostile input"), "{e}");
        assert_eq!(guarded(|| 7), Ok(7));
    }

    #[test]
    fn wgsl_with_params_and_defaults() {
        let src = "struct Params {\n  amount: f32, // = 0.25\n  tint: vec4<f32>, // = vec4(1.0, 0.5, 0.0, 1.0)\n  steps: i32,\n}\n\
                   fn transition(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {\n  return mix(from_color(uv), to_color(uv), progress * params.amount) * params.tint;\n}\n";
        let p = ShaderProgram::wgsl(
            "t.wgsl",
            src,
            &[("steps".into(), ParamValue::Number(3.0))],
            &no_images,
        )
        .unwrap();
        assert_eq!(p.fields.len(), 3);
        assert_eq!(p.fields[0].default, vec![0.25]);
        assert_eq!(p.fields[1].offset, 16);
        assert_eq!(p.fields[1].default, vec![1.0, 0.5, 0.0, 1.0]);
        let f = |at: usize| f32::from_le_bytes(p.uniform_bytes[at..at + 4].try_into().unwrap());
        assert_eq!(f(0), 0.25);
        assert_eq!(f(20), 0.5);
        let steps = &p.fields[2];
        let at = steps.offset as usize;
        assert_eq!(
            i32::from_le_bytes(p.uniform_bytes[at..at + 4].try_into().unwrap()),
            3
        );
    }

    #[test]
    fn wgsl_errors_have_positions() {
        let e = ShaderProgram::wgsl("bad.wgsl", "fn transition(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {\n  return from_color(uv) +;\n}\n", &[], &no_images)
            .unwrap_err();
        assert_eq!((e.line, e.column), (2, 26), "{e}");
        assert!(e.to_string().starts_with("bad.wgsl:2:26: "), "{e}");
        let e = ShaderProgram::wgsl("types.wgsl", "fn transition(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {\n  let x: f32 = uv;\n  return from_color(uv);\n}\n", &[], &no_images)
            .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = ShaderProgram::wgsl(
            "none.wgsl",
            "fn other() -> f32 {\n  return 1.0;\n}\n",
            &[],
            &no_images,
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (3, 2), "{e}");
        assert!(e.message.contains("must define `fn transition"), "{e}");
        let e = ShaderProgram::wgsl("t.wgsl", "fn transition(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> { return from_color(uv); }", &[("nope".into(), ParamValue::Number(1.0))], &no_images)
            .unwrap_err();
        assert!(e.message.contains("no uniform `nope`"), "{e}");
    }

    const GLSL: &str = "// A test transition in the gl-transitions format.\n\
uniform float amplitude; // = 0.5\n\
uniform vec2 direction; // = vec2(1.0, 0.0)\n\
uniform bool invert; // = false\n\
uniform ivec2 squares; // = ivec2(4)\n\
\n\
vec4 transition(vec2 uv) {\n\
  vec2 p = uv + progress * amplitude * direction;\n\
  float k = invert ? 1.0 - progress : progress;\n\
  return mix(getFromColor(p), getToColor(uv), k * float(squares.x) / 4.0);\n\
}\n";

    #[test]
    fn glsl_loads_unmodified_with_defaults() {
        let p = ShaderProgram::glsl(
            "t.glsl",
            GLSL,
            &[("invert".into(), ParamValue::Bool(true))],
            &no_images,
        )
        .unwrap();
        let names: Vec<_> = p.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["amplitude", "direction", "invert", "squares"]);
        assert_eq!(p.fields[1].default, vec![1.0, 0.0]);
        assert_eq!(p.fields[2].scalar, ScalarType::Bool);
        assert_eq!(p.fields[3].default, vec![4.0, 4.0]);
        let inv = p.fields[2].offset as usize;
        assert_eq!(
            i32::from_le_bytes(p.uniform_bytes[inv..inv + 4].try_into().unwrap()),
            1
        );
    }

    #[test]
    fn webgl_allowances_of_the_public_collection() {
        // A default followed by more text, as fadecolor.glsl writes it.
        assert_eq!(
            default_comment("uniform float colorPhase; // = 0.4 ; // if 0.0, no black phase"),
            Some("0.4".to_string())
        );
        assert_eq!(
            default_comment("uniform vec2 d; // = vec2(1.0, 0.5) // why"),
            Some("vec2(1.0, 0.5)".to_string())
        );
        // Globals initialised from progress keep their line; the assignments open transition().
        let src = "float d = min(progress, 1.0 - progress);\nconst float k = 2.0;\nvec4 transition(vec2 uv) {\n  return vec4(d * k);\n}\n";
        let out = hoist_global_initializers(src);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "float d;");
        assert_eq!(lines[1], "const float k = 2.0;");
        assert_eq!(
            lines[2],
            "vec4 transition(vec2 uv) { d = min(progress, 1.0 - progress);"
        );
        assert_eq!(out.lines().count(), src.lines().count());
        let glsl = "uniform int steps; // = 50\nfloat d = min(progress, 1.0 - progress);\nfloat dist = steps > 0 ? ceil(d * float(steps)) / float(steps) : d;\nvec4 transition(vec2 uv) {\n  return mix(getFromColor(uv), getToColor(uv), dist);\n}\n";
        assert!(ShaderProgram::glsl("pixelize-like.glsl", glsl, &[], &no_images).is_ok());
        // Errors after the hoisted lines keep their user positions.
        let bad = "float d = progress;\nvec4 transition(vec2 uv) {\n  return nope;\n}\n";
        let e = ShaderProgram::glsl("bad.glsl", bad, &[], &no_images).unwrap_err();
        assert_eq!(e.line, 3, "{e}");
    }

    #[test]
    fn huge_variables_are_rejected_at_their_declaration() {
        let glsl = "vec4 transition(vec2 uv) {\n  float a[100000000];\n  a[0] = progress;\n  return mix(getFromColor(uv), getToColor(uv), a[0]);\n}\n";
        let e = ShaderProgram::glsl("big.glsl", glsl, &[], &no_images).unwrap_err();
        assert_eq!((e.origin.as_str(), e.line), ("big.glsl", 2), "{e}");
        assert!(
            e.message.contains("400000000 bytes") && e.message.contains("`a`"),
            "{e}"
        );
        let glsl = "float g[50000];\nvec4 transition(vec2 uv) {\n  g[0] = progress;\n  return mix(getFromColor(uv), getToColor(uv), g[0]);\n}\n";
        let e = ShaderProgram::glsl("global.glsl", glsl, &[], &no_images).unwrap_err();
        assert_eq!(e.line, 1, "{e}");
        assert!(
            e.message.contains("budget") && e.message.contains("`g`"),
            "{e}"
        );
        let wgsl = "var<private> big: array<vec4<f32>, 1000000>;\nfn transition(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {\n  big[0] = from_color(uv);\n  return big[0];\n}\n";
        let e = ShaderProgram::wgsl("big.wgsl", wgsl, &[], &no_images).unwrap_err();
        assert_eq!(e.line, 1, "{e}");
        assert!(e.message.contains("16000000 bytes"), "{e}");
        // A small table is fine.
        let ok = "vec4 transition(vec2 uv) {\n  float k[25];\n  k[0] = progress;\n  return mix(getFromColor(uv), getToColor(uv), k[0]);\n}\n";
        assert!(ShaderProgram::glsl("ok.glsl", ok, &[], &no_images).is_ok());
    }

    #[test]
    fn glsl_errors_have_user_positions() {
        let bad = GLSL.replace("return mix(", "return mix(;");
        let e = ShaderProgram::glsl("bad.glsl", &bad, &[], &no_images).unwrap_err();
        assert_eq!(e.line, 10, "{e}");
        let none = "uniform float a; // = 1.0\nvec4 other(vec2 uv) { return vec4(a); }\n";
        let e = ShaderProgram::glsl("none.glsl", none, &[], &no_images).unwrap_err();
        assert!(e.message.contains("must define `vec4 transition"), "{e}");
        assert_eq!(e.line, 2, "{e}");
        let img =
            "uniform sampler2D luma;\nvec4 transition(vec2 uv) { return texture2D(luma, uv); }\n";
        let e = ShaderProgram::glsl("luma.glsl", img, &[], &no_images).unwrap_err();
        assert_eq!((e.line, e.column), (1, 1), "{e}");
        assert!(e.message.contains("luma=PATH"), "{e}");
    }

    #[test]
    fn glsl_image_uniforms_load() {
        let img = "uniform sampler2D luma;\nvec4 transition(vec2 uv) { return mix(getFromColor(uv), getToColor(uv), texture2D(luma, uv).r); }\n";
        let load = |path: &str| -> Result<Arc<RgbaImage>, String> {
            assert_eq!(path, "l.png");
            Ok(Arc::new(RgbaImage {
                width: 1,
                height: 1,
                data: vec![255; 4],
            }))
        };
        let p = ShaderProgram::glsl(
            "luma.glsl",
            img,
            &[("luma".into(), ParamValue::Text("l.png".into()))],
            &load,
        )
        .unwrap();
        assert_eq!(p.images.len(), 1);
        assert!(p.fields.is_empty());
    }

    #[test]
    fn defaults_parse() {
        assert_eq!(parse_default("1.5"), Some(vec![1.5]));
        assert_eq!(
            parse_default("vec3(0.1, 0.2, 0.3)"),
            Some(vec![0.1, 0.2, 0.3])
        );
        assert_eq!(parse_default("vec2<f32>(1.0, 2.0)"), Some(vec![1.0, 2.0]));
        assert_eq!(parse_default("true"), Some(vec![1.0]));
        assert_eq!(parse_default("2u"), Some(vec![2.0]));
        assert_eq!(parse_default("vec2(1.0,"), None);
    }
}
