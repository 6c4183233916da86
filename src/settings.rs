//! Every configuration variable and its default, in one place.
//!
//! Real services are used when configured; otherwise the embedded defaults apply so that
//! `cargo run` on a fresh clone works with no other step. `APP_ENV=production` refuses to start
//! when a variable it needs is missing, naming each one.

use std::{collections::HashMap, net::SocketAddr, path::PathBuf, time::Duration};

use thiserror::Error;

use crate::domain::client_address::IpRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub environment: Environment,
    /// Address the HTTP server binds to; port 0 picks a free port (tests).
    pub bind: SocketAddr,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Maximum pooled database connections.
    pub database_max_connections: u32,
    /// Folder for the embedded defaults: SQLite file, generated secrets, local media.
    pub data_dir: PathBuf,
    /// Base URL media links are built on; `None` means the app serves them at `/media`.
    pub media_public_url: Option<String>,
    /// S3 storage for media (`S3_BUCKET` and friends); `None` keeps media on local disk under
    /// `<DATA_DIR>/media`.
    pub s3: Option<S3Settings>,
    /// Seed the demo catalogue on an empty database (never in production).
    pub seed_demo: bool,
    /// Redis for the response cache, persisted queries, rate-limit counters and events across
    /// instances (REDIS_URL); `None` means in-process equivalents (one instance).
    pub redis_url: Option<String>,
    /// The Redis key prefix, deadline and the response cache's size and lifetime.
    pub cache: CacheSettings,
    /// Requests per minute (or query cost per minute) per caller.
    pub rate_limits: RateLimits,
    /// TRUSTED_DOCUMENTS_FILE: when set, only the documents of this manifest run (a JSON object
    /// of SHA-256 hex → document, made by `pasar-oleh trusted-documents`).
    pub trusted_documents: Option<PathBuf>,
    /// Secret for HS256 access tokens (required in production unless key files are used).
    pub jwt_secret: Option<String>,
    pub jwt: JwtSettings,
    pub log_format: LogFormat,
    /// Limits that protect the GraphQL endpoint.
    pub limits: Limits,
    /// Limits on the account mutations (password hashing, registration).
    pub accounts: AccountLimits,
    /// Reverse proxies whose `X-Forwarded-For` is believed (TRUSTED_PROXIES); none by default,
    /// so the client address is the TCP peer.
    pub trusted_proxies: Vec<IpRange>,
    /// Browser origins allowed to call the API (`CORS_ALLOWED_ORIGINS`).
    pub cors: CorsOrigins,
    /// How the server stops on SIGTERM or Ctrl-C.
    pub shutdown: ShutdownSettings,
    /// Photo uploads and processing.
    pub photos: PhotoSettings,
}

/// Photo uploads: how large, how many processed at once, how long an upload grant lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoSettings {
    /// `PHOTO_MAX_BYTES`: the largest accepted upload (10 MiB).
    pub max_bytes: u64,
    /// `PHOTO_CONCURRENCY`: photos decoded and encoded at once (each holds up to 40 MP in
    /// memory); the default is the number of cores.
    pub concurrency: usize,
    /// `PHOTO_UPLOAD_TTL_SECONDS`: how long a presigned upload URL lives (at most 900).
    pub upload_ttl_secs: u64,
}

impl Default for PhotoSettings {
    fn default() -> Self {
        PhotoSettings {
            max_bytes: 10 * 1024 * 1024,
            concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            upload_ttl_secs: 15 * 60,
        }
    }
}

/// Where media live when `S3_BUCKET` is set.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Settings {
    pub bucket: String,
    /// `S3_ENDPOINT`: MinIO, R2, Garage, …; `None` is AWS itself.
    pub endpoint: Option<String>,
    /// `S3_REGION`, else `AWS_REGION`, else `us-east-1`.
    pub region: String,
    /// `S3_FORCE_PATH_STYLE`: `http://host/bucket/key` instead of `http://bucket.host/key`.
    pub force_path_style: bool,
    /// `S3_PREFIX`: prepended to every key, e.g. `pasar-oleh/`.
    pub prefix: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

/// Never prints the secret key or session token.
impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("force_path_style", &self.force_path_style)
            .field("prefix", &self.prefix)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl S3Settings {
    /// Reads the S3 variables; `None` when `S3_BUCKET` is unset.
    fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, SettingsError> {
        let Some(bucket) = get("S3_BUCKET") else {
            return Ok(None);
        };
        let force_path_style = match get("S3_FORCE_PATH_STYLE").as_deref() {
            None | Some("0") | Some("false") | Some("no") => false,
            Some("1") | Some("true") | Some("yes") => true,
            Some(other) => {
                return Err(SettingsError::Invalid {
                    name: "S3_FORCE_PATH_STYLE",
                    reason: format!("expected true or false, got {other:?}"),
                });
            }
        };
        let endpoint = get("S3_ENDPOINT");
        if let Some(endpoint) = &endpoint {
            match url::Url::parse(endpoint) {
                Ok(url) if matches!(url.scheme(), "http" | "https") => {}
                _ => {
                    return Err(SettingsError::Invalid {
                        name: "S3_ENDPOINT",
                        reason: format!("expected an http(s) URL, got {endpoint:?}"),
                    });
                }
            }
        }
        let (Some(access_key_id), Some(secret_access_key)) =
            (get("AWS_ACCESS_KEY_ID"), get("AWS_SECRET_ACCESS_KEY"))
        else {
            return Err(SettingsError::Invalid {
                name: "S3_BUCKET",
                reason: "is set, so AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set too"
                    .into(),
            });
        };
        let prefix = get("S3_PREFIX")
            .map(|p| format!("{}/", p.trim_matches('/')))
            .unwrap_or_default();
        Ok(Some(S3Settings {
            bucket,
            endpoint,
            region: get("S3_REGION")
                .or_else(|| get("AWS_REGION"))
                .unwrap_or_else(|| "us-east-1".into()),
            force_path_style,
            prefix,
            access_key_id,
            secret_access_key,
            session_token: get("AWS_SESSION_TOKEN"),
        }))
    }
}

/// Origins whose browser pages may call the API (CORS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Any origin (`*`); refused in production.
    Any,
    /// Exactly these origins, each `scheme://host[:port]`, lower case; empty allows none.
    Only(Vec<String>),
}

impl CorsOrigins {
    pub fn allows(&self, origin: &str) -> bool {
        match self {
            CorsOrigins::Any => true,
            CorsOrigins::Only(list) => list.iter().any(|o| o.eq_ignore_ascii_case(origin)),
        }
    }
}

/// Graceful stop: readiness turns 503, the server keeps serving for `drain` so a load balancer
/// notices, then stops accepting and gives in-flight requests the rest of `grace`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownSettings {
    /// From the signal to the process exit, at most.
    pub grace: Duration,
    /// From the signal to the end of accepting new connections (readiness is 503 meanwhile).
    pub drain: Duration,
}

impl Default for ShutdownSettings {
    fn default() -> Self {
        ShutdownSettings {
            grace: Duration::from_secs(10),
            drain: Duration::ZERO,
        }
    }
}

/// One entry of `CORS_ALLOWED_ORIGINS` as the `Origin` header spells it: `scheme://host[:port]`.
fn parse_origin(raw: &str) -> Result<String, String> {
    let url = url::Url::parse(raw).map_err(|e| format!("{raw:?} is not an origin: {e}"))?;
    let bare = matches!(url.path(), "" | "/") && url.query().is_none() && url.fragment().is_none();
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || !bare
        || !url.username().is_empty()
    {
        return Err(format!(
            "{raw:?} is not an origin: expected scheme://host[:port], e.g. https://toko.example"
        ));
    }
    Ok(url.origin().ascii_serialization())
}

#[derive(Debug, Clone, Copy)]
pub struct AccountLimits {
    /// Password hashes or verifications running at once (PASSWORD_HASH_CONCURRENCY).
    pub hash_concurrency: usize,
    /// Calls that may wait for a hashing slot before the next is refused BUSY (PASSWORD_HASH_QUEUE).
    pub hash_queue: usize,
    /// Registrations per client address (IPv6: per /64) within 15 minutes of the last one
    /// (REGISTRATIONS_PER_ADDRESS).
    pub registrations_per_address: u64,
    /// Memory the in-process throttling counters may hold, in bytes, keys and bookkeeping
    /// included (THROTTLE_CACHE_MAX_BYTES); beyond it the least useful counters are evicted.
    pub throttle_cache_max_bytes: u64,
}

impl Default for AccountLimits {
    fn default() -> Self {
        AccountLimits {
            hash_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            hash_queue: 32,
            registrations_per_address: 10,
            throttle_cache_max_bytes: 64 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone)]
pub struct JwtSettings {
    /// Retired HS256 secrets that still verify (rotation), comma-separated in JWT_PREVIOUS_SECRETS.
    pub previous_secrets: Vec<String>,
    /// `EdDSA` or `RS256` with key files instead of HS256.
    pub algorithm: Option<String>,
    pub private_key_file: Option<PathBuf>,
    pub public_key_files: Vec<PathBuf>,
    pub issuer: String,
    pub audience: String,
    /// Lifetime of access tokens, at most 15 minutes.
    pub access_ttl_secs: i64,
    pub refresh_ttl_days: i64,
    /// Absolute lifetime of a login (a refresh-token family), however often it is refreshed
    /// (SESSION_MAX_DAYS).
    pub session_max_days: i64,
    /// Seconds after a refresh during which presenting the same refresh token again returns
    /// the same successor instead of counting as reuse (REFRESH_GRACE_SECONDS).
    pub refresh_grace_secs: i64,
}

impl Default for JwtSettings {
    fn default() -> Self {
        JwtSettings {
            previous_secrets: Vec::new(),
            algorithm: None,
            private_key_file: None,
            public_key_files: Vec::new(),
            issuer: "pasar-oleh".into(),
            audience: "pasar-oleh-api".into(),
            access_ttl_secs: 900,
            refresh_ttl_days: 30,
            session_max_days: 90,
            refresh_grace_secs: 30,
        }
    }
}

/// The shared store (Redis or in-process) and the response cache.
#[derive(Debug, Clone)]
pub struct CacheSettings {
    /// Prepended to every Redis key and channel (REDIS_KEY_PREFIX, default `pasar:`).
    pub redis_prefix: String,
    /// Deadline of one Redis command (REDIS_COMMAND_TIMEOUT_MS, default 50): past it the
    /// request goes on without Redis.
    pub redis_timeout: Duration,
    /// Lifetime of a cached public response and its HTTP `max-age`
    /// (RESPONSE_CACHE_TTL_SECONDS, default 30; 0 turns the response cache off).
    pub response_ttl: Duration,
    /// `stale-while-revalidate` of public GET responses (HTTP_STALE_WHILE_REVALIDATE_SECONDS,
    /// default 60).
    pub stale_while_revalidate: Duration,
    /// Bytes the in-process response cache holds (RESPONSE_CACHE_MAX_BYTES, default 64 MiB); a
    /// response over a sixteenth of it is never cached.
    pub response_max_bytes: u64,
}

impl Default for CacheSettings {
    fn default() -> Self {
        CacheSettings {
            redis_prefix: "pasar:".into(),
            redis_timeout: Duration::from_millis(50),
            response_ttl: Duration::from_secs(30),
            stale_while_revalidate: Duration::from_secs(60),
            response_max_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Per-caller budgets per minute (a user, a kiosk, or for anonymous callers the client address,
/// IPv6 by /64). `None` is unlimited (`0` in the variable).
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// `login` calls (RATE_LIMIT_LOGIN_PER_MINUTE, default 20).
    pub login: Option<u64>,
    /// `register` calls (RATE_LIMIT_REGISTRATION_PER_MINUTE, default 5).
    pub registration: Option<u64>,
    /// `refreshToken` calls (RATE_LIMIT_REFRESH_PER_MINUTE, default 30).
    pub refresh: Option<u64>,
    /// Uploads (RATE_LIMIT_UPLOADS_PER_MINUTE, default 30).
    pub uploads: Option<u64>,
    /// Summed query cost (`graphql::cost`) of every operation (RATE_LIMIT_QUERY_COST_PER_MINUTE,
    /// default 1 000 000: about fifty requests at the cost limit, several hundred catalogue pages).
    pub query_cost: Option<u64>,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            login: Some(20),
            registration: Some(5),
            refresh: Some(30),
            uploads: Some(30),
            query_cost: Some(1_000_000),
        }
    }
}

impl RateLimits {
    /// No limit at all (tests that are not about them).
    pub fn unlimited() -> Self {
        RateLimits {
            login: None,
            registration: None,
            refresh: None,
            uploads: None,
            query_cost: None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_depth: usize,
    /// Cost budget of one HTTP request, shared by the operations of a batch (`graphql::cost`).
    pub max_complexity: usize,
    /// Aliased fields in one document.
    pub max_aliases: usize,
    /// Root fields in one operation.
    pub max_root_fields: usize,
    pub max_batch: usize,
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 12,
            max_complexity: 21_000,
            max_aliases: 30,
            max_root_fields: 10,
            max_batch: 10,
            max_body_bytes: 256 * 1024,
        }
    }
}

#[derive(Debug, Error, PartialEq)]
pub enum SettingsError {
    #[error("APP_ENV=production needs these variables set: {}", .0.join(", "))]
    MissingInProduction(Vec<&'static str>),
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Shortest HS256 secret accepted in production, in bytes (the HMAC-SHA256 key size).
pub const MIN_SECRET_BYTES: usize = 32;

/// The production rule for HS256 secrets: at least [`MIN_SECRET_BYTES`] bytes, at least two
/// character classes (lower case, upper case, digits, others) and at least 10 distinct
/// characters. It cannot prove randomness; it refuses what is plainly typed by hand ("s",
/// "changeme", "aaaa…"), and `openssl rand -base64 48` or `-hex 32` always passes. The reason
/// never repeats the secret.
pub fn check_secret_strength(secret: &str) -> Result<(), String> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(format!(
            "must be at least {MIN_SECRET_BYTES} bytes of random data in production, e.g. `openssl rand -base64 48` (it has {})",
            secret.len()
        ));
    }
    let classes = [
        secret.chars().any(|c| c.is_ascii_lowercase()),
        secret.chars().any(|c| c.is_ascii_uppercase()),
        secret.chars().any(|c| c.is_ascii_digit()),
        secret.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|&&present| present).count() < 2 {
        return Err("looks typed, not random: it uses one character class only; use e.g. `openssl rand -base64 48`".into());
    }
    let distinct: std::collections::HashSet<char> = secret.chars().collect();
    if distinct.len() < 10 {
        return Err("looks typed, not random: fewer than 10 distinct characters; use e.g. `openssl rand -base64 48`".into());
    }
    Ok(())
}

impl Settings {
    /// Reads the process environment, after loading `.env` when present.
    pub fn from_env() -> Result<Self, SettingsError> {
        let _ = dotenvy::dotenv();
        let vars: HashMap<String, String> = std::env::vars().collect();
        Self::from_lookup(|key| vars.get(key).cloned())
    }

    /// Builds settings from any lookup, so tests can vary them without touching the process.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let get = |key: &str| {
            get(key)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let environment = match get("APP_ENV").as_deref() {
            None | Some("development") | Some("dev") | Some("test") => Environment::Development,
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => {
                return Err(SettingsError::Invalid {
                    name: "APP_ENV",
                    reason: format!("expected development or production, got {other:?}"),
                });
            }
        };
        if environment == Environment::Production {
            let mut missing: Vec<&'static str> = Vec::new();
            if get("DATABASE_URL").is_none() {
                missing.push("DATABASE_URL");
            }
            // Key files replace the HMAC secret.
            if get("JWT_SECRET").is_none() && get("JWT_PRIVATE_KEY_FILE").is_none() {
                missing.push("JWT_SECRET");
            }
            if !missing.is_empty() {
                return Err(SettingsError::MissingInProduction(missing));
            }
            if let Some(secret) = get("JWT_SECRET") {
                check_secret_strength(&secret).map_err(|reason| SettingsError::Invalid {
                    name: "JWT_SECRET",
                    reason,
                })?;
            }
            for (i, secret) in get("JWT_PREVIOUS_SECRETS")
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .enumerate()
            {
                check_secret_strength(secret).map_err(|reason| SettingsError::Invalid {
                    name: "JWT_PREVIOUS_SECRETS",
                    reason: format!("secret number {}: {reason}", i + 1),
                })?;
            }
        }
        let data_dir = PathBuf::from(get("DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = get("DATABASE_URL").unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("pasar-oleh.db").display()
            )
        });
        let bind = get("BIND")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .map_err(|e| SettingsError::Invalid {
                name: "BIND",
                reason: format!("{e}"),
            })?;
        // A server reachable from the network must say which environment it is: a forgotten
        // APP_ENV would otherwise serve GraphiQL, introspection and demo data to the world.
        if get("APP_ENV").is_none() && !bind_is_loopback(&bind) {
            return Err(SettingsError::Invalid {
                name: "APP_ENV",
                reason: format!(
                    "must be set when BIND ({bind}) is not a loopback address: APP_ENV=production, or APP_ENV=development to serve development settings on the network"
                ),
            });
        }
        let database_max_connections = match get("DATABASE_MAX_CONNECTIONS") {
            None => 10,
            Some(v) => v.parse().map_err(|e| SettingsError::Invalid {
                name: "DATABASE_MAX_CONNECTIONS",
                reason: format!("{e}"),
            })?,
        };
        let seed_demo = match get("SEED_DEMO").as_deref() {
            None => environment == Environment::Development,
            Some("1") | Some("true") | Some("yes") => environment == Environment::Development,
            Some("0") | Some("false") | Some("no") => false,
            Some(other) => {
                return Err(SettingsError::Invalid {
                    name: "SEED_DEMO",
                    reason: format!("expected true or false, got {other:?}"),
                });
            }
        };
        let log_format = match get("LOG_FORMAT").as_deref() {
            Some("json") => LogFormat::Json,
            Some("pretty") => LogFormat::Pretty,
            None if environment == Environment::Production => LogFormat::Json,
            None => LogFormat::Pretty,
            Some(other) => {
                return Err(SettingsError::Invalid {
                    name: "LOG_FORMAT",
                    reason: format!("expected json or pretty, got {other:?}"),
                });
            }
        };
        let list = |key: &str| -> Vec<String> {
            get(key)
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        let access_ttl_secs = match get("ACCESS_TOKEN_TTL_SECS") {
            None => 900,
            Some(v) => match v.parse::<i64>() {
                Ok(n) if (30..=900).contains(&n) => n,
                _ => {
                    return Err(SettingsError::Invalid {
                        name: "ACCESS_TOKEN_TTL_SECS",
                        reason: "expected seconds from 30 to 900 (access tokens live at most 15 minutes)".into(),
                    });
                }
            },
        };
        let number = |key: &'static str, default: u64, min: u64| -> Result<u64, SettingsError> {
            match get(key) {
                None => Ok(default),
                Some(v) => match v.parse::<u64>() {
                    Ok(n) if n >= min => Ok(n),
                    _ => Err(SettingsError::Invalid {
                        name: key,
                        reason: format!("expected a whole number of at least {min}, got {v:?}"),
                    }),
                },
            }
        };
        let photo_defaults = PhotoSettings::default();
        let photos = PhotoSettings {
            max_bytes: number("PHOTO_MAX_BYTES", photo_defaults.max_bytes, 1024)?,
            concurrency: number("PHOTO_CONCURRENCY", photo_defaults.concurrency as u64, 1)?
                as usize,
            upload_ttl_secs: number(
                "PHOTO_UPLOAD_TTL_SECONDS",
                photo_defaults.upload_ttl_secs,
                1,
            )?
            .min(photo_defaults.upload_ttl_secs),
        };
        let defaults = AccountLimits::default();
        let accounts = AccountLimits {
            hash_concurrency: number(
                "PASSWORD_HASH_CONCURRENCY",
                defaults.hash_concurrency as u64,
                1,
            )? as usize,
            hash_queue: number("PASSWORD_HASH_QUEUE", defaults.hash_queue as u64, 0)? as usize,
            registrations_per_address: number(
                "REGISTRATIONS_PER_ADDRESS",
                defaults.registrations_per_address,
                1,
            )?,
            throttle_cache_max_bytes: number(
                "THROTTLE_CACHE_MAX_BYTES",
                defaults.throttle_cache_max_bytes,
                64 * 1024,
            )?,
        };
        let trusted_proxies = list("TRUSTED_PROXIES")
            .iter()
            .map(|raw| IpRange::parse(raw))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| SettingsError::Invalid {
                name: "TRUSTED_PROXIES",
                reason: e.0,
            })?;
        let cors = match get("CORS_ALLOWED_ORIGINS") {
            None if environment == Environment::Production => CorsOrigins::Only(Vec::new()),
            None => CorsOrigins::Any,
            Some(_) if list("CORS_ALLOWED_ORIGINS").iter().any(|o| o == "*") => {
                if environment == Environment::Production {
                    return Err(SettingsError::Invalid {
                        name: "CORS_ALLOWED_ORIGINS",
                        reason: "`*` is refused in production; list the origins".into(),
                    });
                }
                CorsOrigins::Any
            }
            Some(_) => CorsOrigins::Only(
                list("CORS_ALLOWED_ORIGINS")
                    .iter()
                    .map(|raw| parse_origin(raw))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|reason| SettingsError::Invalid {
                        name: "CORS_ALLOWED_ORIGINS",
                        reason,
                    })?,
            ),
        };
        let grace = number("SHUTDOWN_GRACE_SECONDS", 10, 1)?;
        let drain_default = if environment == Environment::Production {
            3
        } else {
            0
        };
        let drain = number("SHUTDOWN_DRAIN_SECONDS", drain_default.min(grace - 1), 0)?;
        if drain >= grace {
            return Err(SettingsError::Invalid {
                name: "SHUTDOWN_DRAIN_SECONDS",
                reason: format!(
                    "must be less than SHUTDOWN_GRACE_SECONDS ({grace}), which bounds the whole stop"
                ),
            });
        }
        let shutdown = ShutdownSettings {
            grace: Duration::from_secs(grace),
            drain: Duration::from_secs(drain),
        };
        let jwt = JwtSettings {
            previous_secrets: list("JWT_PREVIOUS_SECRETS"),
            algorithm: get("JWT_ALGORITHM"),
            private_key_file: get("JWT_PRIVATE_KEY_FILE").map(PathBuf::from),
            public_key_files: list("JWT_PUBLIC_KEY_FILES")
                .into_iter()
                .map(PathBuf::from)
                .collect(),
            issuer: get("JWT_ISSUER").unwrap_or_else(|| "pasar-oleh".into()),
            audience: get("JWT_AUDIENCE").unwrap_or_else(|| "pasar-oleh-api".into()),
            access_ttl_secs,
            refresh_ttl_days: 30,
            session_max_days: number("SESSION_MAX_DAYS", 90, 1)? as i64,
            refresh_grace_secs: number("REFRESH_GRACE_SECONDS", 30, 0)? as i64,
        };
        let cache_defaults = CacheSettings::default();
        let cache = CacheSettings {
            redis_prefix: get("REDIS_KEY_PREFIX").unwrap_or(cache_defaults.redis_prefix),
            redis_timeout: Duration::from_millis(number("REDIS_COMMAND_TIMEOUT_MS", 50, 1)?),
            response_ttl: Duration::from_secs(number(
                "RESPONSE_CACHE_TTL_SECONDS",
                cache_defaults.response_ttl.as_secs(),
                0,
            )?),
            stale_while_revalidate: Duration::from_secs(number(
                "HTTP_STALE_WHILE_REVALIDATE_SECONDS",
                cache_defaults.stale_while_revalidate.as_secs(),
                0,
            )?),
            response_max_bytes: number(
                "RESPONSE_CACHE_MAX_BYTES",
                cache_defaults.response_max_bytes,
                64 * 1024,
            )?,
        };
        let rate_defaults = RateLimits::default();
        let per_minute =
            |key: &'static str, default: Option<u64>| -> Result<Option<u64>, SettingsError> {
                let n = number(key, default.unwrap_or(0), 0)?;
                Ok((n > 0).then_some(n))
            };
        let rate_limits = RateLimits {
            login: per_minute("RATE_LIMIT_LOGIN_PER_MINUTE", rate_defaults.login)?,
            registration: per_minute(
                "RATE_LIMIT_REGISTRATION_PER_MINUTE",
                rate_defaults.registration,
            )?,
            refresh: per_minute("RATE_LIMIT_REFRESH_PER_MINUTE", rate_defaults.refresh)?,
            uploads: per_minute("RATE_LIMIT_UPLOADS_PER_MINUTE", rate_defaults.uploads)?,
            query_cost: per_minute("RATE_LIMIT_QUERY_COST_PER_MINUTE", rate_defaults.query_cost)?,
        };
        Ok(Settings {
            cache,
            rate_limits,
            trusted_documents: get("TRUSTED_DOCUMENTS_FILE").map(PathBuf::from),
            jwt,
            environment,
            bind,
            database_url,
            database_max_connections,
            data_dir,
            media_public_url: get("MEDIA_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_string()),
            s3: S3Settings::from_lookup(get)?,
            seed_demo,
            redis_url: get("REDIS_URL"),
            jwt_secret: get("JWT_SECRET"),
            log_format,
            limits: Limits::default(),
            accounts,
            trusted_proxies,
            cors,
            shutdown,
            photos,
        })
    }

    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }

    /// Settings for tests: a given database, port 0, no demo seeding unless asked.
    pub fn for_tests(database_url: String, data_dir: PathBuf) -> Self {
        Settings {
            environment: Environment::Development,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url,
            database_max_connections: 5,
            data_dir,
            media_public_url: None,
            s3: None,
            seed_demo: false,
            redis_url: None,
            cache: CacheSettings::default(),
            // Factories sign up and in many users from 127.0.0.1; the limit tests set theirs.
            rate_limits: RateLimits::unlimited(),
            trusted_documents: None,
            jwt_secret: Some("test-secret-test-secret-test-secret".into()),
            jwt: JwtSettings::default(),
            log_format: LogFormat::Pretty,
            limits: Limits::default(),
            // Factories register every test user from 127.0.0.1.
            accounts: AccountLimits {
                registrations_per_address: 10_000,
                ..AccountLimits::default()
            },
            trusted_proxies: Vec::new(),
            cors: CorsOrigins::Any,
            shutdown: ShutdownSettings::default(),
            photos: PhotoSettings::default(),
        }
    }
}

/// Loopback addresses (127.0.0.0/8, ::1) are reachable from this machine only.
fn bind_is_loopback(bind: &SocketAddr) -> bool {
    bind.ip().is_loopback()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn cache_and_rate_limit_settings() {
        let s = Settings::from_lookup(lookup(&[])).unwrap();
        assert_eq!(s.redis_url, None);
        assert_eq!(s.cache.redis_prefix, "pasar:");
        assert_eq!(s.cache.redis_timeout, Duration::from_millis(50));
        assert_eq!(s.cache.response_ttl, Duration::from_secs(30));
        assert_eq!(s.rate_limits.login, Some(20));
        assert_eq!(s.rate_limits.query_cost, Some(1_000_000));
        let s = Settings::from_lookup(lookup(&[
            ("REDIS_URL", "redis://cache:6379/2"),
            ("REDIS_KEY_PREFIX", "po:"),
            ("RESPONSE_CACHE_TTL_SECONDS", "0"),
            ("RATE_LIMIT_LOGIN_PER_MINUTE", "0"),
            ("RATE_LIMIT_QUERY_COST_PER_MINUTE", "50000"),
            ("TRUSTED_DOCUMENTS_FILE", "clients/trusted-documents.json"),
        ]))
        .unwrap();
        assert_eq!(s.redis_url.as_deref(), Some("redis://cache:6379/2"));
        assert_eq!(s.cache.redis_prefix, "po:");
        assert!(s.cache.response_ttl.is_zero(), "0 turns the cache off");
        assert_eq!(s.rate_limits.login, None, "0 is unlimited");
        assert_eq!(s.rate_limits.query_cost, Some(50_000));
        assert!(s.trusted_documents.is_some());
        assert!(Settings::from_lookup(lookup(&[("REDIS_COMMAND_TIMEOUT_MS", "soon")])).is_err());
    }

    #[test]
    fn development_defaults_need_nothing() {
        let s = Settings::from_lookup(lookup(&[])).unwrap();
        assert_eq!(s.environment, Environment::Development);
        assert_eq!(s.database_url, "sqlite://data/pasar-oleh.db?mode=rwc");
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert!(s.seed_demo);
    }

    #[test]
    fn production_names_every_missing_variable() {
        let err = Settings::from_lookup(lookup(&[("APP_ENV", "production")])).unwrap_err();
        assert_eq!(
            err,
            SettingsError::MissingInProduction(vec!["DATABASE_URL", "JWT_SECRET"])
        );
        assert!(err.to_string().contains("DATABASE_URL, JWT_SECRET"));
    }

    #[test]
    fn production_accepts_key_files_instead_of_a_secret() {
        let s = Settings::from_lookup(lookup(&[
            ("APP_ENV", "production"),
            ("DATABASE_URL", "postgres://x@localhost/db"),
            ("JWT_PRIVATE_KEY_FILE", "/etc/pasar-oleh/2026-07.key"),
        ]));
        assert!(s.is_ok());
    }

    #[test]
    fn production_never_seeds() {
        let s = Settings::from_lookup(lookup(&[
            ("APP_ENV", "production"),
            ("DATABASE_URL", "postgres://x@localhost/db"),
            ("JWT_SECRET", STRONG),
            ("SEED_DEMO", "true"),
        ]))
        .unwrap();
        assert!(!s.seed_demo);
        assert_eq!(s.log_format, LogFormat::Json);
    }

    /// `openssl rand -base64 48`
    const STRONG: &str = "q3Vx8mZ1tLr0Yc+u5NwHj2Pb7sKdAe9GfRi4oTnWzXyMhQ6vBlC1gE8UaJpSk3Dt";

    fn production_with(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let mut all = vec![
            ("APP_ENV", "production"),
            ("DATABASE_URL", "postgres://x@localhost/db"),
        ];
        all.extend_from_slice(pairs);
        Settings::from_lookup(lookup(&all))
    }

    #[test]
    fn production_refuses_weak_secrets() {
        for weak in [
            "s",
            "changeme-changeme-changeme",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "abcdefghijklmnopqrstuvwxyzabcdefgh",
            "ababababababababababababab12121212",
        ] {
            let err = production_with(&[("JWT_SECRET", weak)]).unwrap_err();
            assert!(
                matches!(
                    err,
                    SettingsError::Invalid {
                        name: "JWT_SECRET",
                        ..
                    }
                ),
                "{weak}: {err:?}"
            );
            if weak.len() > 1 {
                assert!(
                    !err.to_string().contains(weak),
                    "the message repeats the secret"
                );
            }
        }
        assert!(production_with(&[("JWT_SECRET", STRONG)]).is_ok());
        // `openssl rand -hex 32`: two classes, 16 distinct characters.
        let hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        assert!(production_with(&[("JWT_SECRET", hex)]).is_ok());
    }

    #[test]
    fn production_refuses_weak_previous_secrets_too() {
        let err = production_with(&[
            ("JWT_SECRET", STRONG),
            ("JWT_PREVIOUS_SECRETS", &format!("{STRONG}x, old")),
        ])
        .unwrap_err();
        assert!(
            matches!(err, SettingsError::Invalid { name: "JWT_PREVIOUS_SECRETS", ref reason } if reason.starts_with("secret number 2")),
            "{err:?}"
        );
        // Key files need no secret; a weak one next to them is still refused.
        assert!(production_with(&[("JWT_PRIVATE_KEY_FILE", "/k/2026-07.key")]).is_ok());
        assert!(
            production_with(&[
                ("JWT_PRIVATE_KEY_FILE", "/k/2026-07.key"),
                ("JWT_SECRET", "s")
            ])
            .is_err()
        );
    }

    #[test]
    fn development_accepts_any_secret() {
        assert!(Settings::from_lookup(lookup(&[("JWT_SECRET", "s")])).is_ok());
    }

    #[test]
    fn account_limits_have_defaults_and_refuse_nonsense() {
        let s = Settings::from_lookup(lookup(&[("PASSWORD_HASH_QUEUE", "0")])).unwrap();
        assert_eq!(s.accounts.hash_queue, 0);
        assert_eq!(s.accounts.registrations_per_address, 10);
        let err = Settings::from_lookup(lookup(&[("PASSWORD_HASH_CONCURRENCY", "0")])).unwrap_err();
        assert!(matches!(
            err,
            SettingsError::Invalid {
                name: "PASSWORD_HASH_CONCURRENCY",
                ..
            }
        ));
    }

    #[test]
    fn trusted_proxies_are_ranges() {
        let s = Settings::from_lookup(lookup(&[("TRUSTED_PROXIES", "10.0.0.0/8, ::1")])).unwrap();
        assert_eq!(s.trusted_proxies.len(), 2);
        let err = Settings::from_lookup(lookup(&[("TRUSTED_PROXIES", "10.0.0.0/40")])).unwrap_err();
        assert!(matches!(
            err,
            SettingsError::Invalid {
                name: "TRUSTED_PROXIES",
                ..
            }
        ));
    }

    #[test]
    fn rejects_a_bad_bind_address() {
        let err = Settings::from_lookup(lookup(&[("BIND", "nowhere")])).unwrap_err();
        assert!(matches!(err, SettingsError::Invalid { name: "BIND", .. }));
    }

    fn production(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let mut all = vec![("JWT_SECRET", "Zq8-4kP!x2Lm9Vr7Tn3Wb6Yc1Hd5Jf0G")];
        all.extend_from_slice(pairs);
        production_with(&all)
    }

    #[test]
    fn a_network_bind_needs_an_explicit_environment() {
        let err = Settings::from_lookup(lookup(&[("BIND", "0.0.0.0:8080")])).unwrap_err();
        assert!(
            matches!(&err, SettingsError::Invalid { name: "APP_ENV", reason } if reason.contains("0.0.0.0:8080")),
            "{err}"
        );
        assert!(Settings::from_lookup(lookup(&[("BIND", "[::]:8080")])).is_err());
        let s = Settings::from_lookup(lookup(&[
            ("APP_ENV", "development"),
            ("BIND", "0.0.0.0:8080"),
        ]))
        .unwrap();
        assert_eq!(s.bind.to_string(), "0.0.0.0:8080");
        for loopback in ["127.0.0.1:9000", "[::1]:9000", "127.0.0.1:0"] {
            assert!(Settings::from_lookup(lookup(&[("BIND", loopback)])).is_ok());
        }
    }

    #[test]
    fn cors_origins_default_by_environment_and_refuse_a_star_in_production() {
        let dev = Settings::from_lookup(lookup(&[])).unwrap();
        assert_eq!(dev.cors, CorsOrigins::Any);
        let prod = production(&[]).unwrap();
        assert_eq!(prod.cors, CorsOrigins::Only(vec![]));
        assert!(!prod.cors.allows("https://toko.example"));
        let err = production(&[("CORS_ALLOWED_ORIGINS", "*")]).unwrap_err();
        assert!(matches!(
            err,
            SettingsError::Invalid {
                name: "CORS_ALLOWED_ORIGINS",
                ..
            }
        ));
        let prod = production(&[(
            "CORS_ALLOWED_ORIGINS",
            "https://Toko.Example/, http://localhost:5173",
        )])
        .unwrap();
        assert_eq!(
            prod.cors,
            CorsOrigins::Only(vec![
                "https://toko.example".into(),
                "http://localhost:5173".into()
            ])
        );
        assert!(prod.cors.allows("https://toko.example"));
        assert!(!prod.cors.allows("https://toko.example.evil"));
        for bad in [
            "toko.example",
            "https://toko.example/app",
            "ftp://x",
            "https://a@b",
        ] {
            let err = production(&[("CORS_ALLOWED_ORIGINS", bad)]).unwrap_err();
            assert!(
                matches!(
                    err,
                    SettingsError::Invalid {
                        name: "CORS_ALLOWED_ORIGINS",
                        ..
                    }
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn shutdown_grace_and_drain() {
        let dev = Settings::from_lookup(lookup(&[])).unwrap();
        assert_eq!(dev.shutdown.grace, Duration::from_secs(10));
        assert_eq!(dev.shutdown.drain, Duration::ZERO);
        assert_eq!(
            production(&[]).unwrap().shutdown.drain,
            Duration::from_secs(3)
        );
        let s = Settings::from_lookup(lookup(&[
            ("SHUTDOWN_GRACE_SECONDS", "30"),
            ("SHUTDOWN_DRAIN_SECONDS", "5"),
        ]))
        .unwrap();
        assert_eq!(s.shutdown.grace, Duration::from_secs(30));
        assert_eq!(s.shutdown.drain, Duration::from_secs(5));
        for bad in [
            vec![("SHUTDOWN_GRACE_SECONDS", "0")],
            vec![
                ("SHUTDOWN_GRACE_SECONDS", "5"),
                ("SHUTDOWN_DRAIN_SECONDS", "5"),
            ],
            vec![("SHUTDOWN_DRAIN_SECONDS", "x")],
        ] {
            assert!(Settings::from_lookup(lookup(&bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn s3_is_chosen_by_the_bucket_and_needs_credentials() {
        assert_eq!(Settings::from_lookup(lookup(&[])).unwrap().s3, None);
        let s3 = Settings::from_lookup(lookup(&[
            ("S3_BUCKET", "foto"),
            ("S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("S3_FORCE_PATH_STYLE", "true"),
            ("AWS_REGION", "ap-southeast-3"),
            ("S3_PREFIX", "/pasar-oleh/"),
            ("AWS_ACCESS_KEY_ID", "AKIA1"),
            ("AWS_SECRET_ACCESS_KEY", "very-secret-key"),
        ]))
        .unwrap()
        .s3
        .unwrap();
        assert_eq!(s3.bucket, "foto");
        assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert!(s3.force_path_style);
        assert_eq!(s3.region, "ap-southeast-3");
        assert_eq!(s3.prefix, "pasar-oleh/");
        assert!(!format!("{s3:?}").contains("very-secret-key"));
        let err = Settings::from_lookup(lookup(&[("S3_BUCKET", "foto")])).unwrap_err();
        assert!(err.to_string().contains("AWS_ACCESS_KEY_ID"), "{err}");
        let err = Settings::from_lookup(lookup(&[
            ("S3_BUCKET", "foto"),
            ("S3_ENDPOINT", "minio:9000"),
            ("AWS_ACCESS_KEY_ID", "a"),
            ("AWS_SECRET_ACCESS_KEY", "b"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("S3_ENDPOINT"), "{err}");
    }
}
