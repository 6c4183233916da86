//! One error type for the whole request path, and the one place that maps errors to codes and
//! HTTP statuses.
//!
//! | code | HTTP | when |
//! |---|---|---|
//! | `BAD_USER_INPUT` | 200 | an argument is invalid; `extensions.field` names it |
//! | `INVALID_CURSOR` | 200 | an `after` cursor this server did not issue |
//! | `NOT_FOUND` | 200 | the object does not exist or is not visible to the caller |
//! | `UNAUTHENTICATED` | 200, or 401 for a credential that does not verify | missing or invalid credentials |
//! | `TOKEN_EXPIRED` | 401 | an access token that we signed has expired (on any request, public queries included): refresh it |
//! | `FORBIDDEN` | 200 | the caller may not do this |
//! | `GRAPHQL_VALIDATION_FAILED` | 200 | the document does not parse or validate (limits included) |
//! | `BAD_REQUEST` | 400 | the body is not a GraphQL request, or an empty batch |
//! | `BATCH_TOO_LARGE` | 400 | more operations in a batch than allowed |
//! | `UNSUPPORTED_MEDIA_TYPE` | 415 | a `POST /graphql` body that is not `application/json` (multipart included) |
//! | `METHOD_NOT_ALLOWED` | 405 (with `Allow: POST`) | a mutation sent with `GET` |
//! | `QUERY_TOO_COSTLY` | 400, or 200 when executed in-process | the request's cost, aliases or root fields are over the limits (`graphql::cost`) |
//! | `TOO_MANY_ACCOUNT_OPERATIONS` | 400 | more than one `register`/`login`/`refreshToken` in one request (document or batch) |
//! | `RATE_LIMITED` | 429 (with `Retry-After`), also when raised inside an executed operation | the caller's budget per minute (logins, registrations, refreshes, uploads, query cost) is spent; `extensions.retryAfter` says in how many seconds it renews |
//! | `PERSISTED_QUERY_NOT_FOUND` | 200 | an automatic persisted query whose hash this server does not know: send the document with its hash |
//! | `DOCUMENT_NOT_TRUSTED` | 400 | trusted-documents mode (TRUSTED_DOCUMENTS_FILE) and the document is not in the manifest |
//! | `BUSY` | 200, or 503 before execution | every password-hashing slot and its queue are taken; retry shortly |
//! | `INTERNAL_SERVER_ERROR` | 200, or 500 before execution | anything else; logged, never returned, with `requestId` |
//!
//! Validation and business-rule failures of mutations are not GraphQL errors but `userErrors`
//! with a [`FieldCode`] and a field path relative to the input ("nib", "openingHours[1].closes"):
//! the GraphQL layer prefixes "input.", an importer names the spreadsheet column instead.

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
    /// The HTTP body is not a GraphQL request (or an empty batch).
    BadRequest(String),
    /// A batch holds more operations than allowed (the limit).
    BatchTooLarge(usize),
    /// The HTTP body's media type is not one the endpoint reads.
    UnsupportedMediaType(String),
    /// The operation may not travel with this HTTP method (a mutation over `GET`).
    MethodNotAllowed(String),
    /// The request would cost more than the limits allow (cost, aliases, root fields); refused
    /// before any operation runs.
    TooCostly(String),
    /// More account operations (`register`, `login`, `refreshToken`) in one request than allowed.
    TooManyAccountOperations(usize),
    /// The password-hashing pool is saturated; the client should retry shortly.
    Busy,
    /// The caller's budget per minute for this kind of request is spent.
    RateLimited {
        what: &'static str,
        retry_after_secs: u64,
    },
    /// An automatic persisted query (hash only) whose document this server does not hold.
    PersistedQueryNotFound,
    /// Trusted-documents mode refuses a document that is not in its manifest.
    DocumentNotTrusted,
    Unauthenticated,
    /// An access token with a valid signature whose `exp` has passed: the client should refresh,
    /// not sign in again. Forged or malformed tokens stay `Unauthenticated`.
    TokenExpired,
    Forbidden,
    /// A presigned upload to the local media store does not match its signed grant (expired,
    /// forged, another type or length); nothing is stored, as S3 refuses with 403.
    UploadRefused(String),
    Internal(Arc<anyhow::Error>),
}

// The schema's `UserErrorCode`: one enum for the code table here and the GraphQL type.
/// Why a user error happened: a stable code to switch on. The message says the same for people.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[graphql(name = "UserErrorCode")]
pub enum FieldCode {
    /// The value is there but malformed or out of range (a bad NIB, a price of 0, a name of 200
    /// characters).
    Invalid,
    /// The value is missing, empty or only spaces.
    Required,
    /// Another account, seller or outlet already uses the value.
    Taken,
    /// A date has passed: a halal certificate that has expired, or an expiry date in the past.
    Expired,
    /// Sign-in failed, or a refresh token is no longer valid (the same answer whether or not the
    /// account exists): sign in again.
    InvalidCredentials,
    /// Too many attempts (logins, registrations) from here; try again later.
    TooManyAttempts,
    /// Only a verified seller may do this.
    NotVerified,
    /// A permit (P-IRT number, halal certificate) must be on record.
    PermitRequired,
    /// The object's current state does not allow this change.
    InvalidTransition,
    /// A suspended seller may not do this.
    SellerSuspended,
    /// The object changed since the version the caller reviewed; read it again.
    Stale,
    /// A cap on how many objects may be created was reached (see the README's Limits).
    LimitReached,
}

impl FieldCode {
    /// The contract's rule: a missing or blank value is REQUIRED, a malformed one INVALID.
    pub fn required_if(blank: bool) -> Self {
        if blank {
            FieldCode::Required
        } else {
            FieldCode::Invalid
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FieldCode::Invalid => "INVALID",
            FieldCode::Required => "REQUIRED",
            FieldCode::Taken => "TAKEN",
            FieldCode::Expired => "EXPIRED",
            FieldCode::InvalidCredentials => "INVALID_CREDENTIALS",
            FieldCode::TooManyAttempts => "TOO_MANY_ATTEMPTS",
            FieldCode::NotVerified => "NOT_VERIFIED",
            FieldCode::PermitRequired => "PERMIT_REQUIRED",
            FieldCode::InvalidTransition => "INVALID_TRANSITION",
            FieldCode::SellerSuspended => "SELLER_SUSPENDED",
            FieldCode::Stale => "STALE",
            FieldCode::LimitReached => "LIMIT_REACHED",
        }
    }
}

/// One failure a client shows next to a form field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the field relative to the input ("nib", "openingHours[1].closes"); None for the
    /// input as a whole.
    pub field: Option<String>,
    pub message: String,
    pub code: FieldCode,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: FieldCode, message: impl Into<String>) -> Self {
        FieldError {
            field: Some(field.into()),
            message: message.into(),
            code,
        }
    }

    /// The same failure with its path under `prefix` ("input" gives "input.nib").
    pub fn under(self, prefix: &str) -> Self {
        FieldError {
            field: Some(match self.field {
                Some(field) => format!("{prefix}.{field}"),
                None => return self,
            }),
            ..self
        }
    }
}

/// A value that does not parse: what is wrong with it, not where it came from. The caller
/// names the field (`at`), so one parser serves a GraphQL input and a spreadsheet column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

impl Invalid {
    pub fn new(message: impl Into<String>) -> Self {
        Invalid(message.into())
    }

    pub fn at(self, field: &str) -> FieldError {
        FieldError::new(field, FieldCode::Invalid, self.0)
    }
}

/// Keeps a parsed value, or records why it does not parse under `field` and gives `None`.
pub fn parsed<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    result: Result<T, Invalid>,
) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(err) => {
            errors.push(err.at(field));
            None
        }
    }
}

impl AppError {
    /// A business-rule failure about the input as a whole (no single field), as a user error.
    pub fn rule(code: FieldCode, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError {
            field: None,
            message: message.into(),
            code,
        }])
    }

    /// The failures as user errors, when this is a validation or business-rule failure.
    pub fn field_errors(&self) -> Option<Vec<FieldError>> {
        match self {
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
            AppError::BadRequest(why)
            | AppError::TooCostly(why)
            | AppError::UnsupportedMediaType(why)
            | AppError::MethodNotAllowed(why) => why.clone(),
            AppError::BatchTooLarge(max) => {
                format!("a batch may hold at most {max} operations")
            }
            AppError::TooManyAccountOperations(max) => format!(
                "a request may hold at most {max} of register, login and refreshToken, aliases and batches included"
            ),
            AppError::Busy => "the server is busy; try again in a moment".into(),
            AppError::RateLimited {
                what,
                retry_after_secs,
            } => format!("too many {what} requests; try again in {retry_after_secs} seconds"),
            // The message Apollo clients look for before sending the document.
            AppError::PersistedQueryNotFound => "PersistedQueryNotFound".into(),
            AppError::DocumentNotTrusted => {
                "this server runs only registered documents; this one is not registered".into()
            }
            AppError::Unauthenticated => "authentication required".into(),
            AppError::TokenExpired => "the access token has expired; refresh it".into(),
            AppError::Forbidden => "you are not allowed to do this".into(),
            AppError::UploadRefused(why) => why.clone(),
            AppError::Internal(_) => "internal error".into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::InvalidInput { .. } | AppError::Validation(_) => "BAD_USER_INPUT",
            AppError::InvalidCursor(_) => "INVALID_CURSOR",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::BadRequest(_) => "BAD_REQUEST",
            AppError::BatchTooLarge(_) => "BATCH_TOO_LARGE",
            AppError::UnsupportedMediaType(_) => "UNSUPPORTED_MEDIA_TYPE",
            AppError::MethodNotAllowed(_) => "METHOD_NOT_ALLOWED",
            AppError::TooCostly(_) => "QUERY_TOO_COSTLY",
            AppError::TooManyAccountOperations(_) => "TOO_MANY_ACCOUNT_OPERATIONS",
            AppError::Busy => "BUSY",
            AppError::RateLimited { .. } => "RATE_LIMITED",
            AppError::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            AppError::DocumentNotTrusted => "DOCUMENT_NOT_TRUSTED",
            AppError::Unauthenticated => "UNAUTHENTICATED",
            AppError::TokenExpired => "TOKEN_EXPIRED",
            AppError::Forbidden => "FORBIDDEN",
            AppError::UploadRefused(_) => "UPLOAD_REFUSED",
            AppError::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }
}

impl AppError {
    /// The HTTP status of a request refused before execution. Errors inside an executed
    /// GraphQL operation travel with HTTP 200 and their code.
    pub fn http_status(&self) -> u16 {
        match self {
            AppError::BadRequest(_)
            | AppError::BatchTooLarge(_)
            | AppError::TooCostly(_)
            | AppError::TooManyAccountOperations(_) => 400,
            AppError::UnsupportedMediaType(_) => 415,
            AppError::MethodNotAllowed(_) => 405,
            AppError::Busy => 503,
            AppError::RateLimited { .. } => 429,
            AppError::PersistedQueryNotFound => 200,
            AppError::Unauthenticated | AppError::TokenExpired => 401,
            AppError::Forbidden | AppError::UploadRefused(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Internal(_) => 500,
            _ => 400,
        }
    }

    /// The `WWW-Authenticate` header of a request refused before execution (RFC 6750), if any.
    pub fn www_authenticate(&self) -> Option<&'static str> {
        match self {
            AppError::Unauthenticated => Some("Bearer"),
            AppError::TokenExpired => Some(
                "Bearer error=\"invalid_token\", error_description=\"the access token expired\"",
            ),
            _ => None,
        }
    }

    /// Seconds a rate-limited client should wait (`Retry-After`).
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::RateLimited {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// The JSON body of a request refused before execution, in the GraphQL error shape.
    pub fn http_body(&self, request_id: &str) -> serde_json::Value {
        let mut extensions = serde_json::json!({ "code": self.code() });
        if let Some(secs) = self.retry_after() {
            extensions["retryAfter"] = secs.into();
        }
        if let AppError::Internal(cause) = self {
            tracing::error!(error = format!("{cause:#}"), "internal error");
            extensions["requestId"] = request_id.into();
        }
        let message = match self {
            // Which check failed is not for a prober to learn.
            AppError::Unauthenticated => "the credentials are not valid".to_string(),
            other => other.message(),
        };
        serde_json::json!({ "errors": [{ "message": message, "extensions": extensions }] })
    }
}

/// Every error of an executed response leaves with a code: errors from our resolvers carry one
/// already (the cost guard's refusals QUERY_TOO_COSTLY); parse and validation failures
/// (including the depth limit) get GRAPHQL_VALIDATION_FAILED, argument coercion failures at a field BAD_USER_INPUT. Internal
/// errors gain the request id so that support can find the full log entry.
pub fn with_codes(
    mut response: async_graphql::Response,
    request_id: &str,
) -> async_graphql::Response {
    for err in &mut response.errors {
        let ext = err.extensions.get_or_insert_with(Default::default);
        let code = match ext.get("code") {
            Some(async_graphql::Value::String(code)) => code.clone(),
            _ => {
                let code = if err.path.is_empty() {
                    "GRAPHQL_VALIDATION_FAILED"
                } else {
                    "BAD_USER_INPUT"
                };
                ext.set("code", code);
                code.to_string()
            }
        };
        if code == "INTERNAL_SERVER_ERROR" {
            ext.set("requestId", request_id);
        }
    }
    response
}

impl From<crate::infra::rate_limit::Limited> for AppError {
    fn from(limited: crate::infra::rate_limit::Limited) -> Self {
        AppError::RateLimited {
            what: limited.action.name(),
            retry_after_secs: limited.retry_after_secs,
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
            if let Some(secs) = err.retry_after() {
                ext.set("retryAfter", secs);
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
