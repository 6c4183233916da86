//! CORS for browser clients, allowed by origin (`CORS_ALLOWED_ORIGINS`). A request from an
//! origin not allowed gets no CORS header at all, so the browser keeps the answer from the page.
//! No cookies are used (credentials travel in `Authorization`), so credentials are not allowed.

use actix_web::{
    Error,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::{
        Method,
        header::{self, HeaderValue},
    },
    middleware::Next,
    web,
};

use crate::state::AppState;

/// The request headers the API reads from clients: credentials, body type, response type,
/// language, and the request id it echoes.
pub const ALLOWED_HEADERS: &str = "authorization, content-type, accept, accept-language, x-request-id, apollo-require-preflight, x-apollo-operation-name";
pub const ALLOWED_METHODS: &str = "GET, POST";
/// How long a browser may reuse a preflight answer, in seconds.
pub const MAX_AGE_SECS: &str = "600";
/// Response headers a page may read besides the simple ones.
const EXPOSED_HEADERS: &str = "x-request-id";

pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let allowed = match (&origin, req.app_data::<web::Data<AppState>>()) {
        (Some(origin), Some(state)) => state.settings.cors.allows(origin),
        _ => false,
    };
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    // Caches must keep answers to different origins apart, allowed or not.
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    let Some(origin) = origin.filter(|_| allowed) else {
        return Ok(res);
    };
    if let Ok(value) = HeaderValue::from_str(&origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    if preflight {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOWED_METHODS),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOWED_HEADERS),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(MAX_AGE_SECS),
        );
    } else {
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
    Ok(res)
}
