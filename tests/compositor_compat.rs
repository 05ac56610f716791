//! parallelcompositor behaves like the stock `compositor` wherever a compositor user would expect
//! it to: every property that exists on both elements (and on both kinds of sink pad) has the
//! same type, range, default, nick and enum values, except for the differences listed here on
//! purpose. Compared through GObject introspection, so a change on either side shows up.

mod common;

use gst::glib;
use gst::prelude::*;

/// Properties that differ on purpose, and why.
const INTENDED: &[(&str, &str)] = &[
    // An export starts on black, not on compositor's checkerboard (its preview default).
    ("background:default", "black, not checker"),
    // Sub-pixel placement: positions and sizes are doubles in output pixels (GES >= 1.24 sets
    // them as doubles; 1.22 passes ints).
    ("xpos:type", "gdouble"),
    ("ypos:type", "gdouble"),
    ("width:type", "gdouble"),
    ("height:type", "gdouble"),
    // 0 = the input size (compositor: -1, or 0 with zero-size-is-unscaled, its default).
    ("width:default", "0"),
    ("height:default", "0"),
];

fn intended(what: &str) -> bool {
    INTENDED.iter().any(|(k, _)| *k == what)
}

/// (value, nick) pairs of an enum type.
fn enum_values(t: glib::Type) -> Vec<(i32, String)> {
    let class = glib::EnumClass::with_type(t).expect("an enum type");
    class
        .values()
        .iter()
        .map(|v| (v.value(), v.nick().to_string()))
        .collect()
}

/// The differences of the properties both objects have, as "name:aspect (stock vs ours)".
fn compare(stock: &[glib::ParamSpec], ours: &[glib::ParamSpec]) -> (Vec<String>, Vec<String>) {
    let mut diffs = Vec::new();
    let mut shared = Vec::new();
    for s in stock {
        let Some(o) = ours.iter().find(|o| o.name() == s.name()) else {
            continue;
        };
        shared.push(s.name().to_string());
        let name = s.name();
        let mut differ = |aspect: &str, a: String, b: String| {
            let key = format!("{name}:{aspect}");
            if a != b && !intended(&key) {
                diffs.push(format!("{key} ({a} vs {b})"));
            }
        };
        let (st, ot) = (s.value_type(), o.value_type());
        if st.is_a(glib::Type::ENUM) && ot.is_a(glib::Type::ENUM) {
            // Every stock value has the same number and nick here (ours may add more).
            let ours = enum_values(ot);
            for v in enum_values(st) {
                differ(
                    &format!("value {}", v.1),
                    format!("{:?}", Some(&v)),
                    format!("{:?}", ours.iter().find(|o| o.1 == v.1)),
                );
            }
            let nick = |p: &glib::ParamSpec| {
                p.default_value()
                    .get::<&glib::EnumValue>()
                    .map(|v| v.nick().to_string())
                    .unwrap_or_default()
            };
            differ("default", nick(s), nick(o));
        } else {
            differ("type", st.name().to_string(), ot.name().to_string());
            if st == ot {
                differ(
                    "default",
                    format!("{:?}", s.default_value()),
                    format!("{:?}", o.default_value()),
                );
                if let (Some(a), Some(b)) = (
                    s.downcast_ref::<glib::ParamSpecDouble>(),
                    o.downcast_ref::<glib::ParamSpecDouble>(),
                ) {
                    differ(
                        "range",
                        format!("{}..{}", a.minimum(), a.maximum()),
                        format!("{}..{}", b.minimum(), b.maximum()),
                    );
                }
            }
        }
        differ("nick", s.nick().to_string(), o.nick().to_string());
    }
    (diffs, shared)
}

#[test]
fn shared_properties_match_the_stock_compositor() {
    common::init();
    let stock = gst::ElementFactory::make("compositor")
        .build()
        .expect("compositor (gst-plugins-base) is installed");
    let ours = gst::ElementFactory::make("parallelcompositor")
        .build()
        .expect("parallelcompositor");
    let (diffs, shared) = compare(&stock.list_properties(), &ours.list_properties());
    assert!(diffs.is_empty(), "element properties: {diffs:#?}");
    assert!(shared.iter().any(|n| n == "background"), "{shared:?}");
    let (sp, op) = (
        stock.request_pad_simple("sink_%u").expect("stock pad"),
        ours.request_pad_simple("sink_%u").expect("our pad"),
    );
    let (diffs, shared) = compare(&sp.list_properties(), &op.list_properties());
    assert!(diffs.is_empty(), "pad properties: {diffs:#?}");
    for name in [
        "xpos",
        "ypos",
        "width",
        "height",
        "alpha",
        "operator",
        "sizing-policy",
        "zorder",
    ] {
        assert!(
            shared.iter().any(|n| n == name),
            "{name} compared: {shared:?}"
        );
    }
}

#[test]
fn background_and_operator_set_by_number_mean_what_they_mean_on_compositor() {
    common::init();
    let ours = gst::ElementFactory::make("parallelcompositor")
        .build()
        .expect("parallelcompositor");
    for (number, nick) in [
        (0, "checker"),
        (1, "black"),
        (2, "white"),
        (3, "transparent"),
    ] {
        ours.set_property_from_str("background", &number.to_string());
        let v = ours.property_value("background");
        let v = v.get::<&glib::EnumValue>().expect("an enum");
        assert_eq!(v.nick(), nick, "background={number}");
    }
    let pad = ours.request_pad_simple("sink_%u").expect("pad");
    for (number, nick) in [(0, "source"), (1, "over"), (2, "add")] {
        pad.set_property_from_str("operator", &number.to_string());
        let v = pad.property_value("operator");
        assert_eq!(
            v.get::<&glib::EnumValue>().expect("an enum").nick(),
            nick,
            "operator={number}"
        );
    }
}
