//! HTTP routes: `/graphql`, `/healthz`, `/readyz`, `/media/*`.

pub mod caller;
mod graphql;
mod request_log;

pub use request_log::{RequestId, request_log};

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::{infra::media::content_type_of, state::AppState};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql::post))
            .route(web::get().to(graphql::playground)),
    )
    .route("/healthz", web::get().to(healthz))
    .route("/readyz", web::get().to(readyz))
    .route("/media/{key:.+}", web::get().to(media));
}

/// Alive: the process answers.
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Ready: the database answers too.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok().json(json!({ "status": "ok", "database": "up" })),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .json(json!({ "status": "unavailable", "database": "down" }))
        }
    }
}

/// Photos stored on local disk (development default). Production puts a CDN or S3 in front
/// (`MEDIA_PUBLIC_URL`) and never reaches this route.
async fn media(state: web::Data<AppState>, key: web::Path<String>) -> HttpResponse {
    match state.media.get(&key).await {
        Some(bytes) => HttpResponse::Ok()
            .content_type(content_type_of(&key))
            .insert_header(("cache-control", "public, max-age=86400"))
            .insert_header(("x-content-type-options", "nosniff"))
            .insert_header((
                "content-security-policy",
                "default-src 'none'; style-src 'unsafe-inline'",
            ))
            .body(bytes),
        None => HttpResponse::NotFound().json(json!({ "error": "not found" })),
    }
}
