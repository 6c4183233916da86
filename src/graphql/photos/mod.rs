//! Photos: the `Photo` type, and the mutations that upload, describe, order and remove them.

pub mod mutation;

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use entity::photo;

use crate::{
    domain::global_id::{GlobalId, NodeKind},
    error::{AppError, AppResult},
    graphql::{context::ContextExt, scalars::DateTime},
    infra::media::{MediaKey, PresignedRequest},
    media_pipeline::{DerivativeSize, fit},
};

/// The sizes a photo is delivered in, all lossy WebP.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoSize {
    /// 160 px on the longest side: lists and search results.
    Thumb,
    /// 480 px on the longest side: product cards, phone screens.
    Medium,
    /// 1080 px on the longest side: the product page, zoom.
    Large,
}

impl From<PhotoSize> for DerivativeSize {
    fn from(size: PhotoSize) -> Self {
        match size {
            PhotoSize::Thumb => DerivativeSize::Thumb,
            PhotoSize::Medium => DerivativeSize::Medium,
            PhotoSize::Large => DerivativeSize::Large,
        }
    }
}

/// A photo of a product, a seller (its logo) or an outlet. It is visible once all its sizes
/// are stored; every URL is immutable and may be cached forever.
pub struct Photo {
    row: photo::Model,
    large: MediaKey,
}

impl Photo {
    /// The photo when its image can be served (older development databases may hold keys the
    /// store refuses, such as SVG placeholders); left out otherwise, with a warning.
    pub fn servable(row: photo::Model) -> Option<Self> {
        match MediaKey::parse(&row.storage_key) {
            Some(large) => Some(Photo { row, large }),
            None => {
                tracing::warn!(photo = %row.id, key = %row.storage_key, "photo with an unservable key left out");
                None
            }
        }
    }

    fn key(&self, size: PhotoSize) -> MediaKey {
        let other = match size {
            PhotoSize::Large => None,
            PhotoSize::Medium => self.row.medium_key.as_deref(),
            PhotoSize::Thumb => self.row.thumb_key.as_deref(),
        };
        // Rows made before derivatives have one image for every size.
        other
            .and_then(MediaKey::parse)
            .unwrap_or_else(|| self.large.clone())
    }

    fn dimensions(&self, size: PhotoSize) -> (i32, i32) {
        let (w, h) = (
            u32::try_from(self.row.width).unwrap_or(0),
            u32::try_from(self.row.height).unwrap_or(0),
        );
        let has_size = match size {
            PhotoSize::Large => true,
            PhotoSize::Medium => self.row.medium_key.is_some(),
            PhotoSize::Thumb => self.row.thumb_key.is_some(),
        };
        let (w, h) = if has_size {
            fit(w, h, DerivativeSize::from(size).longest_side())
        } else {
            (w, h)
        };
        (
            i32::try_from(w).unwrap_or(i32::MAX),
            i32::try_from(h).unwrap_or(i32::MAX),
        )
    }
}

#[Object]
impl Photo {
    /// Opaque global ID, for `updatePhoto`, `deletePhoto` and `reorderPhotos`.
    async fn id(&self) -> ID {
        ID(GlobalId::new(NodeKind::Photo, self.row.id).encode())
    }

    /// Where to load the image of this size from (WebP). Under `MEDIA_PUBLIC_URL` when the
    /// deployment has a CDN; otherwise a presigned link to the bucket (valid for at least an
    /// hour) or the app's `/media/...`.
    async fn url(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "PhotoSize::Large")] size: PhotoSize,
    ) -> AppResult<String> {
        ctx.state()?
            .media
            .url(&self.key(size))
            .await
            .map_err(AppError::internal)
    }

    /// Width in pixels of the image of this size.
    async fn width(&self, #[graphql(default_with = "PhotoSize::Large")] size: PhotoSize) -> i32 {
        self.dimensions(size).0
    }

    /// Height in pixels of the image of this size.
    async fn height(&self, #[graphql(default_with = "PhotoSize::Large")] size: PhotoSize) -> i32 {
        self.dimensions(size).1
    }

    /// Text describing the photo, for screen readers; may be empty.
    async fn alt_text(&self) -> &str {
        &self.row.alt_text
    }

    /// The average colour (`#rrggbb`) to paint while the image loads; null for photos made
    /// before processing existed.
    async fn placeholder(&self) -> Option<&str> {
        self.row.placeholder.as_deref()
    }

    /// Display order, starting at 0 (the cover).
    async fn position(&self) -> i32 {
        self.row.position
    }

    /// MIME type of the images: "image/webp".
    #[graphql(deprecation = "every size is image/webp; the URL's response says so too")]
    async fn content_type(&self) -> &str {
        &self.row.content_type
    }
}

/// One header an upload request must carry, exactly as given.
#[derive(SimpleObject, Clone, Debug)]
pub struct HttpHeader {
    /// Header name, e.g. "Content-Type".
    pub name: String,
    /// Header value, e.g. "image/jpeg".
    pub value: String,
}

/// Where and how to send a photo's bytes: one `PUT` to `url` with exactly `headers` and a body of
/// the declared length before `expiresAt`; then `completePhotoUpload(input: {uploadId: id})`.
pub struct PhotoUpload {
    pub id: uuid::Uuid,
    pub request: PresignedRequest,
}

#[Object]
impl PhotoUpload {
    /// The upload's ID, for `completePhotoUpload`.
    async fn id(&self) -> ID {
        ID(GlobalId::new(NodeKind::PhotoUpload, self.id).encode())
    }

    /// The HTTP method: "PUT".
    async fn method(&self) -> &str {
        self.request.method
    }

    /// The presigned URL the bytes go to (the storage's own, or the app's in development).
    async fn url(&self) -> &str {
        &self.request.url
    }

    /// Headers to send exactly as given (the content type and length are signed: another value
    /// is refused with 403).
    async fn headers(&self) -> Vec<HttpHeader> {
        self.request
            .headers
            .iter()
            .map(|(name, value)| HttpHeader {
                name: name.clone(),
                value: value.clone(),
            })
            .collect()
    }

    /// After this instant the URL is refused (at most 15 minutes after it was issued).
    async fn expires_at(&self) -> DateTime {
        DateTime(chrono::DateTime::<chrono::Utc>::from(
            self.request.expires_at,
        ))
    }
}
