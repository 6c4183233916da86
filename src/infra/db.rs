//! Database connection: PostgreSQL when configured, a SQLite file otherwise. Migrations run at
//! start-up so a fresh clone needs no separate step.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

/// Counts every SQL statement sent through the pool; exposed for tests (the DataLoader bound)
/// and for operators.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

pub async fn connect(
    url: &str,
    max_connections: u32,
) -> anyhow::Result<(DatabaseConnection, StatementCounter)> {
    if let Some(path) = sqlite_file(url)
        && let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        super::files::create_private_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    if let Some(path) = sqlite_file(url).filter(|_| url.contains("mode=rwc")) {
        // Made here as 0600 before SQLite creates it with the umask's mode (0644); SQLite gives
        // its journal files the database file's mode.
        super::files::create_private_file(std::path::Path::new(path))
            .with_context(|| format!("creating {path}"))?;
    }
    let mut options = ConnectOptions::new(url.to_string());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let mut db = Database::connect(options)
        .await
        .with_context(|| format!("connecting to the database at {}", redact(url)))?;
    tracing::info!(database = %redact(url), "connected to the database");
    let counter = StatementCounter::default();
    let inner = counter.0.clone();
    db.set_metric_callback(move |info| {
        // RUST_LOG=pasar_oleh::sql=trace shows every statement with its duration.
        tracing::trace!(target: "pasar_oleh::sql", elapsed_ms = info.elapsed.as_secs_f64() * 1000.0, sql = %info.statement.sql);
        inner.fetch_add(1, Ordering::Relaxed);
    });
    if url.starts_with("sqlite:") {
        // Foreign keys are off by default in SQLite; the schema relies on them.
        use sea_orm::ConnectionTrait;
        db.execute_unprepared("PRAGMA foreign_keys = ON").await?;
    }
    Ok((db, counter))
}

pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await.context("running migrations")
}

fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// Hides the secrets of a connection URL before it reaches a log line: the password of the
/// user part and any `password`-like query parameter (`?password=`, `sslpassword=`), parsed as
/// a URL rather than searched as text. A URL that does not parse is not logged at all.
pub fn redact(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return "(an unparseable database URL)".into();
    };
    if parsed.password().is_some() {
        // Cannot fail: a URL with a password has a host.
        let _ = parsed.set_password(Some("***"));
    }
    let is_secret = |key: &str| {
        key.to_ascii_lowercase().contains("password")
            || key.eq_ignore_ascii_case("pass")
            || key.eq_ignore_ascii_case("pwd")
    };
    if parsed.query_pairs().any(|(key, _)| is_secret(&key)) {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(key, value)| {
                let value = if is_secret(&key) {
                    "***".into()
                } else {
                    value.into_owned()
                };
                (key.into_owned(), value)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://app:secret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(
            redact("sqlite://data/a.db?mode=rwc"),
            "sqlite://data/a.db?mode=rwc"
        );
        // The password given as a query parameter, in any case, and one with an `@` in it.
        assert_eq!(
            redact("postgres://app@db/x?sslmode=disable&password=s3cr%40t&PassWord=x"),
            "postgres://app@db/x?sslmode=disable&password=***&PassWord=***"
        );
        assert_eq!(
            redact("postgres://app:p%40ss@w0rd@db:5432/x?sslpassword=key"),
            "postgres://app:***@db:5432/x?sslpassword=***"
        );
        let garbage = redact("not a url:secret@");
        assert!(!garbage.contains("secret"), "{garbage}");
    }

    #[test]
    fn finds_sqlite_files() {
        assert_eq!(
            sqlite_file("sqlite://data/a.db?mode=rwc"),
            Some("data/a.db")
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://x"), None);
    }
}
