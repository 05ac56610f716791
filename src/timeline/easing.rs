//! Easing curves: map linear progress `u` in 0..1 to eased progress.
//!
//! The named curves and `cubic-bezier` follow CSS, so timelines drafted in web tools look alike.

use std::fmt;
use std::str::FromStr;

/// How far from its rest position a spring may be and still count as settled.
const SETTLE_TOLERANCE: f64 = 1e-3;

/// What [`Easing::parse`] accepts, quoted in its errors.
const EXPECTED: &str = "linear, ease-in, ease-out, ease-in-out, cubic-bezier(x1, y1, x2, y2), \
                        spring(stiffness, damping, mass)";

/// An easing curve, written in timelines as `linear`, `ease-in-out`, `cubic-bezier(…)` or `spring(…)`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Easing {
    /// Constant speed.
    #[default]
    Linear,
    /// CSS `ease-in`, i.e. `cubic-bezier(0.42, 0, 1, 1)`.
    EaseIn,
    /// CSS `ease-out`, i.e. `cubic-bezier(0, 0, 0.58, 1)`.
    EaseOut,
    /// CSS `ease-in-out`, i.e. `cubic-bezier(0.42, 0, 0.58, 1)`.
    EaseInOut,
    /// CSS `cubic-bezier`: the curve through (0,0), (x1,y1), (x2,y2), (1,1). `x1` and `x2` must lie
    /// in 0..1 so that progress is a function of time; `y1` and `y2` may overshoot.
    CubicBezier {
        /// Time coordinate of the first control point.
        x1: f64,
        /// Progress coordinate of the first control point.
        y1: f64,
        /// Time coordinate of the second control point.
        x2: f64,
        /// Progress coordinate of the second control point.
        y2: f64,
    },
    /// A damped spring released at 0 with no velocity, pulled towards 1; see [`Easing::apply`].
    Spring {
        /// Spring constant k (> 0).
        stiffness: f64,
        /// Damping coefficient c (> 0).
        damping: f64,
        /// Mass m (> 0).
        mass: f64,
    },
}

impl Easing {
    /// Eased progress for linear progress `u`, clamped to 0..1; exactly 0 at `u <= 0` (and NaN)
    /// and exactly 1 at `u >= 1`, so keyframe values are hit exactly.
    ///
    /// A spring is simulated for its settling time T, the time after which it stays within 1e-3
    /// of 1, and `u` maps to time `u·T`. To land exactly on 1 without a jump, the remaining
    /// error is blended in linearly: `apply(u) = x(u·T) + u·(1 − x(T))`.
    pub fn apply(&self, u: f64) -> f64 {
        if u.is_nan() || u <= 0.0 {
            return 0.0;
        }
        if u >= 1.0 {
            return 1.0;
        }
        match *self {
            Easing::Linear => u,
            Easing::EaseIn => cubic_bezier(0.42, 0.0, 1.0, 1.0, u),
            Easing::EaseOut => cubic_bezier(0.0, 0.0, 0.58, 1.0, u),
            Easing::EaseInOut => cubic_bezier(0.42, 0.0, 0.58, 1.0, u),
            Easing::CubicBezier { x1, y1, x2, y2 } => cubic_bezier(x1, y1, x2, y2, u),
            Easing::Spring {
                stiffness,
                damping,
                mass,
            } => {
                let spring = Spring::new(stiffness, damping, mass);
                let t = spring.settling_time();
                if !(t.is_finite() && t > 0.0) {
                    return u; // parameters so extreme that the physics overflows
                }
                spring.position(u * t) + u * (1.0 - spring.position(t))
            }
        }
    }

    /// Parses the timeline syntax (whitespace tolerant); the error says what was expected.
    pub fn parse(text: &str) -> Result<Easing, String> {
        let text = text.trim();
        let (name, args) = match text.find('(') {
            Some(open) => (text[..open].trim_end(), text[open + 1..].strip_suffix(')')),
            None => (text, None),
        };
        match (name, args) {
            ("linear", None) => Ok(Easing::Linear),
            ("ease-in", None) => Ok(Easing::EaseIn),
            ("ease-out", None) => Ok(Easing::EaseOut),
            ("ease-in-out", None) => Ok(Easing::EaseInOut),
            ("cubic-bezier", Some(args)) => {
                let [x1, y1, x2, y2] = numbers(name, args)?;
                if !(0.0..=1.0).contains(&x1) || !(0.0..=1.0).contains(&x2) {
                    return Err("cubic-bezier x1 and x2 must lie in 0..1".into());
                }
                Ok(Easing::CubicBezier { x1, y1, x2, y2 })
            }
            ("spring", Some(args)) => {
                let [stiffness, damping, mass] = numbers(name, args)?;
                if [stiffness, damping, mass].iter().any(|&v| v <= 0.0) {
                    return Err("spring parameters must be positive".into());
                }
                Ok(Easing::Spring {
                    stiffness,
                    damping,
                    mass,
                })
            }
            _ => Err(format!("expected one of {EXPECTED}; found {text:?}")),
        }
    }
}

impl FromStr for Easing {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Easing::parse(text)
    }
}

/// Prints the syntax [`Easing::parse`] reads; f64's `Display` round-trips exactly.
impl fmt::Display for Easing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Easing::Linear => f.write_str("linear"),
            Easing::EaseIn => f.write_str("ease-in"),
            Easing::EaseOut => f.write_str("ease-out"),
            Easing::EaseInOut => f.write_str("ease-in-out"),
            Easing::CubicBezier { x1, y1, x2, y2 } => {
                write!(f, "cubic-bezier({x1}, {y1}, {x2}, {y2})")
            }
            Easing::Spring {
                stiffness,
                damping,
                mass,
            } => write!(f, "spring({stiffness}, {damping}, {mass})"),
        }
    }
}

/// Parses exactly `N` comma-separated finite numbers.
fn numbers<const N: usize>(name: &str, args: &str) -> Result<[f64; N], String> {
    let parts: Vec<&str> = args.split(',').map(str::trim).collect();
    if parts.len() != N {
        return Err(format!("{name} expects {N} numbers, found {}", parts.len()));
    }
    let mut out = [0.0; N];
    for (slot, part) in out.iter_mut().zip(parts) {
        *slot = part
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("expected a finite number in {name}(…), found {part:?}"))?;
    }
    Ok(out)
}

/// Power-form coefficients (a, b, c) of the Bézier component with end points 0 and 1:
/// B(s) = ((a·s + b)·s + c)·s, cheaper to evaluate than the Bernstein form.
fn coefficients(p1: f64, p2: f64) -> [f64; 3] {
    let c = 3.0 * p1;
    let b = 3.0 * (p2 - p1) - c;
    [1.0 - c - b, b, c]
}

fn eval([a, b, c]: [f64; 3], s: f64) -> f64 {
    ((a * s + b) * s + c) * s
}

fn slope([a, b, c]: [f64; 3], s: f64) -> f64 {
    (3.0 * a * s + 2.0 * b) * s + c
}

/// CSS cubic-bezier: solve x(s) = u, return y(s). Newton converges in a few steps for typical
/// curves; bisection is the fallback where x is nearly flat, since x is monotonic for x1, x2 in 0..1.
fn cubic_bezier(x1: f64, y1: f64, x2: f64, y2: f64, u: f64) -> f64 {
    let cx = coefficients(x1, x2);
    let y = |s| eval(coefficients(y1, y2), s);
    let mut s = u;
    for _ in 0..8 {
        let err = eval(cx, s) - u;
        if err.abs() < 1e-14 {
            return y(s);
        }
        let d = slope(cx, s);
        if d.abs() < 1e-9 {
            break;
        }
        s -= err / d;
        if !(0.0..=1.0).contains(&s) {
            break;
        }
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..64 {
        s = 0.5 * (lo + hi);
        if eval(cx, s) < u {
            lo = s;
        } else {
            hi = s;
        }
    }
    y(s)
}

/// A mass on a damped spring, released at 0 with zero velocity, at rest at 1.
struct Spring {
    /// Undamped angular frequency ω0 = sqrt(k/m).
    omega: f64,
    /// Damping ratio ζ = c / (2·sqrt(k·m)).
    zeta: f64,
}

impl Spring {
    fn new(stiffness: f64, damping: f64, mass: f64) -> Self {
        Spring {
            omega: (stiffness / mass).sqrt(),
            zeta: damping / (2.0 * (stiffness * mass).sqrt()),
        }
    }

    fn critical(&self) -> bool {
        (self.zeta - 1.0).abs() <= 1e-9
    }

    /// Closed-form position at time `t` for the three damping regimes.
    fn position(&self, t: f64) -> f64 {
        let (w, z) = (self.omega, self.zeta);
        if self.critical() {
            1.0 - (1.0 + w * t) * (-w * t).exp()
        } else if z < 1.0 {
            let wd = w * (1.0 - z * z).sqrt();
            1.0 - (-z * w * t).exp() * ((wd * t).cos() + z * w / wd * (wd * t).sin())
        } else {
            // r1 written without the cancellation of -ω0·(ζ − sqrt(ζ² − 1)).
            let q = (z * z - 1.0).sqrt();
            let (r1, r2) = (-w / (z + q), -w * (z + q));
            1.0 - (r2 * (r1 * t).exp() - r1 * (r2 * t).exp()) / (r2 - r1)
        }
    }

    /// Time after which |1 − x| stays below [`SETTLE_TOLERANCE`]: from the decay envelope
    /// e^(−ζω0t)/sqrt(1 − ζ²) when underdamped, else by bisection since x then rises monotonically.
    fn settling_time(&self) -> f64 {
        let (w, z) = (self.omega, self.zeta);
        if z < 1.0 && !self.critical() {
            return -(SETTLE_TOLERANCE * (1.0 - z * z).sqrt()).ln() / (z * w);
        }
        let unsettled = |t| 1.0 - self.position(t) > SETTLE_TOLERANCE;
        let (mut lo, mut hi) = (0.0, 1.0 / w);
        for _ in 0..2100 {
            if !unsettled(hi) {
                break;
            }
            (lo, hi) = (hi, hi * 2.0);
        }
        for _ in 0..64 {
            let mid = 0.5 * (lo + hi);
            if unsettled(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Bernstein form, written independently of the power form used by the implementation.
    fn bernstein(p1: f64, p2: f64, s: f64) -> f64 {
        3.0 * (1.0 - s).powi(2) * s * p1 + 3.0 * (1.0 - s) * s * s * p2 + s.powi(3)
    }

    fn bezier(x1: f64, y1: f64, x2: f64, y2: f64) -> Easing {
        Easing::CubicBezier { x1, y1, x2, y2 }
    }

    fn spring(stiffness: f64, damping: f64, mass: f64) -> Easing {
        Easing::Spring {
            stiffness,
            damping,
            mass,
        }
    }

    fn all_kinds() -> Vec<Easing> {
        vec![
            Easing::Linear,
            Easing::EaseIn,
            Easing::EaseOut,
            Easing::EaseInOut,
            bezier(0.1, -0.5, 0.9, 1.7),
            spring(100.0, 4.0, 1.0),
            spring(4.0, 4.0, 1.0),
            spring(1.0, 5.0, 1.0),
        ]
    }

    #[test]
    fn endpoints_are_exact() {
        for e in all_kinds() {
            for (u, want) in [
                (0.0, 0.0),
                (-3.0, 0.0),
                (f64::NAN, 0.0),
                (1.0, 1.0),
                (7.0, 1.0),
            ] {
                assert_eq!(e.apply(u), want, "{e} at {u}");
            }
        }
    }

    #[test]
    fn thirds_bezier_is_smoothstep() {
        let e = bezier(1.0 / 3.0, 0.0, 2.0 / 3.0, 1.0);
        for i in 0..=100 {
            let u = f64::from(i) / 100.0;
            assert!(
                (e.apply(u) - (3.0 * u * u - 2.0 * u.powi(3))).abs() < 1e-9,
                "u = {u}"
            );
        }
    }

    #[test]
    fn ease_in_out_is_symmetric() {
        for i in 0..=100 {
            let u = f64::from(i) / 100.0;
            assert!(
                (Easing::EaseInOut.apply(u) + Easing::EaseInOut.apply(1.0 - u) - 1.0).abs() < 1e-9
            );
        }
    }

    /// Checks `apply` against x(u·T) + u·(1 − x(T)) for an independently written x.
    fn check_spring(e: Easing, t_settle: f64, x: impl Fn(f64) -> f64) {
        for u in [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99] {
            let want = x(u * t_settle) + u * (1.0 - x(t_settle));
            assert!(
                (e.apply(u) - want).abs() < 1e-9,
                "{e} at {u}: {} vs {want}",
                e.apply(u)
            );
        }
    }

    #[test]
    fn spring_underdamped_matches_closed_form() {
        // ω0 = 10, ζ = 0.2; amplitude-phase form of the same solution.
        let (w, z) = (10.0_f64, 0.2_f64);
        let wd = w * (1.0 - z * z).sqrt();
        let phi = (z / (1.0 - z * z).sqrt()).atan();
        let x = |t: f64| 1.0 - (-z * w * t).exp() / (1.0 - z * z).sqrt() * (wd * t - phi).cos();
        let t_settle = (1000.0 / (1.0 - z * z).sqrt()).ln() / (z * w);
        let e = spring(100.0, 4.0, 1.0);
        check_spring(e, t_settle, x);
        assert!(
            (0..100).any(|i| e.apply(f64::from(i) / 100.0) > 1.0),
            "an underdamped spring overshoots"
        );
    }

    #[test]
    fn spring_critically_damped_matches_closed_form() {
        // ω0 = 2, ζ = 1.
        let x = |t: f64| 1.0 - (1.0 + 2.0 * t) * (-2.0 * t).exp();
        let t_settle = Spring::new(4.0, 4.0, 1.0).settling_time();
        assert!((1.0 - x(t_settle) - SETTLE_TOLERANCE).abs() < 1e-12);
        check_spring(spring(4.0, 4.0, 1.0), t_settle, x);
    }

    #[test]
    fn spring_overdamped_matches_closed_form() {
        // Roots of r² + 5r + 1 = 0 (m = 1, c = 5, k = 1).
        let (r1, r2) = (
            (-5.0 + 21.0_f64.sqrt()) / 2.0,
            (-5.0 - 21.0_f64.sqrt()) / 2.0,
        );
        let x = |t: f64| 1.0 + (r2 * (r1 * t).exp() - r1 * (r2 * t).exp()) / (r1 - r2);
        let t_settle = Spring::new(1.0, 5.0, 1.0).settling_time();
        assert!((1.0 - x(t_settle) - SETTLE_TOLERANCE).abs() < 1e-12);
        check_spring(spring(1.0, 5.0, 1.0), t_settle, x);
    }

    #[test]
    fn parse_errors_say_what_was_expected() {
        let cases = [
            (
                "bounce",
                format!("expected one of {EXPECTED}; found \"bounce\""),
            ),
            (
                "linear()",
                format!("expected one of {EXPECTED}; found \"linear()\""),
            ),
            (
                "cubic-bezier(0, 0, 1",
                format!("expected one of {EXPECTED}; found \"cubic-bezier(0, 0, 1\""),
            ),
            (
                "cubic-bezier(1.2, 0, 0.5, 1)",
                "cubic-bezier x1 and x2 must lie in 0..1".into(),
            ),
            (
                "cubic-bezier(0, 0, 1)",
                "cubic-bezier expects 4 numbers, found 3".into(),
            ),
            (
                "cubic-bezier(0, x, 1, 1)",
                "expected a finite number in cubic-bezier(…), found \"x\"".into(),
            ),
            (
                "spring(1, inf, 1)",
                "expected a finite number in spring(…), found \"inf\"".into(),
            ),
            (
                "spring(1, 0, 1)",
                "spring parameters must be positive".into(),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(Easing::parse(text), Err(want), "{text}");
        }
        assert_eq!(
            Easing::parse("  cubic-bezier ( 0.25,-1 ,0.75 , 2 ) "),
            Ok(bezier(0.25, -1.0, 0.75, 2.0))
        );
    }

    fn valid_easing() -> impl Strategy<Value = Easing> {
        prop_oneof![
            Just(Easing::Linear),
            Just(Easing::EaseIn),
            Just(Easing::EaseOut),
            Just(Easing::EaseInOut),
            (0.0..=1.0, -2.0..3.0, 0.0..=1.0, -2.0..3.0)
                .prop_map(|(x1, y1, x2, y2)| Easing::CubicBezier { x1, y1, x2, y2 }),
            (1e-3..1e3, 1e-3..1e3, 1e-3..1e3).prop_map(|(stiffness, damping, mass)| {
                Easing::Spring {
                    stiffness,
                    damping,
                    mass,
                }
            }),
        ]
    }

    proptest! {
        #[test]
        fn bezier_hits_its_curve(x1 in 0.0..=1.0, y1 in -1.0..2.0, x2 in 0.0..=1.0, y2 in -1.0..2.0, s in 0.0..=1.0) {
            let e = Easing::CubicBezier { x1, y1, x2, y2 };
            prop_assert!((e.apply(bernstein(x1, x2, s)) - bernstein(y1, y2, s)).abs() < 1e-7);
        }

        #[test]
        fn bezier_in_unit_box_is_monotonic(
            x1 in 0.0..=1.0, y1 in 0.0..=1.0, x2 in 0.0..=1.0, y2 in 0.0..=1.0, a in 0.0..=1.0, b in 0.0..=1.0
        ) {
            let e = Easing::CubicBezier { x1, y1, x2, y2 };
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(e.apply(lo) <= e.apply(hi) + 1e-7);
        }

        #[test]
        fn valid_easings_stay_finite(e in valid_easing(), u in -1.0..2.0) {
            prop_assert!(e.apply(u).is_finite());
        }

        #[test]
        fn display_round_trips(e in valid_easing()) {
            prop_assert_eq!(Easing::parse(&e.to_string()), Ok(e));
        }

        #[test]
        fn parse_never_panics(text in ".*") {
            let _ = Easing::parse(&text);
        }
    }
}
