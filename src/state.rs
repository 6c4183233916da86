//! Application state: the adapters, built once at start-up and shared by every worker.
//!
//! Only adapters live here (database pool, event bus, cache, media store, token keys,
//! settings). Migrating and seeding are start-up steps (`startup`), not part of the state.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    auth::{jwt::JwtKeys, keys},
    graphql::document::TrustedDocuments,
    infra::{
        cache::Cache,
        db::{self, StatementCounter},
        events::EventBus,
        hashing::HashPool,
        media::MediaStore,
        metrics::Metrics,
        redis::Redis,
        redis_events::RedisEvents,
        response_cache::{ResponseCache, ResponseCacheConfig},
    },
    jobs::{Clock, SystemClock},
    settings::Settings,
};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub jwt: Arc<JwtKeys>,
    pub cache: Cache,
    /// Shared public responses and persisted documents (Redis, or in process).
    pub responses: ResponseCache,
    /// The Redis connection when REDIS_URL is set (readiness reports it).
    pub redis: Option<Redis>,
    /// The trusted-documents manifest (TRUSTED_DOCUMENTS_FILE): hash → document.
    pub trusted_documents: Option<Arc<TrustedDocuments>>,
    /// Password hashing and verification, off the async workers and bounded.
    pub hashing: HashPool,
    pub events: EventBus,
    pub statements: StatementCounter,
    /// Request, latency, cache and pool metrics for `GET /metrics`.
    pub metrics: Arc<Metrics>,
    pub media: MediaStore,
    /// Photo processing off the async threads, bounded (`PHOTO_CONCURRENCY`).
    pub photos: crate::media_pipeline::PhotoProcessor,
    pub settings: Arc<Settings>,
    /// The one source of "now" for requests (opening hours, permit expiry): the wall clock in
    /// production, a clock the tests set.
    pub clock: Arc<dyn Clock>,
}

impl AppState {
    /// Connects the adapters the settings choose. Nothing is migrated or seeded here.
    pub async fn connect(settings: Settings) -> anyhow::Result<Self> {
        let (db, statements) =
            db::connect(&settings.database_url, settings.database_max_connections).await?;
        let media = match &settings.s3 {
            // Refuses to start when the bucket does not answer.
            Some(s3) => MediaStore::s3(s3, settings.media_public_url.clone()).await?,
            None => MediaStore::local(
                settings.data_dir.join("media"),
                settings
                    .media_public_url
                    .clone()
                    .unwrap_or_else(|| format!("http://{}/media", settings.bind)),
            ),
        };
        let jwt = Arc::new(keys::load(&settings)?);
        let redis = match &settings.redis_url {
            Some(url) => Some(Redis::connect(
                url,
                &settings.cache.redis_prefix,
                settings.cache.redis_timeout,
            )?),
            None => None,
        };
        let counters_ttl = std::time::Duration::from_secs(15 * 60);
        let cache = match &redis {
            Some(redis) => Cache::shared(
                redis.clone(),
                counters_ttl,
                settings.accounts.throttle_cache_max_bytes,
            ),
            None => Cache::in_memory(counters_ttl, settings.accounts.throttle_cache_max_bytes),
        };
        let responses = ResponseCache::new(
            ResponseCacheConfig {
                ttl: settings.cache.response_ttl,
                max_bytes: settings.cache.response_max_bytes,
            },
            redis.clone(),
        );
        // Committed writes invalidate the response cache before their mutation answers.
        let mut events = EventBus::in_process().with_hook(Arc::new(responses.clone()));
        if let Some(redis) = &redis {
            let backend = RedisEvents::start(redis.clone(), events.clone()).await;
            events = events.and_backend(backend);
        }
        let trusted_documents = match &settings.trusted_documents {
            Some(path) => Some(Arc::new(TrustedDocuments::load(path)?)),
            None => None,
        };
        let hashing = HashPool::new(
            settings.accounts.hash_concurrency,
            settings.accounts.hash_queue,
        );
        let photos = crate::media_pipeline::PhotoProcessor::new(
            crate::media_pipeline::Limits::with_max_bytes(settings.photos.max_bytes),
            settings.photos.concurrency,
        );
        Ok(AppState {
            photos,
            db,
            jwt,
            cache,
            responses,
            redis,
            trusted_documents,
            hashing,
            events,
            statements,
            metrics: Arc::new(Metrics::default()),
            media,
            settings: Arc::new(settings),
            clock: Arc::new(SystemClock),
        })
    }
}
