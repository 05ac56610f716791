//! Card reads at the pixel's own position, found in a compiled transition program and turned
//! into single texel loads.
//!
//! A transition program reads its cards through a filtered read (GLSL's `getFromColor`, a
//! hardware linear sample; WGSL's `from_color`, four loads mixed in f32). Most transitions read
//! at least one card at the `uv` the program was called with, the pixel's own centre, where a
//! filtered read is that texel; on a software rasteriser (lavapipe) the filtered read costs
//! two to four times a load, and a shader branch saves nothing there (both sides run, masked).
//! So the choice is made here, once, on the module: a call of a card reader whose argument is
//! provably the pixel's `uv` calls the reader's at-pixel twin instead (the cards are the
//! output's size, both backends draw them so). The twin's texel is the filtered read's value
//! up to the read's own rounding of its coordinate.
//!
//! "Provably": the argument is the `uv` parameter of `transition` (called only by the entry
//! point), or a parameter of another function that every call passes such a value, or a local
//! variable that only ever holds one (GLSL's front end copies each parameter into one).

use std::collections::HashSet;

use naga::{Arena, Block, Expression, Function, Handle, Module, Statement};

use super::shader;

/// The user function the entry point calls with the pixel's uv as parameter 0.
const ENTRY_FUNCTION: &str = "transition";

/// Where a call is made.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Caller {
    Function(Handle<Function>),
    EntryPoint(usize),
}

/// One call: who makes it, what it calls, its arguments.
struct CallSite {
    caller: Caller,
    callee: Handle<Function>,
    arguments: Vec<Handle<Expression>>,
}

/// Redirects, in `module`, the calls of each `(reader, twin)` pair's reader (by function
/// name) whose argument is the pixel's own uv to the twin; returns how many calls it
/// redirected. Leaves the module as it was when a name is missing or the result would not
/// validate.
pub(crate) fn redirect(module: &mut Module, pairs: &[(&str, &str)]) -> usize {
    let find = |name: &str| {
        module
            .functions
            .iter()
            .find(|(_, f)| f.name.as_deref() == Some(name))
            .map(|(h, _)| h)
    };
    let Some(entry_fn) = find(ENTRY_FUNCTION) else {
        return 0;
    };
    let mut swaps = Vec::new();
    for (reader, twin) in pairs {
        match (find(reader), find(twin)) {
            (Some(r), Some(t)) => swaps.push((r, t)),
            _ => return 0,
        }
    }
    let sites = call_sites(module);
    // The pixel's uv reaches `transition` only if the entry point alone calls it (GLSL's
    // through `main`, a function that the entry point alone calls).
    let from_entry = |caller: Caller| match caller {
        Caller::EntryPoint(_) => true,
        Caller::Function(f) => {
            let mut calls = sites.iter().filter(|s| s.callee == f).peekable();
            calls.peek().is_some() && calls.all(|s| matches!(s.caller, Caller::EntryPoint(_)))
        }
    };
    if sites
        .iter()
        .any(|s| s.callee == entry_fn && !from_entry(s.caller))
    {
        return 0;
    }
    // Calls made by functions the entry points never reach do not count.
    let reachable = reachable(module, &sites);
    let sites: Vec<CallSite> = sites
        .into_iter()
        .filter(|s| match s.caller {
            Caller::EntryPoint(_) => true,
            Caller::Function(f) => reachable.contains(&f),
        })
        .collect();
    let pixel = pixel_parameters(module, entry_fn, &sites);
    let original = module.clone();
    let mut redirected = 0;
    let handles: Vec<Handle<Function>> = module.functions.iter().map(|(h, _)| h).collect();
    for h in handles {
        let function = &mut module.functions[h];
        let spills = pixel_spills(function, h, &pixel);
        let Function {
            body, expressions, ..
        } = function;
        // Redirected calls' result expressions, and the twin each now comes from.
        let mut results = Vec::new();
        visit_mut(body, &mut |statement| {
            if let Statement::Call {
                function: callee,
                arguments,
                result,
            } = statement
            {
                if let Some((_, twin)) = swaps.iter().find(|(r, _)| r == callee) {
                    if arguments.len() == 1
                        && is_pixel_uv(expressions, h, arguments[0], &pixel, &spills)
                    {
                        *callee = *twin;
                        results.extend(result.map(|r| (r, *twin)));
                        redirected += 1;
                    }
                }
            }
        });
        for (r, twin) in results {
            expressions[r] = Expression::CallResult(twin);
        }
    }
    if redirected > 0 && !valid(module) {
        *module = original;
        return 0;
    }
    redirected
}

/// Whether `module` passes the validation every transition module passes (a panic in naga
/// counts as a failure: a failed optimisation must not take the process).
fn valid(module: &Module) -> bool {
    shader::guarded(|| shader::validator().validate(module).is_ok()).unwrap_or(false)
}

/// Every call in `module`'s functions and entry points.
fn call_sites(module: &Module) -> Vec<CallSite> {
    let mut sites = Vec::new();
    let mut collect = |caller: Caller, body: &Block| {
        visit(body, &mut |statement| {
            if let Statement::Call {
                function,
                arguments,
                ..
            } = statement
            {
                sites.push(CallSite {
                    caller,
                    callee: *function,
                    arguments: arguments.clone(),
                });
            }
        });
    };
    for (h, f) in module.functions.iter() {
        collect(Caller::Function(h), &f.body);
    }
    for (i, e) in module.entry_points.iter().enumerate() {
        collect(Caller::EntryPoint(i), &e.function.body);
    }
    sites
}

/// The functions the entry points call, directly or not.
fn reachable(module: &Module, sites: &[CallSite]) -> HashSet<Handle<Function>> {
    let mut seen: HashSet<Handle<Function>> = HashSet::new();
    let mut todo: Vec<Handle<Function>> = sites
        .iter()
        .filter(|s| matches!(s.caller, Caller::EntryPoint(_)))
        .map(|s| s.callee)
        .collect();
    while let Some(f) = todo.pop() {
        if seen.insert(f) {
            todo.extend(
                sites
                    .iter()
                    .filter(|s| s.caller == Caller::Function(f))
                    .map(|s| s.callee),
            );
        }
    }
    debug_assert!(seen.iter().all(|f| module.functions.try_get(*f).is_ok()));
    seen
}

/// The (function, parameter) pairs that always hold the pixel's uv: `transition`'s first, then
/// any parameter that every call of its function (at least one) passes such a value.
fn pixel_parameters(
    module: &Module,
    entry_fn: Handle<Function>,
    sites: &[CallSite],
) -> HashSet<(Handle<Function>, usize)> {
    let mut pixel = HashSet::from([(entry_fn, 0)]);
    loop {
        let mut grown = false;
        for (h, f) in module.functions.iter() {
            for k in 0..f.arguments.len() {
                if pixel.contains(&(h, k)) {
                    continue;
                }
                let mut calls = sites.iter().filter(|s| s.callee == h).peekable();
                if calls.peek().is_none() {
                    continue;
                }
                let all = calls.all(|s| match s.caller {
                    Caller::Function(caller) => {
                        let cf = &module.functions[caller];
                        let spills = pixel_spills(cf, caller, &pixel);
                        s.arguments.get(k).is_some_and(|&e| {
                            is_pixel_uv(&cf.expressions, caller, e, &pixel, &spills)
                        })
                    }
                    Caller::EntryPoint(_) => false,
                });
                if all {
                    pixel.insert((h, k));
                    grown = true;
                }
            }
        }
        if !grown {
            return pixel;
        }
    }
}

/// Whether expression `e` of function `h` (its `expressions`) is the pixel's uv: a pixel
/// parameter, or a load of a local variable in `spills`.
fn is_pixel_uv(
    expressions: &Arena<Expression>,
    h: Handle<Function>,
    e: Handle<Expression>,
    pixel: &HashSet<(Handle<Function>, usize)>,
    spills: &HashSet<Handle<naga::LocalVariable>>,
) -> bool {
    match expressions[e] {
        Expression::FunctionArgument(k) => pixel.contains(&(h, k as usize)),
        Expression::Load { pointer } => {
            matches!(expressions[pointer], Expression::LocalVariable(l) if spills.contains(&l))
        }
        _ => false,
    }
}

/// The local variables of `f` (handle `h`) that only ever hold the pixel's uv: no initialiser,
/// stored exactly once, at the top of the body before any other statement but `Emit`, from a
/// pixel parameter; never stored through a part, never passed by pointer.
fn pixel_spills(
    f: &Function,
    h: Handle<Function>,
    pixel: &HashSet<(Handle<Function>, usize)>,
) -> HashSet<Handle<naga::LocalVariable>> {
    // The local variable a pointer expression points into, through any accesses.
    let root = |mut e: Handle<Expression>| loop {
        match f.expressions[e] {
            Expression::Access { base, .. } | Expression::AccessIndex { base, .. } => e = base,
            Expression::LocalVariable(l) => return Some(l),
            _ => return None,
        }
    };
    // Candidates: stored once at the top of the body, whole, from a pixel parameter.
    let mut candidates = HashSet::new();
    for statement in f.body.iter() {
        match statement {
            Statement::Emit(_) => {}
            Statement::Store { pointer, value } => {
                let whole = matches!(f.expressions[*pointer], Expression::LocalVariable(_));
                let from_pixel = matches!(f.expressions[*value],
                    Expression::FunctionArgument(k) if pixel.contains(&(h, k as usize)));
                match root(*pointer) {
                    Some(l) if whole && from_pixel && f.local_variables[l].init.is_none() => {
                        candidates.insert(l);
                    }
                    _ => break,
                }
            }
            _ => break,
        }
    }
    // Every write anywhere: a second store, or a pointer handed to a call, disqualifies.
    let mut stores: Vec<Handle<naga::LocalVariable>> = Vec::new();
    let mut escaped = HashSet::new();
    visit(&f.body, &mut |statement| match statement {
        Statement::Store { pointer, .. } => stores.extend(root(*pointer)),
        Statement::Call { arguments, .. } => {
            escaped.extend(arguments.iter().filter_map(|a| root(*a)))
        }
        _ => {}
    });
    candidates.retain(|l| !escaped.contains(l) && stores.iter().filter(|s| *s == l).count() == 1);
    candidates
}

/// Calls `each` on every statement of `block`, nested blocks included.
pub(super) fn visit(block: &Block, each: &mut dyn FnMut(&Statement)) {
    for statement in block.iter() {
        each(statement);
        match statement {
            Statement::Block(b) => visit(b, each),
            Statement::If { accept, reject, .. } => {
                visit(accept, each);
                visit(reject, each);
            }
            Statement::Switch { cases, .. } => {
                for case in cases {
                    visit(&case.body, each);
                }
            }
            Statement::Loop {
                body, continuing, ..
            } => {
                visit(body, each);
                visit(continuing, each);
            }
            _ => {}
        }
    }
}

/// [`visit`], mutably.
fn visit_mut(block: &mut Block, each: &mut dyn FnMut(&mut Statement)) {
    for statement in block.iter_mut() {
        each(statement);
        match statement {
            Statement::Block(b) => visit_mut(b, each),
            Statement::If { accept, reject, .. } => {
                visit_mut(accept, each);
                visit_mut(reject, each);
            }
            Statement::Switch { cases, .. } => {
                for case in cases {
                    visit_mut(&mut case.body, each);
                }
            }
            Statement::Loop {
                body, continuing, ..
            } => {
                visit_mut(body, each);
                visit_mut(continuing, each);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WGSL_PAIRS: &[(&str, &str)] = &[("from_color", "from_here"), ("to_color", "to_here")];

    /// A WGSL module with stand-in readers and twins, `transition` being `body`.
    fn wgsl(body: &str) -> Module {
        let source = format!(
            "var<private> pixel: vec2<f32>;\n\
             fn from_here(uv: vec2<f32>) -> vec4<f32> {{ return vec4<f32>(pixel, 0.0, 1.0); }}\n\
             fn to_here(uv: vec2<f32>) -> vec4<f32> {{ return vec4<f32>(pixel, 1.0, 1.0); }}\n\
             fn from_color(uv: vec2<f32>) -> vec4<f32> {{ return vec4<f32>(uv, 0.0, 1.0); }}\n\
             fn to_color(uv: vec2<f32>) -> vec4<f32> {{ return vec4<f32>(uv, 1.0, 1.0); }}\n\
             {body}\n\
             @fragment fn main(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {{\n\
                 pixel = pos.xy;\n\
                 return transition(pos.xy / 64.0, 0.5, 1.0);\n\
             }}\n"
        );
        naga::front::wgsl::parse_str(&source).expect("test module parses")
    }

    /// The names of the functions `caller` calls, in order.
    fn calls(module: &Module, caller: &str) -> Vec<String> {
        let (_, f) = module
            .functions
            .iter()
            .find(|(_, f)| f.name.as_deref() == Some(caller))
            .expect("caller exists");
        let mut names = Vec::new();
        visit(&f.body, &mut |s| {
            if let Statement::Call { function, .. } = s {
                names.extend(module.functions[*function].name.clone());
            }
        });
        names
    }

    #[test]
    fn reads_at_the_pixel_uv_go_to_the_twins_and_others_stay() {
        let mut m = wgsl(
            "fn transition(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {\n\
                 let p = uv + vec2<f32>(progress, 0.0);\n\
                 let same = uv;\n\
                 return from_color(p) + to_color(uv) + from_color(same);\n\
             }",
        );
        assert_eq!(redirect(&mut m, WGSL_PAIRS), 2);
        assert_eq!(
            calls(&m, "transition"),
            ["from_color", "to_here", "from_here"]
        );
        assert!(valid(&m));
    }

    #[test]
    fn a_helper_always_given_the_pixel_uv_reads_at_the_pixel() {
        let helpers = "fn both(q: vec2<f32>, k: f32) -> vec4<f32> { return from_color(q) * k + to_color(q); }\n\
             fn shifted(q: vec2<f32>) -> vec4<f32> { return to_color(q); }\n";
        let mut m = wgsl(&format!(
            "{helpers}fn transition(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {{\n\
                 return both(uv, progress) + both(uv, ratio) + shifted(uv * 0.5);\n\
             }}"
        ));
        assert_eq!(redirect(&mut m, WGSL_PAIRS), 2);
        assert_eq!(calls(&m, "both"), ["from_here", "to_here"]);
        // Given another uv at its one call: a filtered read.
        assert_eq!(calls(&m, "shifted"), ["to_color"]);
        // Called once with the pixel's uv and once not: filtered reads.
        let mut m = wgsl(&format!(
            "{helpers}fn transition(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> {{\n\
                 return both(uv, progress) + both(uv.yx, ratio) + shifted(uv);\n\
             }}"
        ));
        assert_eq!(redirect(&mut m, WGSL_PAIRS), 1);
        assert_eq!(calls(&m, "both"), ["from_color", "to_color"]);
        assert_eq!(calls(&m, "shifted"), ["to_here"]);
    }

    #[test]
    fn transition_called_by_the_user_keeps_its_reads() {
        // `transition` called by another function than the entry point's: its uv may be
        // another than the pixel's, and nothing is redirected.
        let mut m = wgsl(
            "fn transition(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> { return to_color(uv); }\n\
             fn twice(uv: vec2<f32>) -> vec4<f32> { return transition(uv * 2.0, 0.5, 1.0); }",
        );
        let before = format!("{m:?}");
        assert_eq!(redirect(&mut m, WGSL_PAIRS), 0);
        assert_eq!(format!("{m:?}"), before);
    }

    #[test]
    fn glsl_parameters_written_or_passed_out_keep_their_reads() {
        let glsl = |body: &str| {
            let source = format!(
                "#version 450\n\
                 layout(location = 0) out vec4 color;\n\
                 vec4 getFromColor(vec2 uv) {{ return vec4(uv, 0.0, 1.0); }}\n\
                 vec4 getToColor(vec2 uv) {{ return vec4(uv, 1.0, 1.0); }}\n\
                 vec4 from_here(vec2 uv) {{ return vec4(gl_FragCoord.xy, 0.0, 1.0); }}\n\
                 vec4 to_here(vec2 uv) {{ return vec4(gl_FragCoord.xy, 1.0, 1.0); }}\n\
                 void nudge(inout vec2 q) {{ q.x += 1.0; }}\n\
                 {body}\n\
                 void main() {{ color = transition(gl_FragCoord.xy / 64.0); }}\n"
            );
            let options = naga::front::glsl::Options::from(naga::ShaderStage::Fragment);
            naga::front::glsl::Frontend::default()
                .parse(&options, &source)
                .expect("test module parses")
        };
        let pairs = &[("getFromColor", "from_here"), ("getToColor", "to_here")];
        // Read only: both reads at the pixel.
        let mut m = glsl("vec4 transition(vec2 uv) { return getFromColor(uv) + getToColor(uv); }");
        assert_eq!(redirect(&mut m, pairs), 2);
        // Written before a read (whole, in part, or through `inout`): none.
        for body in [
            "vec4 transition(vec2 uv) { vec4 a = getToColor(uv); uv = uv * 2.0; return a + getFromColor(uv); }",
            "vec4 transition(vec2 uv) { uv.x = 1.0 - uv.x; return getFromColor(uv); }",
            "vec4 transition(vec2 uv) { nudge(uv); return getFromColor(uv); }",
        ] {
            let mut m = glsl(body);
            assert_eq!(redirect(&mut m, pairs), 0, "{body}");
        }
    }
}
