//! Transitions between two inputs: the built-in xfade set, custom WGSL and gl-transitions GLSL
//! programs, and which transition applies at a given time. Pure: no GStreamer, no GPU.

mod pixel_reads;
pub mod shader;
pub(crate) mod split;
pub mod xfade;

use std::sync::Arc;

pub(crate) use xfade::Picture;
pub use xfade::XfadeKind;

/// What a transition computes for each pixel.
#[derive(Debug, Clone)]
pub enum TransitionKind {
    /// One of FFmpeg's xfade transitions.
    Xfade(XfadeKind),
    /// A user shader (WGSL or gl-transitions GLSL); only the wgpu backend runs it.
    Shader(Arc<ShaderProgram>),
}

pub use shader::{ParamValue, ShaderError, ShaderProgram};

use crate::timeline::Easing;

/// The built-in transitions in WGSL; each `xfade_NAME` has the signature of `transition`.
const XFADE_WGSL: &str = include_str!("xfade.wgsl");

impl ShaderProgram {
    /// Compiles the built-in transition `kind` as a WGSL transition program.
    pub fn xfade(kind: XfadeKind) -> Result<ShaderProgram, ShaderError> {
        let source = format!(
            "{XFADE_WGSL}\nfn transition(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {{ return {}(uv, progress, ratio); }}\n",
            kind.wgsl_function()
        );
        ShaderProgram::wgsl(&format!("xfade:{}", kind.name()), &source, &[], &|_| {
            Err("built-in transitions have no images".into())
        })
    }
}

/// Where a transition's per-pixel function comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum TransitionSource {
    /// A built-in xfade transition.
    Xfade(XfadeKind),
    /// WGSL: from the file at `file`, or inline `source`.
    Wgsl {
        /// Path of the shader file.
        file: Option<String>,
        /// The shader text, when given inline.
        source: Option<String>,
    },
    /// gl-transitions GLSL: from the file at `file`, or inline `source`.
    Glsl {
        /// Path of the shader file.
        file: Option<String>,
        /// The shader text, when given inline.
        source: Option<String>,
    },
}

/// Why a transition's kind and its shader do not go together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceError {
    /// Neither an xfade name nor "wgsl" / "glsl".
    UnknownKind(String),
    /// A shader kind with neither a file nor a source.
    NeedsShader(String),
    /// A built-in kind given a shader.
    BuiltinWithShader(String),
    /// Both a file and a source.
    FileAndSource,
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceError::UnknownKind(k) => write!(
                f,
                "unknown transition kind {k:?}; expected \"wgsl\", \"glsl\" or an xfade name ({})",
                XfadeKind::ALL.map(|k| k.name()).join(", ")
            ),
            SourceError::NeedsShader(k) => {
                write!(f, "a {k} transition needs \"file\" or \"source\"")
            }
            SourceError::BuiltinWithShader(k) => write!(
                f,
                "{k:?} is built in: it takes no shader (kind \"wgsl\" or \"glsl\" does)"
            ),
            SourceError::FileAndSource => write!(f, "give either \"file\" or \"source\", not both"),
        }
    }
}

impl TransitionSource {
    /// The source of a transition of `kind` (an xfade name, "wgsl" or "glsl") given a shader
    /// `file` or inline `source`.
    pub fn new(
        kind: &str,
        file: Option<String>,
        source: Option<String>,
    ) -> Result<TransitionSource, SourceError> {
        let shader = file.is_some() || source.is_some();
        if file.is_some() && source.is_some() {
            return Err(SourceError::FileAndSource);
        }
        match kind {
            "wgsl" | "glsl" if !shader => Err(SourceError::NeedsShader(kind.into())),
            "wgsl" => Ok(TransitionSource::Wgsl { file, source }),
            "glsl" => Ok(TransitionSource::Glsl { file, source }),
            name => match name.parse::<XfadeKind>() {
                Ok(_) if shader => Err(SourceError::BuiltinWithShader(name.into())),
                Ok(k) => Ok(TransitionSource::Xfade(k)),
                Err(_) => Err(SourceError::UnknownKind(name.into())),
            },
        }
    }
}

/// A transition from one pad to another over a time range, as the timeline or the
/// `transitions` property give it.
#[derive(Debug, Clone, PartialEq)]
pub struct TransitionSpec {
    /// Pad shown at progress 0.
    pub from: String,
    /// Pad shown at progress 1.
    pub to: String,
    /// Stream time of progress 0, seconds.
    pub start: f64,
    /// Length in seconds, > 0.
    pub duration: f64,
    /// The per-pixel function.
    pub source: TransitionSource,
    /// User uniforms (and images) of a shader transition, by name.
    pub params: Vec<(String, ParamValue)>,
    /// Shape of the progress over the duration.
    pub easing: Easing,
    /// Where the transition was given (`ORIGIN:LINE:COLUMN` or `transitions[N]`), for messages.
    pub origin: String,
}

impl TransitionSpec {
    /// Eased progress at stream time `t`, or `None` outside `[start, start + duration)`.
    pub fn progress_at(&self, t: f64) -> Option<f64> {
        let u = (t - self.start) / self.duration;
        (0.0..1.0)
            .contains(&u)
            .then(|| self.easing.apply(u).clamp(0.0, 1.0))
    }

    /// The built-in kind or "wgsl" / "glsl", for messages.
    pub fn kind_name(&self) -> &'static str {
        match &self.source {
            TransitionSource::Xfade(k) => k.name(),
            TransitionSource::Wgsl { .. } => "wgsl",
            TransitionSource::Glsl { .. } => "glsl",
        }
    }
}

/// The transitions under way at stream time `t`, with their progress. A pad takes part in one
/// transition at a time: a later-starting transition that shares a pad with an earlier one
/// under way is left out (the parsers reject such overlaps).
pub fn active_at<'a, T: AsRef<TransitionSpec>>(transitions: &'a [T], t: f64) -> Vec<(&'a T, f64)> {
    let mut out: Vec<(&'a T, f64)> = Vec::new();
    for tr in transitions {
        let spec = tr.as_ref();
        let Some(p) = spec.progress_at(t) else {
            continue;
        };
        let busy = out.iter().any(|(o, _)| {
            let o = o.as_ref();
            [&o.from, &o.to].contains(&&spec.from) || [&o.from, &o.to].contains(&&spec.to)
        });
        if !busy {
            out.push((tr, p));
        }
    }
    out
}

/// The first pair of transitions that share a pad while both are under way.
pub fn find_overlap(transitions: &[TransitionSpec]) -> Option<(usize, usize)> {
    for (i, a) in transitions.iter().enumerate() {
        for (j, b) in transitions.iter().enumerate().skip(i + 1) {
            let share = [&a.from, &a.to].contains(&&b.from) || [&a.from, &a.to].contains(&&b.to);
            let overlap = a.start < b.start + b.duration && b.start < a.start + a.duration;
            if share && overlap {
                return Some((i, j));
            }
        }
    }
    None
}

impl AsRef<TransitionSpec> for TransitionSpec {
    fn as_ref(&self) -> &TransitionSpec {
        self
    }
}

/// One transition to draw in one output frame: layers `from` and `to` (indices into the frame's
/// layers) are not drawn on their own; their cards, each rendered onto a transparent frame, are
/// combined at `progress` and the result drawn at the z position of the upper of the two.
#[derive(Debug, Clone)]
pub struct TransitionDraw {
    /// Layer index shown at progress 0.
    pub from: usize,
    /// Layer index shown at progress 1.
    pub to: usize,
    /// 0 → 1, eased.
    pub progress: f32,
    /// The per-pixel function.
    pub kind: TransitionKind,
}
