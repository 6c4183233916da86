//! HTTP routes: `/graphql`, `/healthz`, `/readyz`, `/metrics`, `/media/*`; the middleware around them
//! (request log, CORS, security headers) and the readiness flag a shutdown lowers.

pub mod caller;
mod cors;
mod graphiql;
mod graphql;
mod headers;
mod media;
mod persisted;
mod public_cache;
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

use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql::post))
            .route(web::get().to(graphql::get))
            .route(web::method(actix_web::http::Method::OPTIONS).to(graphql::options)),
    )
    .route("/healthz", web::get().to(healthz))
    .route("/metrics", web::get().to(metrics))
    .route("/readyz", web::get().to(readyz))
    // The upload resource comes first: `/media/{key}` would otherwise claim its paths.
    .service(web::resource("/media/upload/{token}").route(web::put().to(media::upload)))
    .route("/media/{key:.+}", web::get().to(media::get));
}

/// Prometheus metrics (`infra::metrics`) in the text format.
async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let db = &state.db;
    let max = state.settings.database_max_connections;
    let pool = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => {
            let p = db.get_sqlite_connection_pool();
            Some((p.size(), p.num_idle(), max))
        }
        sea_orm::DbBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            Some((p.size(), p.num_idle(), max))
        }
        _ => None,
    };
    let body = state.metrics.render(&crate::infra::metrics::Snapshot {
        sql_statements: state.statements.get(),
        pool,
    });
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body)
}

/// Alive: the process answers.
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Ready: the database and the media storage answer, and no shutdown has begun.
async fn readyz(state: web::Data<AppState>, readiness: web::Data<Readiness>) -> HttpResponse {
    if readiness.is_stopping() {
        return HttpResponse::ServiceUnavailable()
            .json(json!({ "status": "unavailable", "shutdown": "in progress" }));
    }
    let check = std::time::Duration::from_secs(3);
    let database = match state.db.ping().await {
        Ok(()) => true,
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed: database");
            false
        }
    };
    let storage = match tokio::time::timeout(check, state.media.check()).await {
        Ok(Ok(())) => true,
        Ok(Err(err)) => {
            tracing::warn!(
                error = format!("{err:#}"),
                "readiness check failed: storage"
            );
            false
        }
        Err(_) => {
            tracing::warn!("readiness check failed: storage did not answer in time");
            false
        }
    };
    let up = |ok: bool| if ok { "up" } else { "down" };
    // Redis down is degraded, not unavailable: the API answers from the database meanwhile.
    let redis = match &state.redis {
        Some(redis) => Some(redis.ping().await),
        None => None,
    };
    let status = match (database && storage, redis) {
        (false, _) => "unavailable",
        (true, Some(false)) => "degraded",
        (true, _) => "ok",
    };
    let body = json!({
        "status": status,
        "database": up(database),
        "storage": up(storage),
        "storageBackend": state.media.backend_name(),
        "cache": match redis {
            Some(true) => "up",
            Some(false) => "degraded",
            None => "up",
        },
        "cacheBackend": if redis.is_some() { "redis" } else { "in-process" },
    });
    if database && storage {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
