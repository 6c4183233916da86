//! Schema migrations of Pasar Oleh. Every migration is backend-neutral: it runs unchanged on
//! SQLite (the embedded development default) and PostgreSQL; the few PostgreSQL-only extras
//! (pg_trgm search indexes) are guarded by the backend check and are optimisations only.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_regions;
mod m20261122_000002_catalogue;
mod m20261122_000003_categories;
mod m20261122_000004_accounts;
mod m20261123_000005_jobs;
mod m20261123_000006_refresh_families;
mod m20261124_000007_photo_uploads;
mod m20261124_000008_search;

pub use m20261122_000003_categories::category_id;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_regions::Migration),
            Box::new(m20261122_000002_catalogue::Migration),
            Box::new(m20261122_000003_categories::Migration),
            Box::new(m20261122_000004_accounts::Migration),
            Box::new(m20261123_000005_jobs::Migration),
            Box::new(m20261123_000006_refresh_families::Migration),
            Box::new(m20261124_000007_photo_uploads::Migration),
            Box::new(m20261124_000008_search::Migration),
        ]
    }
}
