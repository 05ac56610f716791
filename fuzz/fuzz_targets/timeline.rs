//! The timeline JSON parser on arbitrary text: errors are fine, panics and hangs are not.
#![no_main]

use gstparallelcompositor::timeline::Timeline;
use libfuzzer_sys::fuzz_target;

/// The pad's animatable number properties (a fixed subset of `pad::animatable()`, which is private).
const PROPERTIES: &[&str] = &[
    "xpos",
    "ypos",
    "width",
    "height",
    "alpha",
    "zoom",
    "corner-radius",
];

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Timeline::parse(text, PROPERTIES);
    }
});
