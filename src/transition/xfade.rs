//! Placeholder: being written (XfadeKind::evaluate etc.).

/// Temporary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum XfadeKind {
    /// Temporary.
    Fade,
}
