//! The S3 backend: AWS, MinIO, Cloudflare R2, Garage or any S3-compatible endpoint, through
//! `aws-sdk-s3` with static credentials from the settings.

use std::time::{Duration, SystemTime};

use anyhow::Context;
use aws_sdk_s3::{
    Client,
    config::{
        Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
        retry::RetryConfig, timeout::TimeoutConfig,
    },
    presigning::PresigningConfig,
    primitives::ByteStream,
};

use super::{ContentType, MediaKey, ObjectHead, PresignedRequest, StoredObject};
use crate::settings::S3Settings;

#[derive(Debug, Clone)]
pub struct S3Store {
    client: Client,
    bucket: String,
    /// Prepended to every key (`S3_PREFIX`), so one bucket can hold several deployments (or
    /// the tests of several runs).
    prefix: String,
    /// Shown in errors: the endpoint (or "AWS") and bucket.
    target: String,
}

impl S3Store {
    /// Builds the client and checks that the bucket answers: a server configured for S3 never
    /// starts without it.
    pub async fn connect(settings: &S3Settings) -> anyhow::Result<Self> {
        let credentials = Credentials::new(
            settings.access_key_id.clone(),
            settings.secret_access_key.clone(),
            settings.session_token.clone(),
            None,
            "pasar-oleh settings",
        );
        let mut config = aws_sdk_s3::Config::builder()
            .region(Region::new(settings.region.clone()))
            .credentials_provider(credentials)
            .force_path_style(settings.force_path_style)
            // Checksums only where S3 requires them: several S3-compatible stores refuse the
            // newer default trailers, and a presigned URL must not demand one from a phone.
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
            .retry_config(RetryConfig::standard().with_max_attempts(3))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(3))
                    .operation_attempt_timeout(Duration::from_secs(30))
                    .build(),
            );
        if let Some(endpoint) = &settings.endpoint {
            config = config.endpoint_url(endpoint.clone());
        }
        let store = S3Store {
            client: Client::from_conf(config.build()),
            bucket: settings.bucket.clone(),
            prefix: settings.prefix.clone(),
            target: format!(
                "bucket {:?} at {}",
                settings.bucket,
                settings.endpoint.as_deref().unwrap_or("AWS S3")
            ),
        };
        store.check().await.with_context(|| {
            format!(
                "S3 storage is configured (S3_BUCKET) but {} cannot be reached",
                store.target
            )
        })?;
        Ok(store)
    }

    fn object(&self, key: &MediaKey) -> String {
        format!("{}{key}", self.prefix)
    }

    pub async fn check(&self) -> anyhow::Result<()> {
        self.client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .map_err(|err| match err.raw_response().map(|r| r.status().as_u16()) {
                // HEAD answers carry no body, so the SDK's own message says little.
                Some(404) => anyhow::anyhow!("the bucket does not exist (404)"),
                Some(403) => anyhow::anyhow!(
                    "access denied (403): check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the bucket's policy"
                ),
                Some(301) => anyhow::anyhow!(
                    "the bucket is in another region (301): check S3_REGION"
                ),
                _ => sdk_error(err),
            })
            .with_context(|| format!("HEAD {}", self.target))?;
        Ok(())
    }

    pub async fn put(
        &self,
        key: &MediaKey,
        bytes: Vec<u8>,
        content_type: ContentType,
        cache_control: &str,
    ) -> anyhow::Result<()> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(self.object(key))
            .content_type(content_type.as_str())
            .cache_control(cache_control)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    pub async fn get(&self, key: &MediaKey) -> anyhow::Result<Option<StoredObject>> {
        let found = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(self.object(key))
            .send()
            .await;
        let object = match found {
            Ok(object) => object,
            Err(err) if err.as_service_error().is_some_and(|e| e.is_no_such_key()) => {
                return Ok(None);
            }
            Err(err) => {
                return Err(sdk_error(err));
            }
        };
        let content_type = object
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_string();
        let cache_control = object.cache_control().map(str::to_string);
        let bytes = object.body.collect().await?.into_bytes().to_vec();
        Ok(Some(StoredObject {
            bytes,
            content_type,
            cache_control,
        }))
    }

    pub async fn head(&self, key: &MediaKey) -> anyhow::Result<Option<ObjectHead>> {
        let found = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(self.object(key))
            .send()
            .await;
        match found {
            Ok(head) => Ok(Some(ObjectHead {
                length: head.content_length().unwrap_or(0).max(0) as u64,
                content_type: head
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_string(),
            })),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(err) => Err(sdk_error(err)),
        }
    }

    /// S3 answers a delete of an absent key with success too.
    pub async fn delete(&self, key: &MediaKey) -> anyhow::Result<()> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(self.object(key))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    /// Keys under `prefix` (without the store's own `S3_PREFIX`), up to the first 1000.
    pub async fn list(&self, prefix: &str) -> anyhow::Result<Vec<String>> {
        let listed = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(format!("{}{prefix}", self.prefix))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(listed
            .contents()
            .iter()
            .filter_map(|o| o.key())
            .filter_map(|k| k.strip_prefix(&self.prefix))
            .map(str::to_string)
            .collect())
    }

    /// A presigned PUT whose signature covers `Content-Type` and `Content-Length`: S3 refuses
    /// the upload when either header differs from the signed value.
    pub async fn presign_put(
        &self,
        key: &MediaKey,
        content_type: ContentType,
        length: u64,
        signed_at: SystemTime,
        ttl: Duration,
    ) -> anyhow::Result<PresignedRequest> {
        let config = presigning(signed_at, ttl)?;
        let length = i64::try_from(length).context("upload length")?;
        let signed = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(self.object(key))
            .content_type(content_type.as_str())
            .content_length(length)
            .presigned(config)
            .await
            .map_err(sdk_error)?;
        let mut headers: Vec<(String, String)> = signed
            .headers()
            .map(|(name, value)| (name.to_ascii_lowercase(), value.to_string()))
            .collect();
        // The SDK omits the length header from the request it hands back when it equals the
        // body's; the client must send it anyway, so list it.
        if !headers.iter().any(|(name, _)| name == "content-length") {
            headers.push(("content-length".into(), length.to_string()));
        }
        Ok(PresignedRequest {
            method: "PUT",
            url: signed.uri().to_string(),
            headers,
            expires_at: signed_at + ttl,
        })
    }

    pub async fn presign_get(
        &self,
        key: &MediaKey,
        signed_at: SystemTime,
        ttl: Duration,
    ) -> anyhow::Result<String> {
        let signed = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(self.object(key))
            .presigned(presigning(signed_at, ttl)?)
            .await
            .map_err(sdk_error)?;
        Ok(signed.uri().to_string())
    }
}

/// The SDK's error with its whole chain of causes (its `Display` alone says "service error").
fn sdk_error(err: impl std::error::Error) -> anyhow::Error {
    anyhow::anyhow!("{}", aws_sdk_s3::error::DisplayErrorContext(err))
}

fn presigning(signed_at: SystemTime, ttl: Duration) -> anyhow::Result<PresigningConfig> {
    PresigningConfig::builder()
        .start_time(signed_at)
        .expires_in(ttl)
        .build()
        .context("presigning configuration")
}
