//! The error of a refused setting, shared by the value parsers of every group (its own file
//! so the groups do not depend on the module that gathers them).

/// Why a setting's value is refused; the command line prefixes it with the flag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidValue(String);

impl InvalidValue {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
