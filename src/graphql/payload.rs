//! Mutation payloads: validation and business-rule failures travel as `userErrors`;
//! authentication, permission, not-found and internal failures as GraphQL errors.

use async_graphql::SimpleObject;

use crate::error::{AppResult, FieldError};

/// A failure the client shows next to a form field.
#[derive(SimpleObject, Clone, Debug)]
pub struct UserError {
    /// Path of the input field at fault, e.g. "input.nib"; null when the input as a whole is.
    pub field: Option<String>,
    /// Human-readable explanation.
    pub message: String,
    /// Stable code to switch on, e.g. INVALID, REQUIRED, TAKEN, INVALID_CREDENTIALS,
    /// TOO_MANY_ATTEMPTS, NOT_VERIFIED, PERMIT_REQUIRED, INVALID_TRANSITION, STALE, LIMIT_REACHED.
    pub code: String,
}

impl From<FieldError> for UserError {
    /// Services name fields relative to the input; every mutation takes one `input` argument.
    fn from(e: FieldError) -> Self {
        let e = e.under("input");
        UserError {
            field: e.field,
            message: e.message,
            code: e.code.as_str().to_string(),
        }
    }
}

/// Splits a service result into (value, userErrors); other failures stay errors.
pub fn split<T>(result: AppResult<T>) -> AppResult<(Option<T>, Vec<UserError>)> {
    match result {
        Ok(v) => Ok((Some(v), Vec::new())),
        Err(err) => match err.field_errors() {
            Some(errors) => Ok((None, errors.into_iter().map(UserError::from).collect())),
            None => Err(err),
        },
    }
}
