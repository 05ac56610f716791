//! The element's transitions: parsed from the `transitions` property (GstStructures) and the
//! timeline, compiled at start, and turned into per-frame draws.

use std::str::FromStr;
use std::sync::Arc;

use crate::timeline::{Easing, Timeline};
use crate::transition::{
    active_at, find_overlap, ParamValue, ShaderProgram, SourceError, TransitionDraw,
    TransitionKind, TransitionSource, TransitionSpec,
};

/// A transition ready to draw: what it was given as and its compiled per-pixel function.
#[derive(Debug)]
pub(super) struct Compiled {
    pub spec: TransitionSpec,
    pub kind: TransitionKind,
}

impl AsRef<TransitionSpec> for Compiled {
    fn as_ref(&self) -> &TransitionSpec {
        &self.spec
    }
}

/// Fields of a transition structure that are not shader uniforms.
const RESERVED: &[&str] = &[
    "from", "to", "start", "duration", "easing", "file", "source",
];

/// Splits `text` at `;` outside double quotes.
fn split_structures(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

fn number(value: &glib::SendValue) -> Option<f64> {
    if let Ok(v) = value.get::<f64>() {
        Some(v)
    } else if let Ok(v) = value.get::<f32>() {
        Some(v as f64)
    } else if let Ok(v) = value.get::<i32>() {
        Some(v as f64)
    } else if let Ok(v) = value.get::<u32>() {
        Some(v as f64)
    } else if let Ok(v) = value.get::<i64>() {
        Some(v as f64)
    } else if let Ok(v) = value.get::<u64>() {
        Some(v as f64)
    } else {
        None
    }
}

fn param(value: &glib::SendValue) -> Option<ParamValue> {
    if let Some(n) = number(value) {
        return Some(ParamValue::Number(n));
    }
    if let Ok(b) = value.get::<bool>() {
        return Some(ParamValue::Bool(b));
    }
    if let Ok(s) = value.get::<String>() {
        return Some(ParamValue::Text(s));
    }
    let items: Vec<glib::SendValue> = if let Ok(a) = value.get::<gst::Array>() {
        a.iter().cloned().collect()
    } else if let Ok(l) = value.get::<gst::List>() {
        l.iter().cloned().collect()
    } else {
        return None;
    };
    items
        .iter()
        .map(number)
        .collect::<Option<Vec<f64>>>()
        .map(ParamValue::Numbers)
}

/// One transition structure, e.g. `wipeleft, from=sink_0, to=sink_1, start=5.0, duration=1.0,
/// easing=ease-in-out` or `glsl, file=ripple.glsl, from=..., amplitude=2.0`.
fn spec_of(s: &gst::StructureRef, origin: String) -> Result<TransitionSpec, String> {
    let text = |name: &str| -> Result<Option<String>, String> {
        match s.value(name) {
            Ok(v) => v
                .get::<String>()
                .map(Some)
                .map_err(|_| format!("`{name}` must be a string")),
            Err(_) => Ok(None),
        }
    };
    let seconds = |name: &str| -> Result<f64, String> {
        let v = s
            .value(name)
            .map_err(|_| format!("missing `{name}` (seconds)"))?;
        number(v).ok_or_else(|| format!("`{name}` must be a number of seconds"))
    };
    let from = text("from")?.ok_or("missing `from` (a sink pad name)")?;
    let to = text("to")?.ok_or("missing `to` (a sink pad name)")?;
    if from == to {
        return Err(format!("a transition needs two pads, not {to:?} twice"));
    }
    let start = seconds("start")?;
    let duration = seconds("duration")?;
    if !(start.is_finite() && start >= 0.0) {
        return Err(format!("`start` must be a time >= 0, not {start}"));
    }
    if !(duration.is_finite() && duration > 0.0) {
        return Err(format!("`duration` must be positive, not {duration}"));
    }
    let easing = match text("easing")? {
        Some(e) => Easing::parse(&e)?,
        None => Easing::Linear,
    };
    let kind = s.name().as_str();
    // Structure fields are named as `field` here, where JSON quotes its members.
    let source =
        TransitionSource::new(kind, text("file")?, text("source")?).map_err(|e| match e {
            SourceError::NeedsShader(k) => format!("a {k} transition needs `file` or `source`"),
            SourceError::BuiltinWithShader(k) => format!("{k:?} is built in: it takes no shader"),
            SourceError::FileAndSource => "give either `file` or `source`, not both".into(),
            e => e.to_string(),
        })?;
    let mut params = Vec::new();
    for (name, value) in s.iter() {
        if RESERVED.contains(&name.as_str()) {
            continue;
        }
        let value = param(value).ok_or_else(|| {
            format!("parameter `{name}` must be a number, boolean, string or array of numbers")
        })?;
        params.push((name.to_string(), value));
    }
    if matches!(source, TransitionSource::Xfade(_)) && !params.is_empty() {
        return Err(format!("{kind:?} takes no parameters"));
    }
    Ok(TransitionSpec {
        from,
        to,
        start,
        duration,
        source,
        params,
        easing,
        origin,
    })
}

/// Parses the `transitions` property: GstStructures separated by `;`.
pub(super) fn parse_property(text: &str) -> Result<Vec<TransitionSpec>, String> {
    // gst::Structure::from_str panics on a NUL: the text goes to GStreamer as a C string.
    if let Some(at) = text.find('\0') {
        return Err(format!("a NUL character at byte {at}"));
    }
    split_structures(text)
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            let origin = format!("transitions[{i}]");
            let s = gst::Structure::from_str(part.trim())
                .map_err(|_| format!("{origin}: cannot parse {:?} as a structure", part.trim()))?;
            spec_of(&s, origin.clone()).map_err(|e| format!("{origin}: {e}"))
        })
        .collect()
}

/// Fuzzing hook (fuzz/fuzz_targets/transitions.rs): parses a `transitions` property text as the
/// element does, without compiling shaders; the number of transitions, or the error. Not API.
#[doc(hidden)]
pub fn parse_transitions_for_fuzzing(text: &str) -> Result<usize, String> {
    parse_property(text).map(|specs| specs.len())
}

/// Compiles every transition of the property and the timeline: shader files are read and
/// compiled here, so that a broken one stops the element before PLAYING.
pub(super) fn compile(
    property: Option<&str>,
    timeline: Option<&Timeline>,
    load_image: &dyn Fn(&str) -> Result<Arc<crate::effects::RgbaImage>, String>,
) -> Result<Vec<Compiled>, String> {
    let mut specs = match property {
        Some(text) => parse_property(text)?,
        None => Vec::new(),
    };
    if let Some(t) = timeline {
        specs.extend(t.transitions().iter().map(|s| TransitionSpec {
            origin: format!("timeline transition at {}", s.origin),
            ..s.clone()
        }));
    }
    specs.sort_by(|a, b| a.start.total_cmp(&b.start));
    if let Some((i, j)) = find_overlap(&specs) {
        let (a, b) = (&specs[i], &specs[j]);
        return Err(format!(
            "{} ({:?} -> {:?}, {} s to {} s) and {} ({:?} -> {:?}, {} s to {} s) share a pad at the same time",
            a.origin, a.from, a.to, a.start, a.start + a.duration,
            b.origin, b.from, b.to, b.start, b.start + b.duration
        ));
    }
    specs
        .into_iter()
        .map(|spec| {
            let kind = match &spec.source {
                TransitionSource::Xfade(k) => TransitionKind::Xfade(*k),
                TransitionSource::Wgsl { file, source }
                | TransitionSource::Glsl { file, source } => {
                    let (origin, text) = match (file, source) {
                        (Some(path), _) => (
                            path.clone(),
                            crate::files::read_text(path, "shader", crate::files::TEXT_LIMIT)
                                .map_err(|e| format!("{}: {e}", spec.origin))?,
                        ),
                        (None, Some(text)) => {
                            (format!("{} (inline shader)", spec.origin), text.clone())
                        }
                        (None, None) => return Err(format!("{}: no shader", spec.origin)),
                    };
                    let program = if matches!(spec.source, TransitionSource::Wgsl { .. }) {
                        ShaderProgram::wgsl(&origin, &text, &spec.params, load_image)
                    } else {
                        ShaderProgram::glsl(&origin, &text, &spec.params, load_image)
                    }
                    .map_err(|e| e.to_string())?;
                    TransitionKind::Shader(Arc::new(program))
                }
            };
            Ok(Compiled { spec, kind })
        })
        .collect()
}

/// The draws of the transitions under way at stream time `t` (seconds) between layers whose
/// pads are `names` (bottom first). A transition whose pads do not both have a frame is not
/// drawn: the pad that has one shows as its properties say.
pub(super) fn draws_at(transitions: &[Compiled], t: f64, names: &[String]) -> Vec<TransitionDraw> {
    active_at(transitions, t)
        .into_iter()
        .filter_map(|(c, progress)| {
            let from = names.iter().position(|n| *n == c.spec.from)?;
            let to = names.iter().position(|n| *n == c.spec.to)?;
            Some(TransitionDraw {
                from,
                to,
                progress: progress as f32,
                kind: c.kind.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transition::XfadeKind;

    /// Found by fuzz/fuzz_targets/transitions.rs: a NUL panicked in gst::Structure::from_str.
    #[test]
    fn property_with_nul_is_an_error() {
        gst::init().unwrap();
        let text = "glsl, from=sink_0, to=sink_1, start=2.0, an=/t@\0\0\0arget/1.0, duration=1.0";
        let e = parse_property(text).unwrap_err();
        assert!(e.contains("NUL"), "{e}");
        assert_eq!(parse_transitions_for_fuzzing(text), Err(e));
    }

    #[test]
    fn property_parses_structures() {
        gst::init().unwrap();
        let specs = parse_property(
            "wipeleft, from=sink_0, to=sink_1, start=5.0, duration=1.0, easing=ease-in; \
             glsl, file=\"a;b.glsl\", from=sink_1, to=sink_2, start=(int)9, duration=0.5, amplitude=2.0, direction=<1.0, 0.0>, invert=true",
        )
        .unwrap();
        assert_eq!(specs.len(), 2);
        assert_eq!(
            specs[0].source,
            TransitionSource::Xfade(XfadeKind::WipeLeft)
        );
        assert_eq!(specs[0].easing, Easing::EaseIn);
        assert_eq!(specs[1].start, 9.0);
        assert!(
            matches!(&specs[1].source, TransitionSource::Glsl { file: Some(f), .. } if f == "a;b.glsl")
        );
        assert_eq!(
            specs[1].params,
            vec![
                ("amplitude".to_string(), ParamValue::Number(2.0)),
                ("direction".to_string(), ParamValue::Numbers(vec![1.0, 0.0])),
                ("invert".to_string(), ParamValue::Bool(true)),
            ]
        );
        for (bad, why) in [
            (
                "nope, from=a, to=b, start=0.0, duration=1.0",
                "unknown transition kind",
            ),
            ("fade, from=a, to=b, start=0.0", "missing `duration`"),
            (
                "fade, from=a, to=b, start=0.0, duration=1.0, x=1.0",
                "takes no parameters",
            ),
            (
                "glsl, from=a, to=b, start=0.0, duration=1.0",
                "needs `file` or `source`",
            ),
            ("fade, from=a, to=a, start=0.0, duration=1.0", "two pads"),
        ] {
            let e = parse_property(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
            assert!(e.starts_with("transitions[0]: "), "{e}");
        }
    }

    #[test]
    fn draws_need_both_pads() {
        gst::init().unwrap();
        let c = compile(
            Some("fade, from=sink_0, to=sink_1, start=1.0, duration=2.0"),
            None,
            &|_| Err("none".into()),
        )
        .unwrap();
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let d = draws_at(&c, 2.0, &names(&["sink_1", "sink_0"]));
        assert_eq!((d[0].from, d[0].to, d[0].progress), (1, 0, 0.5));
        assert!(draws_at(&c, 2.0, &names(&["sink_0"])).is_empty());
        assert!(draws_at(&c, 3.0, &names(&["sink_0", "sink_1"])).is_empty());
    }
}
