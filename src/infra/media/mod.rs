//! Media storage: one `MediaStore` over two backends, chosen by configuration.
//!
//! - **S3** (`S3_BUCKET` set): AWS, MinIO, Cloudflare R2, Garage or any S3-compatible endpoint.
//! - **Local disk** (the default): `<DATA_DIR>/media`, served by the app at `/media/<key>`.
//!
//! Both offer the same operations, presigned uploads included: on S3 a presigned PUT is S3's
//! own; on local disk it is `PUT /media/upload/<token>` on the app, where the token is an
//! HMAC-signed, expiring grant binding key, content type and length, checked like S3 checks its
//! signature. A phone therefore uploads the same way in development and in production.
//!
//! Keys are chosen by the server. Published objects are **content-addressed**
//! (`photos/<sha256 of the bytes>.<ext>`), so an object under a key never changes and can be
//! cached forever; the extension fixes the content type, which is one of a whitelist of raster
//! formats, so user bytes are never served as SVG or HTML. Uploads land under `uploads/`, a
//! staging prefix that is never served. See docs/storage.md.

mod local;
mod s3;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use sha2::{Digest, Sha256};

pub use local::{LocalStore, UploadGrant, UploadRefusal};
pub use s3::S3Store;

/// `Cache-Control` of published, content-addressed objects: they never change.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The longest a presigned upload URL lives.
pub const MAX_UPLOAD_TTL: Duration = Duration::from_secs(15 * 60);

/// Prefix of published, content-addressed objects (the only ones `/media` serves).
pub const PUBLISHED_PREFIX: &str = "photos/";

/// Prefix of uploads that are not validated yet; never served.
pub const UPLOAD_PREFIX: &str = "uploads/";

/// The content types media may have: raster formats only. Anything else (SVG, HTML, GIF, HEIC,
/// text) cannot be stored, so it can never be served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentType {
    Webp,
    Jpeg,
    Png,
}

impl ContentType {
    pub const ALL: [ContentType; 3] = [ContentType::Webp, ContentType::Jpeg, ContentType::Png];

    /// The type of a declared MIME type (`image/jpeg; charset=…` parameters are ignored);
    /// `None` for anything outside the whitelist.
    pub fn parse(mime: &str) -> Option<Self> {
        let essence = mime.split(';').next()?.trim();
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(essence))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ContentType::Webp => "image/webp",
            ContentType::Jpeg => "image/jpeg",
            ContentType::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ContentType::Webp => "webp",
            ContentType::Jpeg => "jpg",
            ContentType::Png => "png",
        }
    }

    fn from_extension(ext: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.extension() == ext)
    }
}

/// A key the server chose: relative path segments of `[a-z0-9_-]` (plus one extension) that
/// cannot climb out of a folder, ending in the extension of a whitelisted content type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaKey {
    key: String,
    content_type: ContentType,
}

impl MediaKey {
    /// `photos/<sha256 hex>.<ext>`: the same bytes always get the same key, other bytes another.
    pub fn content_addressed(bytes: &[u8], content_type: ContentType) -> Self {
        MediaKey {
            key: format!(
                "{PUBLISHED_PREFIX}{}.{}",
                hex::encode(Sha256::digest(bytes)),
                content_type.extension()
            ),
            content_type,
        }
    }

    /// A fresh key for an upload that is not validated yet (`uploads/<uuid>.<ext>`).
    pub fn for_upload(content_type: ContentType) -> Self {
        MediaKey {
            key: format!(
                "{UPLOAD_PREFIX}{}.{}",
                uuid::Uuid::now_v7().simple(),
                content_type.extension()
            ),
            content_type,
        }
    }

    /// Checks a key read back from the database or a URL.
    pub fn parse(key: &str) -> Option<Self> {
        let (stem, ext) = key.rsplit_once('.')?;
        let content_type = ContentType::from_extension(ext)?;
        let safe = key.len() <= 255
            && !stem.is_empty()
            && stem.split('/').all(|part| {
                !part.is_empty()
                    && part.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_')
                    })
            });
        safe.then(|| MediaKey {
            key: key.to_string(),
            content_type,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.key
    }

    pub fn content_type(&self) -> ContentType {
        self.content_type
    }

    /// Published objects are content-addressed and may be served; uploads may not.
    pub fn is_published(&self) -> bool {
        self.key.starts_with(PUBLISHED_PREFIX)
    }

    /// The SHA-256 of a content-addressed key (its strong `ETag`).
    pub fn content_hash(&self) -> Option<&str> {
        let name = self.key.strip_prefix(PUBLISHED_PREFIX)?;
        let (hash, _) = name.split_once('.')?;
        (hash.len() == 64).then_some(hash)
    }
}

impl std::fmt::Display for MediaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key)
    }
}

/// An object as read back from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub bytes: Vec<u8>,
    pub content_type: String,
    /// The `Cache-Control` stored with the object (S3); the local backend stores none, and its
    /// route decides.
    pub cache_control: Option<String>,
}

/// What `head` reports without reading the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectHead {
    pub length: u64,
    pub content_type: String,
}

/// A presigned request: the client sends `method` to `url` with exactly these `headers` and a
/// body of the signed length before `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub expires_at: SystemTime,
}

#[derive(Debug, Clone)]
enum Backend {
    Local(LocalStore),
    S3(S3Store),
}

/// The media store the application holds. Cloning is cheap.
#[derive(Debug, Clone)]
pub struct MediaStore {
    backend: Backend,
    /// `MEDIA_PUBLIC_URL`: a CDN (or the app) in front of the objects.
    public_base: Option<String>,
}

impl MediaStore {
    /// Local disk under `root`. Objects are linked from `public_base` (`MEDIA_PUBLIC_URL`, or
    /// `http://<BIND>/media`), and uploads go to `<public_base>/upload/<token>`.
    pub fn local(root: std::path::PathBuf, public_base: String) -> Self {
        let base = public_base.trim_end_matches('/').to_string();
        MediaStore {
            backend: Backend::Local(LocalStore::new(root, base.clone())),
            public_base: Some(base),
        }
    }

    /// An S3 bucket; `public_base` is `MEDIA_PUBLIC_URL` (without it, links are presigned GETs).
    /// Fails when the bucket cannot be reached, so a misconfigured server never starts.
    pub async fn s3(
        settings: &crate::settings::S3Settings,
        public_base: Option<String>,
    ) -> anyhow::Result<Self> {
        let store = S3Store::connect(settings).await?;
        Ok(MediaStore {
            backend: Backend::S3(store),
            public_base: public_base.map(|b| b.trim_end_matches('/').to_string()),
        })
    }

    /// `local` or `s3`, for logs and readiness.
    pub fn backend_name(&self) -> &'static str {
        match &self.backend {
            Backend::Local(_) => "local",
            Backend::S3(_) => "s3",
        }
    }

    /// The local backend, which also verifies upload tokens (`None` on S3).
    pub fn local_backend(&self) -> Option<&LocalStore> {
        match &self.backend {
            Backend::Local(local) => Some(local),
            Backend::S3(_) => None,
        }
    }

    /// Stores `bytes` under `key`. The content type must be the key's own.
    pub async fn put(
        &self,
        key: &MediaKey,
        bytes: Vec<u8>,
        content_type: ContentType,
        cache_control: &str,
    ) -> anyhow::Result<()> {
        anyhow::ensure!(
            key.content_type() == content_type,
            "{key} cannot hold {}",
            content_type.as_str()
        );
        match &self.backend {
            Backend::Local(local) => local.put(key, &bytes).await,
            Backend::S3(s3) => s3.put(key, bytes, content_type, cache_control).await,
        }
        .with_context(|| format!("storing {key}"))
    }

    /// Reads an object; `None` when absent.
    pub async fn get(&self, key: &MediaKey) -> anyhow::Result<Option<StoredObject>> {
        match &self.backend {
            Backend::Local(local) => local.get(key).await,
            Backend::S3(s3) => s3.get(key).await,
        }
        .with_context(|| format!("reading {key}"))
    }

    /// Length and content type of an object; `None` when absent.
    pub async fn head(&self, key: &MediaKey) -> anyhow::Result<Option<ObjectHead>> {
        match &self.backend {
            Backend::Local(local) => local.head(key).await,
            Backend::S3(s3) => s3.head(key).await,
        }
        .with_context(|| format!("looking up {key}"))
    }

    pub async fn exists(&self, key: &MediaKey) -> anyhow::Result<bool> {
        Ok(self.head(key).await?.is_some())
    }

    /// Removes an object; removing an absent one succeeds.
    pub async fn delete(&self, key: &MediaKey) -> anyhow::Result<()> {
        match &self.backend {
            Backend::Local(local) => local.delete(key).await,
            Backend::S3(s3) => s3.delete(key).await,
        }
        .with_context(|| format!("deleting {key}"))
    }

    /// Keys of the objects under `prefix` (`photos/`, `uploads/`): for operators and tests that
    /// inspect what is stored. Lists up to a thousand keys.
    pub async fn list(&self, prefix: &str) -> anyhow::Result<Vec<String>> {
        match &self.backend {
            Backend::Local(local) => local.list(prefix).await,
            Backend::S3(s3) => s3.list(prefix).await,
        }
        .with_context(|| format!("listing {prefix}"))
    }

    /// A URL that accepts one `PUT` of exactly `length` bytes of `content_type` to `key`, for
    /// `ttl` (at most 15 minutes) from now.
    pub async fn presign_put(
        &self,
        key: &MediaKey,
        content_type: ContentType,
        length: u64,
        ttl: Duration,
    ) -> anyhow::Result<PresignedRequest> {
        self.presign_put_at(key, content_type, length, SystemTime::now(), ttl)
            .await
    }

    /// `presign_put` as if signed at `signed_at` (tests sign in the past to get expired URLs).
    pub async fn presign_put_at(
        &self,
        key: &MediaKey,
        content_type: ContentType,
        length: u64,
        signed_at: SystemTime,
        ttl: Duration,
    ) -> anyhow::Result<PresignedRequest> {
        anyhow::ensure!(
            key.content_type() == content_type,
            "{key} cannot hold {}",
            content_type.as_str()
        );
        let ttl = ttl.min(MAX_UPLOAD_TTL);
        match &self.backend {
            Backend::Local(local) => Ok(local.presign_put(key, length, signed_at, ttl)),
            Backend::S3(s3) => {
                s3.presign_put(key, content_type, length, signed_at, ttl)
                    .await
            }
        }
    }

    /// A URL that reads `key` for `ttl` from now: a presigned GET on S3; the plain link on local
    /// disk (public anyway).
    pub async fn presign_get(&self, key: &MediaKey, ttl: Duration) -> anyhow::Result<String> {
        match &self.backend {
            Backend::Local(local) => Ok(local.url(key)),
            Backend::S3(s3) => s3.presign_get(key, SystemTime::now(), ttl).await,
        }
    }

    /// The URL a client loads an object from: under `MEDIA_PUBLIC_URL` when set; otherwise a
    /// presigned GET on S3 (stable for an hour, so image caches keep working) or `/media/<key>`
    /// served by the app.
    pub async fn url(&self, key: &MediaKey) -> anyhow::Result<String> {
        if let Some(base) = &self.public_base {
            return Ok(format!("{base}/{key}"));
        }
        match &self.backend {
            Backend::Local(local) => Ok(local.url(key)),
            Backend::S3(s3) => {
                // Signed from the start of the hour for two hours: every link to one object is
                // the same string for an hour, and still valid for at least another.
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs();
                let hour = UNIX_EPOCH + Duration::from_secs(now - now % 3600);
                s3.presign_get(key, hour, Duration::from_secs(2 * 3600))
                    .await
            }
        }
    }

    /// Whether the storage answers (readiness): the bucket on S3, the folder on local disk.
    pub async fn check(&self) -> anyhow::Result<()> {
        match &self.backend {
            Backend::Local(local) => local.check().await,
            Backend::S3(s3) => s3.check().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_content_addressed_and_safe() {
        let a = MediaKey::content_addressed(b"abc", ContentType::Png);
        assert_eq!(
            a.as_str(),
            "photos/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.png"
        );
        assert_eq!(a, MediaKey::content_addressed(b"abc", ContentType::Png));
        assert_ne!(a, MediaKey::content_addressed(b"abd", ContentType::Png));
        assert!(a.is_published());
        assert_eq!(a.content_hash().map(str::len), Some(64));
        assert_eq!(MediaKey::parse(a.as_str()), Some(a));
        let upload = MediaKey::for_upload(ContentType::Jpeg);
        assert!(!upload.is_published());
        assert!(upload.as_str().ends_with(".jpg"));
        for bad in [
            "../etc/passwd.png",
            "/etc/a.png",
            "a//b.png",
            "a/./b.png",
            "a b.png",
            ".png",
            "photos/a.svg",
            "photos/a.html",
            "photos/a",
            "photos/A.png",
            "photos/a.png/b",
            "",
        ] {
            assert!(MediaKey::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn only_raster_types_are_accepted() {
        assert_eq!(ContentType::parse("image/webp"), Some(ContentType::Webp));
        assert_eq!(ContentType::parse("IMAGE/JPEG"), Some(ContentType::Jpeg));
        assert_eq!(
            ContentType::parse("image/png; charset=x"),
            Some(ContentType::Png)
        );
        for bad in ["image/svg+xml", "text/html", "image/gif", "image/heic", ""] {
            assert_eq!(ContentType::parse(bad), None, "{bad}");
        }
    }

    #[tokio::test]
    async fn local_urls_live_under_the_public_base() {
        let store = MediaStore::local("/tmp/m".into(), "http://x/media/".into());
        let key = MediaKey::content_addressed(b"x", ContentType::Webp);
        assert_eq!(
            store.url(&key).await.unwrap(),
            format!("http://x/media/{key}")
        );
    }
}
