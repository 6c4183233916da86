//! Application state, built once at start-up and shared by every worker.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    infra::{
        db::{self, StatementCounter},
        media::MediaStore,
    },
    settings::Settings,
};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub statements: StatementCounter,
    pub media: MediaStore,
    pub settings: Arc<Settings>,
}

impl AppState {
    /// Connects, migrates and (in development, on an empty database) seeds the demo catalogue.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let (db, statements) =
            db::connect(&settings.database_url, settings.database_max_connections).await?;
        db::migrate(&db).await?;
        let media_base = settings
            .media_public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}/media", settings.bind));
        let media = MediaStore::local(settings.data_dir.join("media"), media_base);
        let state = AppState {
            db,
            statements,
            media,
            settings: Arc::new(settings),
        };
        if state.settings.seed_demo {
            crate::services::seed::seed_if_empty(&state).await?;
        }
        Ok(state)
    }
}
