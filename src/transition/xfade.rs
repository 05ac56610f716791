//! Placeholder: being written (XfadeKind::evaluate etc.).

/// Temporary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum XfadeKind {
    /// Temporary.
    Fade,
    /// Temporary.
    WipeLeft,
}

impl XfadeKind {
    /// Temporary.
    pub const ALL: [XfadeKind; 2] = [XfadeKind::Fade, XfadeKind::WipeLeft];
    /// Temporary.
    pub fn name(self) -> &'static str {
        match self {
            XfadeKind::Fade => "fade",
            XfadeKind::WipeLeft => "wipeleft",
        }
    }
    /// Temporary.
    pub fn wgsl_function(self) -> &'static str {
        match self {
            XfadeKind::Fade => "xfade_fade",
            XfadeKind::WipeLeft => "xfade_wipeleft",
        }
    }
}

impl std::str::FromStr for XfadeKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        XfadeKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("unknown transition {s}"))
    }
}
