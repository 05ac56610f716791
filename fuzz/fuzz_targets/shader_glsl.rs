//! The GLSL transition loader on arbitrary text: the naga front end, validation, the variable
//! budget and uniform reflection. Errors are fine; panics, hangs and huge allocations are not.
#![no_main]

use gstparallelcompositor::transition::ShaderProgram;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(source) = std::str::from_utf8(data) {
        let _ = ShaderProgram::glsl("fuzz.glsl", source, &[], &|_| Err("no images".into()));
    }
});
