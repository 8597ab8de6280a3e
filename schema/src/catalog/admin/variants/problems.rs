//! Validation reports every problem of an input at once, each under its field path, so a
//! client can mark all offending fields in one round trip.

use crate::common::user_error::{ErrorCode, UserError};

/// Collects user errors under a field path prefix (`["input", "variants", "0"]`).
pub(crate) struct Problems<'a> {
    pub prefix: &'a [String],
    pub errors: &'a mut Vec<UserError>,
}

impl<'a> Problems<'a> {
    pub fn new(prefix: &'a [String], errors: &'a mut Vec<UserError>) -> Self {
        Self { prefix, errors }
    }

    pub fn add(&mut self, tail: &[&str], code: ErrorCode, message: impl Into<String>) {
        let path: Vec<&str> = self
            .prefix
            .iter()
            .map(String::as_str)
            .chain(tail.iter().copied())
            .collect();
        self.errors.push(UserError::new(&path, code, message));
    }

    pub fn invalid(&mut self, tail: &[&str], message: impl Into<String>) {
        self.add(tail, ErrorCode::Invalid, message);
    }
}
