//! Timelines: zoom segments and keyframed pad properties over stream time, parsed from JSON.
//!
//! ```json
//! {
//!   "zoom": [{ "pad": "sink_0", "start": 0, "end": 12, "scale": 1.8, "centre": [0.3, 0.4],
//!              "easing": "ease-in-out", "ramp": 2 }],
//!   "keyframes": [{ "pad": "sink_1", "property": "alpha", "time": 5, "value": 0 },
//!                 { "pad": "sink_1", "property": "alpha", "time": 6, "value": 1, "easing": "ease-in" }],
//!   "transitions": [{ "from": "sink_0", "to": "sink_1", "start": 5, "duration": 1, "kind": "fade" },
//!                   { "from": "sink_1", "to": "sink_2", "start": 9, "duration": 0.5, "kind": "glsl",
//!                     "file": "ripple.glsl", "params": { "amplitude": 2.0 }, "easing": "ease-in-out" }]
//! }
//! ```
//!
//! Times are stream time in seconds. Every error, syntactic or not, carries the line and column
//! of the offending value, since timelines are written by hand.

pub mod easing;
pub mod json;

use std::collections::BTreeMap;
use std::fmt;

pub use easing::Easing;
use json::{Pos, Spanned, Value};

use crate::transition::{find_overlap, ParamValue, SourceError, TransitionSource, TransitionSpec};

/// Why a timeline was rejected, and where: at the offending value, or at the object that lacks
/// a required member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// What was wrong, saying what was expected.
    pub message: String,
}

impl TimelineError {
    fn at(pos: Pos, message: impl Into<String>) -> Self {
        TimelineError {
            line: pos.line,
            column: pos.column,
            message: message.into(),
        }
    }
}

impl fmt::Display for TimelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for TimelineError {}

/// The zoom of one pad at one instant: magnification and the point (in 0..1 of the frame) zoomed into.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Zoom {
    /// Magnification, 1 meaning the whole frame.
    pub scale: f64,
    /// Point zoomed into, as fractions of width and height.
    pub centre: (f64, f64),
}

/// A period during which a pad is zoomed in: it ramps up from 1 to `scale`, holds, and ramps back.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoomSegment {
    /// Pad zoomed.
    pub pad: String,
    /// Start of the ramp in, in seconds.
    pub start: f64,
    /// End of the ramp out, in seconds; greater than `start`.
    pub end: f64,
    /// Magnification held between the ramps; at least 1.
    pub scale: f64,
    /// Point zoomed into, each coordinate in 0..1.
    pub centre: (f64, f64),
    /// Shape of the ramps; the ramp out mirrors the ramp in.
    pub easing: Easing,
    /// Effective ramp duration in seconds: the requested one, capped at half the segment so
    /// the ramps never overlap. 0 means a cut.
    pub ramp: f64,
}

impl ZoomSegment {
    /// Scale at `t`, which must lie in `start..end`.
    fn scale_at(&self, t: f64) -> f64 {
        let eased = if self.ramp <= 0.0 {
            1.0
        } else if t < self.start + self.ramp {
            self.easing.apply((t - self.start) / self.ramp)
        } else if t > self.end - self.ramp {
            self.easing.apply((self.end - t) / self.ramp)
        } else {
            1.0
        };
        1.0 + (self.scale - 1.0) * eased
    }
}

/// A keyframe of a track: the track reaches `value` at `time`, arriving along `easing`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Keyframe {
    /// Time in seconds, >= 0.
    pub time: f64,
    /// Value of the property at `time`.
    pub value: f64,
    /// Shape of the interpolation from the previous keyframe to this one.
    pub easing: Easing,
}

/// Zoom segments per pad and keyframe tracks per (pad, property), ready to be sampled per frame.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    /// Per pad, sorted by start and non-overlapping.
    zooms: BTreeMap<String, Vec<ZoomSegment>>,
    /// Per pad and property, sorted by strictly increasing time; never empty.
    tracks: BTreeMap<String, BTreeMap<String, Vec<Keyframe>>>,
    /// Sorted by start; no pad in two at once.
    transitions: Vec<TransitionSpec>,
}

impl Timeline {
    /// Parses a timeline; `properties` are the property names keyframes may animate.
    pub fn parse(text: &str, properties: &[&str]) -> Result<Timeline, TimelineError> {
        let root = json::parse(text).or_else(|(pos, message)| fail(pos, message))?;
        let o = Object::new(&root, "the timeline", &["zoom", "keyframes", "transitions"])?;
        let mut timeline = Timeline::default();

        let mut segments = Vec::new();
        for v in o.array("zoom")? {
            segments.push((v.pos, zoom_segment(v)?));
        }
        segments.sort_by(|a, b| a.1.start.total_cmp(&b.1.start)); // stable: ties keep file order
        for (pos, segment) in segments {
            let list = timeline.zooms.entry(segment.pad.clone()).or_default();
            if let Some(prev) = list.last().filter(|prev| segment.start < prev.end) {
                let (pad, start, end) = (&prev.pad, prev.start, prev.end);
                return fail(
                    pos,
                    format!(
                        "zoom segment overlaps the one of pad {pad:?} from {start} s to {end} s"
                    ),
                );
            }
            list.push(segment);
        }

        let mut keyframes = Vec::new();
        for v in o.array("keyframes")? {
            keyframes.push(keyframe(v, properties)?);
        }
        keyframes.sort_by(|a, b| a.3.time.total_cmp(&b.3.time));
        for (time_pos, pad, property, key) in keyframes {
            let track = timeline
                .tracks
                .entry(pad.into())
                .or_default()
                .entry(property.into())
                .or_default();
            if track.last().is_some_and(|last| last.time == key.time) {
                let time = key.time;
                return fail(
                    time_pos,
                    format!("pad {pad:?} already has a keyframe of {property:?} at {time} s"),
                );
            }
            track.push(key);
        }

        let mut transitions = Vec::new();
        for v in o.array("transitions")? {
            transitions.push((v.pos, transition(v)?));
        }
        transitions.sort_by(|a, b| a.1.start.total_cmp(&b.1.start));
        let (positions, specs): (Vec<Pos>, Vec<TransitionSpec>) = transitions.into_iter().unzip();
        if let Some((i, j)) = find_overlap(&specs) {
            let a = &specs[i];
            return fail(
                positions[j],
                format!(
                    "this transition shares a pad with the one from {:?} to {:?} at {} s to {} s",
                    a.from,
                    a.to,
                    a.start,
                    a.start + a.duration
                ),
            );
        }
        timeline.transitions = specs;
        Ok(timeline)
    }

    /// Whether the timeline animates nothing.
    pub fn is_empty(&self) -> bool {
        self.zooms.is_empty() && self.tracks.is_empty() && self.transitions.is_empty()
    }

    /// The transitions, sorted by start. Their `origin` is "line L, column C" of the entry;
    /// shader files named relative are relative to the working directory.
    pub fn transitions(&self) -> &[TransitionSpec] {
        &self.transitions
    }

    /// The zoom of `pad` at time `t`, or `None` when no segment zooms that pad.
    ///
    /// Outside every segment the scale is 1 and the centre is that of the nearest segment in
    /// time, so that the centre only changes while the scale is 1, where it has no effect.
    pub fn zoom_at(&self, pad: &str, t: f64) -> Option<Zoom> {
        let segments = self.zooms.get(pad)?;
        // Segments are half-open [start, end) so that a cut (ramp 0) ends at `end`.
        let next = segments.partition_point(|s| s.end <= t);
        if let Some(s) = segments.get(next).filter(|s| s.start <= t) {
            return Some(Zoom {
                scale: s.scale_at(t),
                centre: s.centre,
            });
        }
        let nearest = match (
            next.checked_sub(1).and_then(|i| segments.get(i)),
            segments.get(next),
        ) {
            (Some(before), Some(after)) if after.start - t < t - before.end => after,
            (Some(before), _) => before,
            (None, after) => after?,
        };
        Some(Zoom {
            scale: 1.0,
            centre: nearest.centre,
        })
    }

    /// The value of `property` of `pad` at time `t`, or `None` when it has no keyframes.
    ///
    /// Before the first keyframe it is the first value, after the last the last value. Between
    /// keyframes k and k+1 it is `v_k + (v_{k+1} − v_k)·E_{k+1}(u)`, with u the linear progress
    /// between their times and E_{k+1} the easing of the keyframe being approached.
    pub fn value_at(&self, pad: &str, property: &str, t: f64) -> Option<f64> {
        let track = self.tracks.get(pad)?.get(property)?;
        let next = track.partition_point(|k| k.time <= t);
        Some(
            match (
                next.checked_sub(1).and_then(|i| track.get(i)),
                track.get(next),
            ) {
                (Some(a), Some(b)) => {
                    a.value + (b.value - a.value) * b.easing.apply((t - a.time) / (b.time - a.time))
                }
                (Some(only), None) | (None, Some(only)) => only.value,
                (None, None) => return None,
            },
        )
    }

    /// The (pad, property) pairs that have keyframes, sorted.
    pub fn tracks(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.tracks.iter().flat_map(|(pad, props)| {
            props
                .keys()
                .map(move |property| (pad.as_str(), property.as_str()))
        })
    }

    /// The pads that have zoom segments, sorted.
    pub fn zoom_pads(&self) -> impl Iterator<Item = &str> + '_ {
        self.zooms.keys().map(String::as_str)
    }

    /// The zoom segments of `pad`, sorted by start.
    pub fn zoom_segments(&self, pad: &str) -> &[ZoomSegment] {
        self.zooms.get(pad).map_or(&[], Vec::as_slice)
    }

    /// The keyframes of `property` of `pad`, sorted by time.
    pub fn keyframes(&self, pad: &str, property: &str) -> &[Keyframe] {
        self.tracks
            .get(pad)
            .and_then(|props| props.get(property))
            .map_or(&[], Vec::as_slice)
    }
}

type Res<T> = Result<T, TimelineError>;

fn fail<T>(pos: Pos, message: impl Into<String>) -> Res<T> {
    Err(TimelineError::at(pos, message))
}

/// "a, b or c", for listing what was expected.
fn or_list(items: &[&str]) -> String {
    match items {
        [] => "nothing".into(),
        [only] => (*only).into(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn wrong_type<T>(v: &Spanned, expected: &str, key: &str) -> Res<T> {
    let found = v.value.kind();
    fail(
        v.pos,
        format!("expected {expected} for {key:?}, found {found}"),
    )
}

/// A finite number satisfying `valid`; `rule` says what `valid` demands.
fn number(v: &Spanned, key: &str, valid: impl Fn(f64) -> bool, rule: &str) -> Res<f64> {
    match v.value {
        Value::Number(n) if !n.is_finite() => fail(v.pos, format!("{key:?} must be finite")),
        Value::Number(n) if !valid(n) => fail(v.pos, format!("{key:?} {rule}, found {n}")),
        Value::Number(n) => Ok(n),
        _ => wrong_type(v, "a number", key),
    }
}

const NON_NEGATIVE: &str = "must not be negative";

/// A JSON object read as `what` ("a keyframe"), whose members are fetched by name.
struct Object<'a> {
    v: &'a Spanned,
    members: &'a [(String, Pos, Spanned)],
    what: &'static str,
}

impl<'a> Object<'a> {
    /// Rejects members not in `allowed`, so that typos are reported rather than ignored.
    fn new(v: &'a Spanned, what: &'static str, allowed: &[&str]) -> Res<Self> {
        let Value::Object(members) = &v.value else {
            return fail(
                v.pos,
                format!("expected an object for {what}, found {}", v.value.kind()),
            );
        };
        if let Some((key, pos, _)) = members
            .iter()
            .find(|(k, ..)| !allowed.contains(&k.as_str()))
        {
            let expected = or_list(allowed);
            return fail(
                *pos,
                format!("unknown member {key:?} in {what}; expected {expected}"),
            );
        }
        Ok(Object { v, members, what })
    }

    fn get(&self, key: &str) -> Option<&'a Spanned> {
        self.members
            .iter()
            .find(|(k, ..)| k == key)
            .map(|(.., v)| v)
    }

    /// Member `key`: `None` when absent and `optional`, an error when absent otherwise.
    fn member(&self, key: &str, optional: bool) -> Res<Option<&'a Spanned>> {
        match self.get(key) {
            None if !optional => fail(
                self.v.pos,
                format!("missing member {key:?} in {}", self.what),
            ),
            found => Ok(found),
        }
    }

    /// Array member `key`; absent means empty.
    fn array(&self, key: &str) -> Res<&'a [Spanned]> {
        match self.get(key) {
            None => Ok(&[]),
            Some(Spanned {
                value: Value::Array(items),
                ..
            }) => Ok(items),
            Some(v) => wrong_type(v, "an array", key),
        }
    }

    /// String member `key`, or `default` when absent; required when there is no default.
    fn string(&self, key: &str, default: Option<&'a str>) -> Res<&'a str> {
        match self.member(key, default.is_some())? {
            Some(Spanned {
                value: Value::String(s),
                ..
            }) => Ok(s),
            Some(v) => wrong_type(v, "a string", key),
            None => Ok(default.unwrap_or_default()),
        }
    }

    /// Number member `key`, or `default` when absent; required when there is no default.
    fn number(
        &self,
        key: &str,
        default: Option<f64>,
        valid: impl Fn(f64) -> bool,
        rule: &str,
    ) -> Res<f64> {
        match self.member(key, default.is_some())? {
            Some(v) => number(v, key, valid, rule),
            None => Ok(default.unwrap_or_default()),
        }
    }

    fn easing(&self, default: Easing) -> Res<Easing> {
        match self.get("easing") {
            Some(v) => Easing::parse(self.string("easing", None)?).or_else(|e| fail(v.pos, e)),
            None => Ok(default),
        }
    }

    /// Where member `key` starts, or where the object does if it is absent.
    fn pos(&self, key: &str) -> Pos {
        self.get(key).map_or(self.v.pos, |v| v.pos)
    }
}

fn zoom_segment(v: &Spanned) -> Res<ZoomSegment> {
    let allowed = [
        "pad", "start", "end", "scale", "centre", "center", "easing", "ramp",
    ];
    let o = Object::new(v, "a zoom segment", &allowed)?;
    let start = o.number("start", None, |t| t >= 0.0, NON_NEGATIVE)?;
    let end_rule = format!("must be greater than \"start\" ({start} s)");
    let end = o.number("end", None, |end| end > start, &end_rule)?;
    let scale = o.number("scale", None, |s| s >= 1.0, "must be at least 1")?;
    let ramp = o.number("ramp", Some(1.0), |r| r >= 0.0, NON_NEGATIVE)?;
    let centre = match (o.get("centre"), o.get("center")) {
        (Some(_), Some(v)) => return fail(v.pos, "give either \"centre\" or \"center\", not both"),
        (Some(v), None) => point(v, "centre")?,
        (None, Some(v)) => point(v, "center")?,
        (None, None) => (0.5, 0.5),
    };
    let pad = o.string("pad", Some("sink_0"))?.to_owned();
    let easing = o.easing(Easing::EaseInOut)?;
    let ramp = ramp.min((end - start) / 2.0);
    Ok(ZoomSegment {
        pad,
        start,
        end,
        scale,
        centre,
        easing,
        ramp,
    })
}

fn point(v: &Spanned, key: &str) -> Res<(f64, f64)> {
    let unit = |c| {
        number(
            c,
            key,
            |n| (0.0..=1.0).contains(&n),
            "coordinates must lie in 0..1",
        )
    };
    match &v.value {
        Value::Array(items) => match items.as_slice() {
            [x, y] => Ok((unit(x)?, unit(y)?)),
            _ => fail(
                v.pos,
                format!("{key:?} must have two numbers, found {}", items.len()),
            ),
        },
        _ => wrong_type(v, "an array", key),
    }
}

/// A keyframe with the position of its time (for duplicate-time errors), its pad and property.
fn keyframe<'a>(v: &'a Spanned, properties: &[&str]) -> Res<(Pos, &'a str, &'a str, Keyframe)> {
    let o = Object::new(
        v,
        "a keyframe",
        &["pad", "property", "time", "value", "easing"],
    )?;
    let pad = o.string("pad", None)?;
    let property = o.string("property", None)?;
    if !properties.contains(&property) {
        let expected = or_list(properties);
        return fail(
            o.pos("property"),
            format!("unknown property {property:?}; expected {expected}"),
        );
    }
    let time = o.number("time", None, |t| t >= 0.0, NON_NEGATIVE)?;
    let value = o.number("value", None, |_| true, "")?;
    let easing = o.easing(Easing::Linear)?;
    Ok((
        o.pos("time"),
        pad,
        property,
        Keyframe {
            time,
            value,
            easing,
        },
    ))
}

fn transition(v: &Spanned) -> Res<TransitionSpec> {
    let allowed = [
        "from", "to", "start", "duration", "kind", "file", "source", "params", "easing",
    ];
    let o = Object::new(v, "a transition", &allowed)?;
    let from = o.string("from", None)?.to_owned();
    let to = o.string("to", None)?.to_owned();
    if from == to {
        return fail(
            o.pos("to"),
            format!("a transition needs two pads, not {to:?} twice"),
        );
    }
    let start = o.number("start", None, |t| t >= 0.0, NON_NEGATIVE)?;
    let duration = o.number("duration", None, |d| d > 0.0, "must be positive")?;
    let kind = o.string("kind", None)?;
    let file = o.get("file").map(|_| o.string("file", None)).transpose()?;
    let source = o
        .get("source")
        .map(|_| o.string("source", None))
        .transpose()?;
    let source = TransitionSource::new(kind, file.map(str::to_owned), source.map(str::to_owned))
        .or_else(|e| {
            let at = match e {
                SourceError::UnknownKind(_) => o.pos("kind"),
                SourceError::NeedsShader(_) => o.v.pos,
                SourceError::BuiltinWithShader(_) => {
                    o.pos(if file.is_some() { "file" } else { "source" })
                }
                SourceError::FileAndSource => o.pos("source"),
            };
            fail(at, e.to_string())
        })?;
    let mut params = Vec::new();
    if let Some(p) = o.get("params") {
        let Value::Object(members) = &p.value else {
            return wrong_type(p, "an object", "params");
        };
        if matches!(source, TransitionSource::Xfade(_)) && !members.is_empty() {
            return fail(p.pos, format!("{kind:?} takes no parameters"));
        }
        for (name, _, value) in members {
            let value = match &value.value {
                Value::Number(_) => ParamValue::Number(number(value, name, |_| true, "")?),
                Value::Bool(b) => ParamValue::Bool(*b),
                Value::String(s) => ParamValue::Text(s.clone()),
                Value::Array(items) => ParamValue::Numbers(
                    items
                        .iter()
                        .map(|i| number(i, name, |_| true, ""))
                        .collect::<Res<Vec<f64>>>()?,
                ),
                _ => return wrong_type(value, "a number, boolean, string or array", name),
            };
            params.push((name.clone(), value));
        }
    }
    let easing = o.easing(Easing::Linear)?;
    Ok(TransitionSpec {
        from,
        to,
        start,
        duration,
        source,
        params,
        easing,
        origin: format!("line {}, column {}", v.pos.line, v.pos.column),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transition::XfadeKind;
    use proptest::prelude::*;

    const PROPS: &[&str] = &["alpha", "xpos", "ypos"];

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn the_documented_example_parses() {
        let text = r#"{
  "zoom": [
    { "pad": "sink_0", "start": 0.0, "end": 12.0, "scale": 1.8, "centre": [0.3, 0.4], "easing": "cubic-bezier(0.333, 0, 0.667, 1)", "ramp": 2.0 }
  ],
  "keyframes": [
    { "pad": "sink_1", "property": "alpha", "time": 5.0, "value": 0.0 },
    { "pad": "sink_1", "property": "alpha", "time": 6.0, "value": 1.0, "easing": "ease-in-out" }
  ]
}"#;
        let timeline = Timeline::parse(text, PROPS).unwrap();
        assert!(!timeline.is_empty());
        assert_eq!(timeline.zoom_pads().collect::<Vec<_>>(), ["sink_0"]);
        assert_eq!(timeline.tracks().collect::<Vec<_>>(), [("sink_1", "alpha")]);
        assert_eq!(
            timeline.zoom_at("sink_0", 6.0),
            Some(Zoom {
                scale: 1.8,
                centre: (0.3, 0.4)
            })
        );
        assert_eq!(timeline.zoom_at("sink_1", 6.0), None);
        assert_eq!(
            timeline.value_at("sink_1", "alpha", 5.5),
            Some(Easing::EaseInOut.apply(0.5))
        );
        assert_eq!(timeline.value_at("sink_0", "alpha", 5.5), None);
        assert_eq!(Timeline::parse("{}", PROPS), Ok(Timeline::default()));
        assert!(Timeline::parse(r#"{"zoom": [], "keyframes": []}"#, PROPS)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn zoom_ramps_holds_and_keeps_the_nearest_centre() {
        let text = r#"{"zoom": [
            {"start": 20, "end": 30, "scale": 2, "center": [0.2, 0.8], "ramp": 4},
            {"start": 2, "end": 10, "scale": 3, "easing": "linear", "ramp": 2},
            {"pad": "sink_2", "start": 1, "end": 3, "scale": 5, "ramp": 0},
            {"pad": "sink_3", "start": 1, "end": 3, "scale": 5, "ramp": 9, "easing": "linear"}
        ]}"#;
        let timeline = Timeline::parse(text, PROPS).unwrap();
        let at = |pad, t| timeline.zoom_at(pad, t).map(|z| (z.scale, z.centre));
        let (mid, corner) = ((0.5, 0.5), (0.2, 0.8));
        assert_eq!(at("sink_0", 0.0), Some((1.0, mid))); // before everything
        assert_eq!(at("sink_0", 3.0), Some((2.0, mid))); // halfway up the ramp in
        assert_eq!(at("sink_0", 6.0), Some((3.0, mid))); // hold
        assert_eq!(at("sink_0", 9.5), Some((1.5, mid))); // ramp out, mirrored
        assert_eq!(at("sink_0", 10.0), Some((1.0, mid)));
        assert_eq!(at("sink_0", 14.0), Some((1.0, mid))); // between, nearer the first
        assert_eq!(at("sink_0", 17.0), Some((1.0, corner))); // between, nearer the second
        assert_eq!(at("sink_0", 22.0), Some((1.5, corner))); // ease-in-out at its midpoint
        assert_eq!(at("sink_0", 40.0), Some((1.0, corner)));
        assert_eq!(at("sink_2", 0.99), Some((1.0, mid))); // a cut
        assert_eq!(at("sink_2", 1.0), Some((5.0, mid)));
        assert_eq!(at("sink_2", 2.99), Some((5.0, mid)));
        assert_eq!(at("sink_2", 3.0), Some((1.0, mid)));
        assert_eq!(timeline.zoom_segments("sink_3")[0].ramp, 1.0); // capped at half the segment
        assert_eq!(at("sink_3", 2.0), Some((5.0, mid)));
        assert_eq!(at("sink_3", 1.5), Some((3.0, mid)));
    }

    #[test]
    fn keyframes_interpolate_towards_the_next_easing() {
        let text = r#"{"keyframes": [
            {"pad": "sink_1", "property": "alpha", "time": 8, "value": 0.5},
            {"pad": "sink_1", "property": "alpha", "time": 5, "value": 0},
            {"pad": "sink_1", "property": "alpha", "time": 6, "value": 1, "easing": "ease-in"},
            {"pad": "sink_0", "property": "xpos", "time": 1, "value": -4}
        ]}"#;
        let timeline = Timeline::parse(text, PROPS).unwrap();
        let alpha = |t| timeline.value_at("sink_1", "alpha", t).unwrap();
        assert_eq!(alpha(0.0), 0.0);
        assert_eq!(alpha(5.0), 0.0);
        assert!(close(alpha(5.5), Easing::EaseIn.apply(0.5)));
        assert!(alpha(5.5) < 0.5, "ease-in starts slowly");
        assert_eq!(alpha(6.0), 1.0);
        assert!(close(alpha(7.0), 0.75)); // linear, the easing of the keyframe at 8
        assert_eq!(alpha(8.0), 0.5);
        assert_eq!(alpha(100.0), 0.5);
        assert_eq!(timeline.value_at("sink_0", "xpos", 0.0), Some(-4.0));
        assert_eq!(timeline.value_at("sink_0", "xpos", 9.0), Some(-4.0));
        assert_eq!(
            timeline.tracks().collect::<Vec<_>>(),
            [("sink_0", "xpos"), ("sink_1", "alpha")]
        );
        assert_eq!(timeline.keyframes("sink_1", "alpha").len(), 3);
    }

    #[test]
    fn errors_point_at_the_offending_value() {
        let kf = |rest: &str| format!("{{\"keyframes\": [\n  {{\"pad\": \"sink_1\", {rest}}}\n]}}");
        let zoom =
            |rest: &str| format!("{{\"zoom\": [\n  {{\"start\": 1, \"end\": 3, {rest}}}\n]}}");
        let cases = [
            ("{\"zom\": []}".to_string(), 1, 2, "unknown member \"zom\" in the timeline; expected zoom, keyframes or transitions"),
            ("[1]".into(), 1, 1, "expected an object for the timeline, found an array"),
            ("{\n\"zoom\": {}}".into(), 2, 9, "expected an array for \"zoom\", found an object"),
            ("{\"zoom\": [\n 7]}".into(), 2, 2, "expected an object for a zoom segment, found a number"),
            ("{\n \"zoom\": [1,,2]}".into(), 2, 13, "expected a value, found ','"),
            (zoom("\"scale\": \"2\""), 2, 35, "expected a number for \"scale\", found a string"),
            (zoom("\"scale\": 0.5"), 2, 35, "\"scale\" must be at least 1, found 0.5"),
            (zoom("\"scale\": 1e999"), 2, 35, "\"scale\" must be finite"),
            (zoom("\"sclae\": 2"), 2, 26, "unknown member \"sclae\" in a zoom segment; expected pad, start, end, scale, centre, center, easing or ramp"),
            ("{\"zoom\": [\n  {\"start\": 1, \"scale\": 2}]}".into(), 2, 3, "missing member \"end\" in a zoom segment"),
            ("{\"zoom\": [\n  {\"start\": 3,\n   \"end\": 1, \"scale\": 2}]}".into(), 3, 11, "\"end\" must be greater than \"start\" (3 s), found 1"),
            (zoom("\"scale\": 2, \"ramp\": -1"), 2, 46, "\"ramp\" must not be negative, found -1"),
            (zoom("\"scale\": 2, \"centre\": [0.5, 1.5]"), 2, 54, "\"centre\" coordinates must lie in 0..1, found 1.5"),
            (zoom("\"scale\": 2, \"centre\": [0.5]"), 2, 48, "\"centre\" must have two numbers, found 1"),
            (zoom("\"scale\": 2, \"centre\": [0.5, 0.5], \"center\": [0.5, 0.5]"), 2, 70, "give either \"centre\" or \"center\", not both"),
            (zoom("\"scale\": 2, \"easing\": \"bounce\""), 2, 48, "expected one of linear, ease-in, ease-out, ease-in-out, cubic-bezier(x1, y1, x2, y2), spring(stiffness, damping, mass); found \"bounce\""),
            (zoom("\"scale\": 2, \"easing\": \"cubic-bezier(2, 0, 1, 1)\""), 2, 48, "cubic-bezier x1 and x2 must lie in 0..1"),
            (
                "{\"zoom\": [\n  {\"start\": 5, \"end\": 9, \"scale\": 2},\n  {\"pad\": \"sink_1\", \"start\": 0, \"end\": 9, \"scale\": 2},\n  {\"start\": 0, \"end\": 6, \"scale\": 2}\n]}".into(),
                2, 3, "zoom segment overlaps the one of pad \"sink_0\" from 0 s to 6 s",
            ),
            (kf("\"property\": \"alhpa\", \"time\": 1, \"value\": 0"), 2, 33, "unknown property \"alhpa\"; expected alpha, xpos or ypos"),
            (kf("\"property\": \"alpha\", \"time\": -1, \"value\": 0"), 2, 50, "\"time\" must not be negative, found -1"),
            (kf("\"property\": \"alpha\", \"time\": 1"), 2, 3, "missing member \"value\" in a keyframe"),
            (kf("\"property\": \"alpha\", \"time\": 1, \"value\": null"), 2, 62, "expected a number for \"value\", found null"),
            ("{\"keyframes\": [\n  {\"property\": \"alpha\", \"time\": 1, \"value\": 0}]}".into(), 2, 3, "missing member \"pad\" in a keyframe"),
            (
                "{\"keyframes\": [\n  {\"pad\": \"a\", \"property\": \"xpos\", \"time\": 2, \"value\": 0},\n  {\"pad\": \"a\", \"property\": \"xpos\", \"time\": 2, \"value\": 1}]}".into(),
                3, 44, "pad \"a\" already has a keyframe of \"xpos\" at 2 s",
            ),
        ];
        for (text, line, column, message) in cases {
            let want = TimelineError {
                line,
                column,
                message: message.into(),
            };
            assert_eq!(Timeline::parse(&text, PROPS), Err(want), "{text}");
        }
        let err = Timeline::parse("{", PROPS).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1, column 2: unexpected end of input, expected a string key"
        );
    }

    #[test]
    fn transitions_parse_and_schedule() {
        let text = r#"{"transitions": [
  {"from": "sink_1", "to": "sink_2", "start": 9, "duration": 0.5, "kind": "glsl",
   "file": "ripple.glsl", "params": {"amplitude": 2, "dir": [1, 0], "invert": true, "luma": "l.png"}},
  {"from": "sink_0", "to": "sink_1", "start": 5, "duration": 1, "kind": "wipeleft", "easing": "ease-in"}]}"#;
        let tl = Timeline::parse(text, PROPS).unwrap();
        let tr = tl.transitions();
        assert_eq!(tr.len(), 2);
        assert_eq!(tr[0].source, TransitionSource::Xfade(XfadeKind::WipeLeft));
        assert_eq!(tr[0].origin, "line 4, column 3");
        assert_eq!(
            tr[1].params,
            vec![
                ("amplitude".to_string(), ParamValue::Number(2.0)),
                ("dir".to_string(), ParamValue::Numbers(vec![1.0, 0.0])),
                ("invert".to_string(), ParamValue::Bool(true)),
                ("luma".to_string(), ParamValue::Text("l.png".into())),
            ]
        );
        assert!(
            matches!(&tr[1].source, TransitionSource::Glsl { file: Some(f), source: None } if f == "ripple.glsl")
        );
        assert_eq!(tr[0].progress_at(4.999), None);
        assert_eq!(tr[0].progress_at(5.0), Some(0.0));
        assert!(close(
            tr[0].progress_at(5.5).unwrap(),
            Easing::EaseIn.apply(0.5)
        ));
        assert_eq!(tr[0].progress_at(6.0), None);
        let active = crate::transition::active_at(tr, 9.25);
        assert_eq!(active.len(), 1);
        assert!(close(active[0].1, 0.5));
    }

    #[test]
    fn transition_errors_have_positions() {
        let cases = [
            (
                r#"{"transitions": [{"from": "a", "to": "b", "start": 0, "duration": 1, "kind": "nope"}]}"#,
                1,
                78,
                "unknown transition kind \"nope\"",
            ),
            (
                r#"{"transitions": [{"from": "a", "to": "b", "start": 0, "duration": 0, "kind": "fade"}]}"#,
                1,
                67,
                "\"duration\" must be positive",
            ),
            (
                r#"{"transitions": [{"from": "a", "to": "a", "start": 0, "duration": 1, "kind": "fade"}]}"#,
                1,
                38,
                "needs two pads",
            ),
            (
                r#"{"transitions": [{"from": "a", "to": "b", "start": 0, "duration": 1, "kind": "wgsl"}]}"#,
                1,
                18,
                "needs \"file\" or \"source\"",
            ),
            (
                r#"{"transitions": [{"from": "a", "to": "b", "start": 0, "duration": 1, "kind": "fade", "params": {"x": 1}}]}"#,
                1,
                96,
                "takes no parameters",
            ),
            (
                r#"{"transitions": [{"from": "a", "to": "b", "start": 0, "duration": 2, "kind": "fade"},
 {"from": "b", "to": "c", "start": 1, "duration": 1, "kind": "fade"}]}"#,
                2,
                2,
                "shares a pad",
            ),
        ];
        for (text, line, column, message) in cases {
            let e = Timeline::parse(text, PROPS).unwrap_err();
            assert_eq!((e.line, e.column), (line, column), "{text}: {e}");
            assert!(e.message.contains(message), "{text}: {e}");
        }
    }

    fn monotonic_easing() -> impl Strategy<Value = Easing> {
        prop_oneof![
            Just(Easing::Linear),
            Just(Easing::EaseIn),
            Just(Easing::EaseOut),
            Just(Easing::EaseInOut),
            // x1, x2 away from 0 and 1 bound the slope, so small steps in t give small steps in value.
            (0.05..0.95, 0.0..=1.0, 0.05..0.95, 0.0..=1.0)
                .prop_map(|(x1, y1, x2, y2)| Easing::CubicBezier { x1, y1, x2, y2 }),
        ]
    }

    /// Segments as (gap before, duration, scale, ramp, centre, easing).
    type SegmentSpec = (f64, f64, f64, f64, (f64, f64), Easing);

    fn zoom_json(specs: &[SegmentSpec]) -> String {
        let mut t = 0.0;
        let items: Vec<String> = specs
            .iter()
            .map(|&(gap, duration, scale, ramp, (x, y), easing)| {
                t += gap;
                let item = format!(
                    r#"{{"start": {t}, "end": {}, "scale": {scale}, "ramp": {ramp}, "centre": [{x}, {y}], "easing": "{easing}"}}"#,
                    t + duration
                );
                t += duration;
                item
            })
            .collect();
        format!(r#"{{"zoom": [{}]}}"#, items.join(", "))
    }

    proptest! {
        #[test]
        fn zoom_is_continuous_and_bounded(
            specs in proptest::collection::vec(
                (0.0..5.0, 0.5..10.0, 1.0..4.0, 0.1..3.0, (0.0..=1.0, 0.0..=1.0), monotonic_easing()), 1..4),
            samples in proptest::collection::vec(-1.0..40.0, 16),
        ) {
            let timeline = Timeline::parse(&zoom_json(&specs), PROPS).unwrap();
            let max_scale = specs.iter().map(|s| s.2).fold(1.0, f64::max);
            let mut times = samples;
            for s in timeline.zoom_segments("sink_0") {
                times.extend([s.start, s.start + s.ramp, s.end - s.ramp, s.end]);
            }
            let dt = 1e-7;
            for t in times {
                let (a, b) = (timeline.zoom_at("sink_0", t - dt).unwrap(), timeline.zoom_at("sink_0", t + dt).unwrap());
                prop_assert!((1.0 - 1e-12..=max_scale + 1e-12).contains(&a.scale));
                prop_assert!((a.scale - b.scale).abs() < 1e-3, "scale jumps at {}: {} to {}", t, a.scale, b.scale);
                // The visible offset of the zoomed window, (1 − 1/scale)·centre, must not jump either.
                let offset = |z: Zoom| ((1.0 - 1.0 / z.scale) * z.centre.0, (1.0 - 1.0 / z.scale) * z.centre.1);
                let (oa, ob) = (offset(a), offset(b));
                prop_assert!((oa.0 - ob.0).abs() < 1e-3 && (oa.1 - ob.1).abs() < 1e-3, "offset jumps at {}", t);
            }
        }

        #[test]
        fn keyframes_stay_within_the_track_range(
            keys in proptest::collection::vec((0.01..5.0, -100.0..100.0, monotonic_easing()), 1..6),
            samples in proptest::collection::vec(-1.0..30.0, 16),
        ) {
            let mut time = 0.0;
            let items: Vec<String> = keys.iter().map(|&(step, value, easing)| {
                time += step;
                format!(r#"{{"pad": "p", "property": "alpha", "time": {time}, "value": {value}, "easing": "{easing}"}}"#)
            }).collect();
            let timeline = Timeline::parse(&format!(r#"{{"keyframes": [{}]}}"#, items.join(", ")), PROPS).unwrap();
            let (lo, hi) = keys.iter().fold((f64::MAX, f64::MIN), |(lo, hi), k| (lo.min(k.1), hi.max(k.1)));
            for t in samples {
                let v = timeline.value_at("p", "alpha", t).unwrap();
                prop_assert!(lo - 1e-9 <= v && v <= hi + 1e-9, "{} outside {}..{} at {}", v, lo, hi, t);
            }
            for key in timeline.keyframes("p", "alpha") {
                prop_assert_eq!(timeline.value_at("p", "alpha", key.time), Some(key.value));
            }
        }

        #[test]
        fn parse_never_panics(text in ".*") {
            let _ = Timeline::parse(&text, PROPS);
        }

        #[test]
        fn parse_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = Timeline::parse(&String::from_utf8_lossy(&bytes), PROPS);
        }

        #[test]
        fn parse_never_panics_on_near_timelines(
            text in r#"\{"(zoom|keyframes)": \[\{("(pad|start|end|scale|centre|ramp|easing|property|time|value)": ("sink_0"|"alpha"|-?[0-9]{1,3}(\.[0-9])?|\[[0-9.]{1,3}, ?[0-9.]{1,3}\]|"ease-in"|null), ?){0,6}\}\]\}"#
        ) {
            let _ = Timeline::parse(&text, PROPS);
        }
    }
}
