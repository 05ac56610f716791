//! The element's `transitions` property parser (GstStructures → transition specs) on arbitrary
//! text, and the kind/shader pairing of `TransitionSource::new`.
#![no_main]

use gstparallelcompositor::parallelcompositor::parse_transitions_for_fuzzing;
use gstparallelcompositor::transition::TransitionSource;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| gst::init().expect("gst::init"));
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_transitions_for_fuzzing(text);
    // The first line as a kind, the rest as a file or an inline source.
    let (kind, rest) = text.split_once('\n').unwrap_or((text, ""));
    let rest = (!rest.is_empty()).then(|| rest.to_string());
    let _ = TransitionSource::new(kind, None, rest.clone());
    let _ = TransitionSource::new(kind, rest, None);
});
