//! The local-disk backend (`<DATA_DIR>/media`), and its stand-in for S3's presigned PUT: an
//! upload token signed with HMAC-SHA256 that binds key, content type, length and expiry.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use anyhow::Context;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{KeyInit, Mac};

use super::{ContentType, MediaKey, ObjectHead, PresignedRequest, StoredObject};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

#[derive(Clone)]
pub struct LocalStore {
    root: PathBuf,
    /// `http://<BIND>/media` or `MEDIA_PUBLIC_URL`: links, and the upload endpoint below it.
    base: String,
    /// Signs upload tokens. Random per process: a token is worth at most 15 minutes, and a
    /// restart only costs an upload in progress its URL (development backend, one instance).
    token_key: Arc<[u8; 32]>,
}

impl std::fmt::Debug for LocalStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalStore")
            .field("root", &self.root)
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// What a valid upload token allows: one object, of one type and length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadGrant {
    pub key: MediaKey,
    pub content_type: ContentType,
    pub length: u64,
}

/// Why an upload was refused; nothing is stored in any case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadRefusal {
    /// Not a token this server signed (tampered, truncated, or from before a restart).
    BadSignature,
    Expired,
    WrongContentType {
        signed: String,
        sent: String,
    },
    WrongLength {
        signed: u64,
        sent: String,
    },
}

impl std::fmt::Display for UploadRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UploadRefusal::BadSignature => f.write_str("the upload URL is not valid"),
            UploadRefusal::Expired => f.write_str("the upload URL has expired"),
            UploadRefusal::WrongContentType { signed, sent } => write!(
                f,
                "the upload URL was signed for Content-Type {signed}, not {sent:?}"
            ),
            UploadRefusal::WrongLength { signed, sent } => write!(
                f,
                "the upload URL was signed for a body of {signed} bytes, not {sent}"
            ),
        }
    }
}

impl LocalStore {
    pub fn new(root: PathBuf, base: String) -> Self {
        let mut key = [0u8; 32];
        rand::fill(&mut key);
        LocalStore {
            root,
            base,
            token_key: Arc::new(key),
        }
    }

    pub fn url(&self, key: &MediaKey) -> String {
        format!("{}/{key}", self.base)
    }

    fn path_of(&self, key: &MediaKey) -> PathBuf {
        // `MediaKey` admits only safe relative segments, so this stays under the root.
        self.root.join(Path::new(key.as_str()))
    }

    /// Writes to a temporary file beside the target, then renames: a reader never sees half
    /// an object, and a failed write leaves nothing under the key.
    pub async fn put(&self, key: &MediaKey, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.path_of(key);
        let parent = path.parent().context("a key has a folder")?;
        tokio::fs::create_dir_all(parent).await?;
        let temp = parent.join(format!(".{}.part", uuid::Uuid::now_v7().simple()));
        if let Err(err) = tokio::fs::write(&temp, bytes).await {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(err).with_context(|| format!("writing {}", temp.display()));
        }
        tokio::fs::rename(&temp, &path)
            .await
            .with_context(|| format!("moving into {}", path.display()))
    }

    pub async fn get(&self, key: &MediaKey) -> anyhow::Result<Option<StoredObject>> {
        match tokio::fs::read(self.path_of(key)).await {
            Ok(bytes) => Ok(Some(StoredObject {
                bytes,
                content_type: key.content_type().as_str().to_string(),
                cache_control: None,
            })),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    pub async fn head(&self, key: &MediaKey) -> anyhow::Result<Option<ObjectHead>> {
        match tokio::fs::metadata(self.path_of(key)).await {
            Ok(meta) if meta.is_file() => Ok(Some(ObjectHead {
                length: meta.len(),
                content_type: key.content_type().as_str().to_string(),
            })),
            Ok(_) => Ok(None),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    pub async fn delete(&self, key: &MediaKey) -> anyhow::Result<()> {
        match tokio::fs::remove_file(self.path_of(key)).await {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err.into()),
            _ => Ok(()),
        }
    }

    /// Keys of the objects in the folder `prefix` (`photos/`, `uploads/`); temporary files of
    /// writes in progress are not objects and are left out.
    pub async fn list(&self, prefix: &str) -> anyhow::Result<Vec<String>> {
        let folder = self.root.join(prefix.trim_end_matches('/'));
        let mut entries = match tokio::fs::read_dir(&folder).await {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(err.into()),
        };
        let mut keys = Vec::new();
        while let Some(entry) = entries.next_entry().await? {
            let name = entry.file_name().to_string_lossy().into_owned();
            let key = format!("{}/{name}", prefix.trim_end_matches('/'));
            if MediaKey::parse(&key).is_some() {
                keys.push(key);
            }
        }
        keys.sort();
        Ok(keys)
    }

    /// The folder exists (or can be made) and is a folder.
    pub async fn check(&self) -> anyhow::Result<()> {
        tokio::fs::create_dir_all(&self.root)
            .await
            .with_context(|| format!("media folder {}", self.root.display()))
    }

    /// `PUT <base>/upload/<token>`, where the token carries key, type, length and expiry and
    /// their HMAC. The client sends the same headers as to S3.
    pub fn presign_put(
        &self,
        key: &MediaKey,
        length: u64,
        signed_at: SystemTime,
        ttl: Duration,
    ) -> PresignedRequest {
        let expires_at = signed_at + ttl;
        let expires = expires_at
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let content_type = key.content_type().as_str();
        let claims = format!("v1\n{key}\n{content_type}\n{length}\n{expires}");
        let token = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(claims.as_bytes()),
            URL_SAFE_NO_PAD.encode(self.mac(claims.as_bytes()))
        );
        PresignedRequest {
            method: "PUT",
            url: format!("{}/upload/{token}", self.base),
            headers: vec![
                ("content-type".into(), content_type.into()),
                ("content-length".into(), length.to_string()),
            ],
            expires_at,
        }
    }

    fn mac(&self, data: &[u8]) -> Vec<u8> {
        // HMAC takes keys of any length, so `new_from_slice` cannot fail here.
        match HmacSha256::new_from_slice(self.token_key.as_slice()) {
            Ok(mut mac) => {
                mac.update(data);
                mac.finalize().into_bytes().to_vec()
            }
            Err(_) => Vec::new(),
        }
    }

    /// Checks a token against the request's `Content-Type` and `Content-Length` headers, as
    /// S3 checks the headers it signed. The body is then read up to the granted length only.
    pub fn verify_upload(
        &self,
        token: &str,
        content_type: Option<&str>,
        content_length: Option<&str>,
        now: SystemTime,
    ) -> Result<UploadGrant, UploadRefusal> {
        let (claims_b64, tag_b64) = token.split_once('.').ok_or(UploadRefusal::BadSignature)?;
        let claims = URL_SAFE_NO_PAD
            .decode(claims_b64)
            .map_err(|_| UploadRefusal::BadSignature)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag_b64)
            .map_err(|_| UploadRefusal::BadSignature)?;
        let mut mac = HmacSha256::new_from_slice(self.token_key.as_slice())
            .map_err(|_| UploadRefusal::BadSignature)?;
        mac.update(&claims);
        // Constant-time comparison.
        mac.verify_slice(&tag)
            .map_err(|_| UploadRefusal::BadSignature)?;
        let claims = String::from_utf8(claims).map_err(|_| UploadRefusal::BadSignature)?;
        let mut parts = claims.split('\n');
        let (Some("v1"), Some(key), Some(signed_type), Some(length), Some(expires), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(UploadRefusal::BadSignature);
        };
        let key = MediaKey::parse(key).ok_or(UploadRefusal::BadSignature)?;
        let length: u64 = length.parse().map_err(|_| UploadRefusal::BadSignature)?;
        let expires: u64 = expires.parse().map_err(|_| UploadRefusal::BadSignature)?;
        let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        if now >= expires {
            return Err(UploadRefusal::Expired);
        }
        if content_type.map(str::trim) != Some(signed_type) {
            return Err(UploadRefusal::WrongContentType {
                signed: signed_type.to_string(),
                sent: content_type.unwrap_or("").to_string(),
            });
        }
        if content_length.and_then(|l| l.trim().parse::<u64>().ok()) != Some(length) {
            return Err(UploadRefusal::WrongLength {
                signed: length,
                sent: content_length.unwrap_or("none").to_string(),
            });
        }
        Ok(UploadGrant {
            content_type: key.content_type(),
            key,
            length,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_tokens_bind_key_type_length_and_expiry() {
        let store = LocalStore::new("/tmp/m".into(), "http://x/media".into());
        let key = MediaKey::for_upload(ContentType::Jpeg);
        let now = SystemTime::now();
        let signed = store.presign_put(&key, 10, now, Duration::from_secs(60));
        let token = signed.url.rsplit('/').next().unwrap();
        let ok = store.verify_upload(token, Some("image/jpeg"), Some("10"), now);
        assert_eq!(
            ok.map(|g| (g.key, g.length)),
            Ok((key.clone(), 10)),
            "{}",
            signed.url
        );
        assert!(matches!(
            store.verify_upload(token, Some("image/png"), Some("10"), now),
            Err(UploadRefusal::WrongContentType { .. })
        ));
        assert!(matches!(
            store.verify_upload(token, Some("image/jpeg"), Some("11"), now),
            Err(UploadRefusal::WrongLength { .. })
        ));
        assert_eq!(
            store.verify_upload(
                token,
                Some("image/jpeg"),
                Some("10"),
                now + Duration::from_secs(61)
            ),
            Err(UploadRefusal::Expired)
        );
        // Another server (another key), or a changed claim, is not a valid signature.
        let other = LocalStore::new("/tmp/m".into(), "http://x/media".into());
        assert_eq!(
            other.verify_upload(token, Some("image/jpeg"), Some("10"), now),
            Err(UploadRefusal::BadSignature)
        );
        let (claims, tag) = token.split_once('.').unwrap();
        let forged = String::from_utf8(URL_SAFE_NO_PAD.decode(claims).unwrap())
            .unwrap()
            .replace("\n10\n", "\n99\n");
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode(forged));
        assert_eq!(
            store.verify_upload(&forged, Some("image/jpeg"), Some("99"), now),
            Err(UploadRefusal::BadSignature)
        );
    }
}
