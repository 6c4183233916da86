//! One error type for the whole request path, with stable machine-readable codes.
//!
//! | code | when |
//! |---|---|
//! | `BAD_USER_INPUT` | an argument is invalid; `extensions.field` names it |
//! | `INVALID_CURSOR` | an `after` cursor this server did not issue |
//! | `NOT_FOUND` | the object does not exist or is not visible to the caller |
//! | `UNAUTHENTICATED` | missing or invalid credentials |
//! | `FORBIDDEN` | the caller may not do this |
//! | `INTERNAL_SERVER_ERROR` | anything else; details are logged, never returned |

use std::sync::Arc;

use async_graphql::ErrorExtensions;

pub type AppResult<T> = Result<T, AppError>;

/// Deliberately not `Display`: async-graphql converts any `Display` error into a GraphQL error
/// without a code, so this type converts only through the `From` below, which sets one.
#[derive(Debug, Clone)]
pub enum AppError {
    InvalidInput {
        field: String,
        message: String,
    },
    /// Several validation or business-rule failures at once; mutations return them as
    /// `userErrors`.
    Validation(Vec<FieldError>),
    InvalidCursor(String),
    NotFound(String),
    Unauthenticated,
    Forbidden,
    Internal(Arc<anyhow::Error>),
}

/// One failure a client shows next to a form field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the input field, e.g. "input.nib"; None for the input as a whole.
    pub field: Option<String>,
    pub message: String,
    /// Stable machine-readable code, e.g. "INVALID", "TAKEN", "INVALID_CREDENTIALS".
    pub code: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: Some(field.into()),
            message: message.into(),
            code: code.into(),
        }
    }
}

/// Keeps a parsed value, or records its field errors and gives `None`, so that a validator can
/// report every bad field at once.
pub fn collect<T>(errors: &mut Vec<FieldError>, result: AppResult<T>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(err) => {
            errors.extend(err.field_errors().unwrap_or_default());
            None
        }
    }
}

impl AppError {
    /// A business-rule failure about the input as a whole (no single field), as a user error.
    pub fn rule(code: &str, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError {
            field: None,
            message: message.into(),
            code: code.into(),
        }])
    }

    /// The failures as user errors, when this is a validation or business-rule failure.
    pub fn field_errors(&self) -> Option<Vec<FieldError>> {
        match self {
            AppError::InvalidInput { field, message } => Some(vec![FieldError::new(
                field.clone(),
                "INVALID",
                message.clone(),
            )]),
            AppError::Validation(errors) => Some(errors.clone()),
            _ => None,
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        AppError::NotFound(what.into())
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(Arc::new(err.into()))
    }

    /// The message a client sees; never the cause of an internal error.
    pub fn message(&self) -> String {
        match self {
            AppError::InvalidInput { field, message } => format!("{field}: {message}"),
            AppError::Validation(errors) => errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
            AppError::InvalidCursor(why) => format!("the cursor is not valid: {why}"),
            AppError::NotFound(what) => format!("{what} not found"),
            AppError::Unauthenticated => "authentication required".into(),
            AppError::Forbidden => "you are not allowed to do this".into(),
            AppError::Internal(_) => "internal error".into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::InvalidInput { .. } | AppError::Validation(_) => "BAD_USER_INPUT",
            AppError::InvalidCursor(_) => "INVALID_CURSOR",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::Unauthenticated => "UNAUTHENTICATED",
            AppError::Forbidden => "FORBIDDEN",
            AppError::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        AppError::internal(err)
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        if let AppError::Internal(cause) = &err {
            // Logged in full (whole cause chain) inside the request span, which carries the
            // request id; the client gets only the code and that id (added by the HTTP layer).
            tracing::error!(error = format!("{cause:#}"), "internal error");
        }
        async_graphql::Error::new(err.message()).extend_with(|_, ext| {
            ext.set("code", err.code());
            if let AppError::InvalidInput { field, .. } = &err {
                ext.set("field", field.as_str());
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_cause() {
        let err: async_graphql::Error =
            AppError::internal(anyhow::anyhow!("relation \"products\" does not exist")).into();
        assert_eq!(err.message, "internal error");
    }

    #[test]
    fn invalid_input_names_the_field() {
        let err: async_graphql::Error = AppError::invalid("first", "must not be negative").into();
        let ext = err.extensions.unwrap();
        assert_eq!(
            ext.get("code"),
            Some(&async_graphql::Value::from("BAD_USER_INPUT"))
        );
        assert_eq!(ext.get("field"), Some(&async_graphql::Value::from("first")));
    }
}
