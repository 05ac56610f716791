//! The example pipeline each element documents (module docs and gst-inspect-1.0's description,
//! from one file) is a pipeline GStreamer parses, with the element in it.

mod common;

use gst::prelude::*;

/// `text` without the shell's `gst-launch-1.0` and line continuations, as gst_parse_launch takes it.
fn launch_line(text: &str) -> String {
    text.replace("\\\n", " ")
        .trim()
        .strip_prefix("gst-launch-1.0")
        .expect("starts with gst-launch-1.0")
        .to_string()
}

#[test]
fn documented_examples_parse() {
    common::init();
    for (element, text) in [
        (
            "parallelcompositor",
            gstparallelcompositor::parallelcompositor::EXAMPLE_PIPELINE,
        ),
        (
            "framereorder",
            gstparallelcompositor::framereorder::EXAMPLE_PIPELINE,
        ),
    ] {
        let pipeline = common::launch(&launch_line(text));
        let found = pipeline
            .iterate_recurse()
            .into_iter()
            .filter_map(Result::ok)
            .any(|e| e.factory().is_some_and(|f| f.name() == element));
        assert!(found, "{element} is in its own example");
        let factory = gst::ElementFactory::find(element).expect("registered");
        let description = factory
            .metadata(gst::ELEMENT_METADATA_DESCRIPTION)
            .expect("a description");
        assert!(
            description.ends_with(text),
            "gst-inspect shows the same example"
        );
    }
}
