//! One structured log line per request: request id, method, path, status, GraphQL operation
//! name and duration. The id is taken from a sane incoming `x-request-id` or made here, and is
//! echoed in the response header of the same name.

use std::time::Instant;

use actix_web::{
    Error, HttpMessage,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
};

use crate::{infra::metrics::Outcome, state::AppState};

#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Set by the GraphQL handler so the log line can name the operation(s).
#[derive(Debug, Clone)]
pub struct OperationName(pub String);

/// Longest operation name written to the log.
const MAX_OPERATION_NAME: usize = 64;

/// A client's `operationName` as the log may show it: a GraphQL name (`[_A-Za-z][_0-9A-Za-z]*`)
/// of at most 64 characters as is, anything else as `invalid` (it is client text: unbounded, and
/// could carry line breaks or escapes into the log).
pub fn loggable_operation_name(name: Option<&str>) -> &str {
    match name {
        None => "anonymous",
        Some(name)
            if !name.is_empty()
                && name.len() <= MAX_OPERATION_NAME
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
        {
            name
        }
        Some(_) => "invalid",
    }
}

fn incoming_id(req: &ServiceRequest) -> Option<String> {
    let raw = req.headers().get("x-request-id")?.to_str().ok()?;
    let sane = !raw.is_empty()
        && raw.len() <= 64
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    sane.then(|| raw.to_string())
}

pub async fn request_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let id = incoming_id(&req).unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().to_string();
    let path = req.path().to_string();
    let metrics = req
        .app_data::<actix_web::web::Data<AppState>>()
        .map(|s| s.metrics.clone());
    let mut res = next.call(req).await?;
    let operation = res
        .response()
        .extensions()
        .get::<OperationName>()
        .map(|o| o.0.clone());
    let status = res.status().as_u16();
    if let Some(metrics) = metrics {
        metrics.http_request();
        if path == "/graphql" && method != "OPTIONS" {
            let outcome = res
                .response()
                .extensions()
                .get::<Outcome>()
                .copied()
                .unwrap_or(Outcome::Refused);
            let name = match (&operation, outcome) {
                (Some(name), _) => name.as_str(),
                (None, _) => "-",
            };
            metrics.graphql_request(name, outcome, started.elapsed());
        }
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    tracing::info!(
        request_id = %id,
        method = %method,
        path = %path,
        status,
        operation = operation.as_deref().unwrap_or("-"),
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::loggable_operation_name as name;

    #[test]
    fn operation_names_are_capped_and_sanitised() {
        assert_eq!(name(None), "anonymous");
        assert_eq!(name(Some("Beranda")), "Beranda");
        assert_eq!(name(Some("_kios_07")), "_kios_07");
        assert_eq!(name(Some("x\n2026-01-01 INFO forged line")), "invalid");
        assert_eq!(name(Some("a\u{1b}[31m")), "invalid");
        assert_eq!(name(Some("7up")), "invalid");
        assert_eq!(name(Some(&"a".repeat(65))), "invalid");
        assert_eq!(name(Some(&"a".repeat(64))), "a".repeat(64));
    }
}
