//! Media storage. This release keeps photos on local disk under `<DATA_DIR>/media`, served by the
//! app at `/media/<key>` (or from `MEDIA_PUBLIC_URL` when a CDN fronts them). The S3 adapter
//! arrives with the photo upload pipeline.

use std::path::{Path, PathBuf};

use anyhow::Context;

#[derive(Debug, Clone)]
pub struct MediaStore {
    root: PathBuf,
    public_base: String,
}

impl MediaStore {
    pub fn local(root: PathBuf, public_base: String) -> Self {
        MediaStore {
            root,
            public_base: public_base.trim_end_matches('/').to_string(),
        }
    }

    /// The URL a client loads a stored object from.
    pub fn url(&self, key: &str) -> String {
        format!("{}/{}", self.public_base, key)
    }

    pub async fn put(&self, key: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self
            .path_of(key)
            .with_context(|| format!("invalid media key {key:?}"))?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        tokio::fs::write(&path, bytes)
            .await
            .with_context(|| format!("writing {}", path.display()))
    }

    /// Reads an object; `None` when the key is invalid or absent.
    pub async fn get(&self, key: &str) -> Option<Vec<u8>> {
        let path = self.path_of(key)?;
        tokio::fs::read(path).await.ok()
    }

    /// Keys are relative paths of safe characters; anything that could climb out of the
    /// media root is refused.
    fn path_of(&self, key: &str) -> Option<PathBuf> {
        let safe = !key.is_empty()
            && key.len() <= 255
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'))
            && !key.starts_with('/')
            && key
                .split('/')
                .all(|part| !part.is_empty() && part != "." && part != "..");
        safe.then(|| self.root.join(Path::new(key)))
    }
}

pub fn content_type_of(key: &str) -> &'static str {
    match key.rsplit('.').next() {
        Some("webp") => "image/webp",
        Some("jpg") | Some("jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_keys_that_escape_the_root() {
        let store = MediaStore::local("/tmp/m".into(), "http://x/media".into());
        assert!(store.path_of("demo/a.svg").is_some());
        for bad in ["../etc/passwd", "/etc/passwd", "a//b", "a/./b", "a b", ""] {
            assert!(store.path_of(bad).is_none(), "{bad}");
        }
        assert_eq!(store.url("demo/a.svg"), "http://x/media/demo/a.svg");
    }
}
