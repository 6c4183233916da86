//! The composition root: connects the adapters, migrates, seeds the development fixture, builds
//! the schema once and binds the server; port 0 gives tests a free port.

use std::net::TcpListener;

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
    Ok(state)
}

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    jobs: Option<RunnerHandle>,
}

/// The job kinds this server runs. Photo processing, halal-expiry checks, registry imports and
/// order expiry register here as they arrive; until one does, no runner polls the table.
fn job_registry(_state: &AppState) -> Registry {
    Registry::new()
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
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(http::request_log))
                .app_data(schema.clone())
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(max_body))
                .configure(http::configure)
        })
        .listen(listener)?
        .shutdown_timeout(20)
        .run();
        Ok(Application {
            port,
            server,
            state,
            jobs: None,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGINT or SIGTERM, then finishes in-flight requests (graceful shutdown).
    /// The background job runner stops after the server, letting a running job finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        if let Some(jobs) = self.jobs {
            jobs.stop().await;
        }
        served
    }
}
