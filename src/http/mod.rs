//! HTTP routes: `/graphql`, `/healthz`, `/readyz`, `/media/*`; the middleware around them
//! (request log, CORS, security headers) and the readiness flag a shutdown lowers.

pub mod caller;
mod cors;
mod graphiql;
mod graphql;
mod headers;
mod request_log;
pub mod transport;

pub use cors::cors;
pub use headers::security_headers;
pub use request_log::{RequestId, request_log};

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use actix_web::{HttpResponse, web};
use serde_json::json;

/// Lowered once a shutdown begins, so `/readyz` turns 503 before the server stops accepting.
#[derive(Debug, Clone, Default)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    pub fn stop_accepting_soon(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_stopping(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

use crate::{infra::media::content_type_of, state::AppState};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql::post))
            .route(web::get().to(graphql::get))
            .route(web::method(actix_web::http::Method::OPTIONS).to(graphql::options)),
    )
    .route("/healthz", web::get().to(healthz))
    .route("/readyz", web::get().to(readyz))
    .route("/media/{key:.+}", web::get().to(media));
}

/// Alive: the process answers.
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Ready: the database answers too, and no shutdown has begun.
async fn readyz(state: web::Data<AppState>, readiness: web::Data<Readiness>) -> HttpResponse {
    if readiness.is_stopping() {
        return HttpResponse::ServiceUnavailable()
            .json(json!({ "status": "unavailable", "shutdown": "in progress" }));
    }
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
            .insert_header((
                "content-security-policy",
                "default-src 'none'; style-src 'unsafe-inline'",
            ))
            .body(bytes),
        None => HttpResponse::NotFound().json(json!({ "error": "not found" })),
    }
}
