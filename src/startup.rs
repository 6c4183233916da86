//! The composition root: connects the adapters, migrates, seeds the development fixture, builds
//! the schema once and binds the server; port 0 gives tests a free port.

use std::{net::TcpListener, time::Instant};

use actix_web::{App, HttpServer, dev::Server, middleware::from_fn, web};

use crate::{
    fixtures, graphql, http,
    infra::db,
    jobs::{self, Registry, RunnerConfig, RunnerHandle},
    settings::Settings,
    state::AppState,
};

/// Connects the adapters, applies migrations and, on an empty development database, seeds the
/// demo catalogue.
pub async fn prepare(settings: Settings) -> anyhow::Result<AppState> {
    let state = AppState::connect(settings).await?;
    db::migrate(&state.db).await?;
    if state.settings.seed_demo {
        fixtures::demo::seed_if_empty(&state.db, &state.media).await?;
    }
    crate::services::search::ensure_current(&state.db)
        .await
        .map_err(|e| anyhow::anyhow!("checking the search index: {e:?}"))?;
    Ok(state)
}

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    jobs: Option<RunnerHandle>,
    readiness: http::Readiness,
}

/// The job kinds this server runs: the expiry of photo uploads never completed. Halal-expiry
/// checks, registry imports and order expiry register here as they arrive.
pub fn job_registry(state: &AppState) -> Registry {
    let mut registry = Registry::new();
    let (db, media) = (state.db.clone(), state.media.clone());
    registry.register_fn(crate::services::photo_uploads::EXPIRY_JOB, move |payload| {
        let (db, media) = (db.clone(), media.clone());
        async move {
            let job: crate::services::photo_uploads::ExpiryJob = serde_json::from_value(payload)?;
            crate::services::photo_uploads::expire(&db, &media, job.upload_id).await?;
            Ok(())
        }
    });
    registry
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let state = prepare(settings).await?;
        let mut app = Self::with_state(state)?;
        let registry = job_registry(&app.state);
        if !registry.is_empty() {
            app.jobs = Some(jobs::Runner::spawn(
                app.state.db.clone(),
                registry,
                RunnerConfig::default(),
            ));
        }
        Ok(app)
    }

    /// Binds the server around an existing state (tests keep the state to inspect the database).
    pub fn with_state(state: AppState) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(state.settings.bind)?;
        let port = listener.local_addr()?.port();
        // The schema is built once, outside the worker factory, so every worker shares it.
        let schema = web::Data::new(graphql::build_schema(&state));
        let data = web::Data::new(state.clone());
        let max_body = state.settings.limits.max_body_bytes;
        let readiness = http::Readiness::default();
        let ready = web::Data::new(readiness.clone());
        let shutdown = state.settings.shutdown;
        // After the drain, in-flight requests get the rest of the grace period.
        let finish_secs = shutdown
            .grace
            .saturating_sub(shutdown.drain)
            .as_secs()
            .max(1);
        let server = HttpServer::new(move || {
            // The last `wrap` is the outermost: security headers cover every answer, CORS
            // headers go on every answer to an allowed origin.
            App::new()
                .wrap(from_fn(http::request_log))
                .wrap(from_fn(http::cors))
                .wrap(from_fn(http::security_headers))
                .app_data(schema.clone())
                .app_data(data.clone())
                .app_data(ready.clone())
                .app_data(web::PayloadConfig::new(max_body))
                .configure(http::configure)
        })
        .listen(listener)?
        // Signals are ours (see `run_until_stopped`): readiness must drop before accepting stops.
        .disable_signals()
        .shutdown_timeout(finish_secs)
        .run();
        Ok(Application {
            port,
            server,
            state,
            jobs: None,
            readiness,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGTERM or Ctrl-C, then stops gracefully within `SHUTDOWN_GRACE_SECONDS`:
    /// `/readyz` turns 503 at once; requests are still served for `SHUTDOWN_DRAIN_SECONDS` so a
    /// load balancer notices; then the server stops accepting and in-flight requests finish
    /// (a request cut off at the deadline is dropped, and its open transaction rolls back).
    /// The background job runner stops last, letting a running job finish if time remains.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let shutdown = self.state.settings.shutdown;
        let handle = self.server.handle();
        let readiness = self.readiness.clone();
        let signalled = tokio::spawn(async move {
            stop_signal().await;
            let at = Instant::now();
            readiness.stop_accepting_soon();
            tracing::info!(
                drain_secs = shutdown.drain.as_secs(),
                grace_secs = shutdown.grace.as_secs(),
                "shutting down: not ready any more, draining"
            );
            tokio::time::sleep(shutdown.drain).await;
            tracing::info!("shutting down: no new connections, finishing in-flight requests");
            handle.stop(true).await;
            at
        });
        let served = self.server.await;
        if let Some(jobs) = self.jobs {
            let remaining = if signalled.is_finished() {
                match signalled.await {
                    Ok(at) => shutdown.grace.saturating_sub(at.elapsed()),
                    Err(_) => shutdown.grace,
                }
            } else {
                signalled.abort();
                shutdown.grace
            };
            if tokio::time::timeout(remaining, jobs.stop()).await.is_err() {
                tracing::warn!("the job runner did not stop within the grace period");
            }
        }
        tracing::info!("stopped");
        served
    }
}

/// SIGTERM (orchestrators) or SIGINT (Ctrl-C). A handler that cannot be installed is logged and
/// the other one still works.
async fn stop_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
