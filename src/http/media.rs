//! `/media`: published objects of the local store (`GET /media/<key>`), and the local stand-in
//! for S3's presigned PUT (`PUT /media/upload/<token>`). With S3 and a CDN in front
//! (`MEDIA_PUBLIC_URL`) clients never reach these routes; the GET route still proxies from S3
//! when asked, so a link never breaks while the configuration changes.

use std::time::SystemTime;

use actix_web::{
    HttpMessage, HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use futures_util::StreamExt;
use serde_json::json;

use crate::{
    auth::{caller::Caller, policy},
    error::AppError,
    http::RequestId,
    infra::media::{IMMUTABLE, MediaKey},
    infra::rate_limit::{self, LimitedAction},
    state::AppState,
};

/// Images need no active content; `sandbox` also stops a browser from running anything should
/// a file ever be opened as a document.
const MEDIA_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

fn not_found() -> HttpResponse {
    HttpResponse::NotFound().json(json!({ "error": "not found" }))
}

fn refuse(req: &HttpRequest, err: AppError) -> HttpResponse {
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let mut res = HttpResponse::build(
        StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    );
    if let Some(secs) = err.retry_after() {
        res.insert_header((header::RETRY_AFTER, secs.to_string()));
    }
    res.json(err.http_body(&request_id))
}

/// A published object: only content-addressed keys (`photos/…`), whose content type comes from
/// the key's whitelisted extension, never from what was stored or uploaded.
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    key: web::Path<String>,
) -> HttpResponse {
    let Some(key) = MediaKey::parse(&key).filter(MediaKey::is_published) else {
        return not_found();
    };
    let etag = key.content_hash().map(|hash| format!("\"{hash}\""));
    let mut res = match state.media.get(&key).await {
        Ok(Some(object)) => {
            let mut res = HttpResponse::Ok();
            if req
                .headers()
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .zip(etag.as_deref())
                .is_some_and(|(sent, etag)| sent.split(',').any(|t| t.trim() == etag))
            {
                res.status(StatusCode::NOT_MODIFIED);
                res.finish()
            } else {
                res.content_type(key.content_type().as_str());
                res.body(object.bytes)
            }
        }
        Ok(None) => return not_found(),
        Err(err) => {
            return refuse(&req, AppError::internal(err));
        }
    };
    let headers = res.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static(IMMUTABLE),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(MEDIA_CSP),
    );
    if let Some(value) = etag.and_then(|e| header::HeaderValue::from_str(&e).ok()) {
        headers.insert(header::ETAG, value);
    }
    res
}

/// The local backend's presigned PUT: the token grants one object of one content type and
/// length until it expires. `Content-Type` and `Content-Length` must be the signed ones, and the
/// body is read up to the signed length only; any mismatch stores nothing (403, as S3).
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    mut body: web::Payload,
) -> HttpResponse {
    let Some(local) = state.media.local_backend() else {
        return not_found();
    };
    let header = |name: header::HeaderName| {
        req.headers()
            .get(name)
            .map(|v| v.to_str().unwrap_or("(not text)"))
    };
    let grant = match local.verify_upload(
        &token,
        header(header::CONTENT_TYPE),
        header(header::CONTENT_LENGTH),
        SystemTime::now(),
    ) {
        Ok(grant) => grant,
        Err(refusal) => return refuse(&req, AppError::UploadRefused(refusal.to_string())),
    };
    // Uploads per client address and minute (the grant names no caller).
    let client = crate::http::caller::client_address(&req, &state.settings.trusted_proxies);
    if let Err(limited) = rate_limit::take(
        &state.cache,
        &state.settings.rate_limits,
        LimitedAction::Upload,
        &policy::rate_limit_subject(&Caller::Anonymous, &client),
        1,
    )
    .await
    {
        return refuse(&req, limited.into());
    }
    let signed = usize::try_from(grant.length).unwrap_or(usize::MAX);
    let mut bytes = Vec::with_capacity(signed.min(16 * 1024 * 1024));
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else {
            return refuse(
                &req,
                AppError::UploadRefused("the upload body was cut off".into()),
            );
        };
        if bytes.len() + chunk.len() > signed {
            return refuse(
                &req,
                AppError::UploadRefused(format!(
                    "the body is longer than the signed {signed} bytes"
                )),
            );
        }
        bytes.extend_from_slice(&chunk);
    }
    if bytes.len() != signed {
        return refuse(
            &req,
            AppError::UploadRefused(format!(
                "the body has {} bytes, not the signed {signed}",
                bytes.len()
            )),
        );
    }
    match local.put(&grant.key, &bytes).await {
        Ok(()) => HttpResponse::Ok().finish(),
        Err(err) => refuse(&req, AppError::internal(err)),
    }
}
