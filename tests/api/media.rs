//! Media storage, against whichever backend the environment configures: local disk by default,
//! S3 (s3s-fs in `.ci/run`, which verifies signatures) when TEST_S3_ENDPOINT is set. Objects are
//! inspected in the store itself after every write and every refused upload.

use std::time::{Duration, SystemTime};

use pasar_oleh::infra::media::{ContentType, IMMUTABLE, MediaKey, PresignedRequest};
use serde_json::json;

use crate::helpers::{TestApp, is_s3};

/// Bytes that start like a PNG; the store does not decode images (the upload pipeline does).
fn png_like(tag: &str) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(format!("test object {tag} {}", uuid::Uuid::now_v7()).as_bytes());
    bytes
}

/// Sends a presigned request with its signed headers (the length comes from the body), as a
/// phone would.
async fn send(
    app: &TestApp,
    signed: &PresignedRequest,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> reqwest::Response {
    let mut req = reqwest::Client::new().put(app.reachable(&signed.url));
    for (name, value) in &signed.headers {
        match name.as_str() {
            "content-length" => {}
            "content-type" => {
                if let Some(sent) = content_type {
                    req = req.header("content-type", sent);
                }
            }
            _ => req = req.header(name, value),
        }
    }
    req.body(body).send().await.unwrap()
}

#[tokio::test]
async fn put_get_head_delete_round_trip() {
    let app = TestApp::spawn().await;
    let media = app.media();
    let bytes = png_like("round trip");
    let key = MediaKey::content_addressed(&bytes, ContentType::Png);
    assert!(!media.exists(&key).await.unwrap());
    assert_eq!(media.get(&key).await.unwrap(), None);

    media
        .put(&key, bytes.clone(), ContentType::Png, IMMUTABLE)
        .await
        .unwrap();

    let stored = media.get(&key).await.unwrap().expect("stored");
    assert_eq!(stored.bytes, bytes);
    assert_eq!(stored.content_type, "image/png");
    if is_s3() {
        // S3 keeps the Cache-Control with the object, for a CDN in front of the bucket.
        assert_eq!(stored.cache_control.as_deref(), Some(IMMUTABLE));
    }
    let head = media.head(&key).await.unwrap().expect("head");
    assert_eq!(head.length, bytes.len() as u64);
    assert_eq!(head.content_type, "image/png");
    assert!(media.exists(&key).await.unwrap());

    media.delete(&key).await.unwrap();
    assert_eq!(media.get(&key).await.unwrap(), None);
    assert!(!media.exists(&key).await.unwrap());
    // Deleting what is gone is not an error (a retried cleanup job).
    media.delete(&key).await.unwrap();
}

#[tokio::test]
async fn a_key_holds_only_its_own_content_type() {
    let app = TestApp::spawn().await;
    let bytes = png_like("typed");
    let key = MediaKey::content_addressed(&bytes, ContentType::Png);
    let err = app
        .media()
        .put(&key, bytes, ContentType::Jpeg, IMMUTABLE)
        .await
        .unwrap_err();
    assert!(
        format!("{err:#}").contains("cannot hold image/jpeg"),
        "{err:#}"
    );
    assert!(!app.media().exists(&key).await.unwrap());
    // SVG, HTML and the like have no content type at all: they cannot even be named.
    assert_eq!(ContentType::parse("image/svg+xml"), None);
    assert_eq!(ContentType::parse("text/html"), None);
    assert!(MediaKey::parse("photos/abc.svg").is_none());
}

#[tokio::test]
async fn keys_are_content_addressed() {
    let app = TestApp::spawn().await;
    let bytes = png_like("addressed");
    let key = MediaKey::content_addressed(&bytes, ContentType::Webp);
    assert_eq!(key, MediaKey::content_addressed(&bytes, ContentType::Webp));
    let name = key.as_str().strip_prefix("photos/").unwrap();
    let (hash, ext) = name.split_once('.').unwrap();
    assert_eq!(ext, "webp");
    assert_eq!(hash.len(), 64);
    assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
    let mut other = bytes.clone();
    other.push(0);
    assert_ne!(key, MediaKey::content_addressed(&other, ContentType::Webp));

    // Storing the same bytes again is harmless: the object under a key never changes.
    for _ in 0..2 {
        app.media()
            .put(&key, bytes.clone(), ContentType::Webp, IMMUTABLE)
            .await
            .unwrap();
    }
    assert_eq!(app.media().get(&key).await.unwrap().unwrap().bytes, bytes);
}

#[tokio::test]
async fn presigned_put_stores_the_signed_type_and_length() {
    let app = TestApp::spawn().await;
    let bytes = png_like("presigned").repeat(50);
    let key = MediaKey::for_upload(ContentType::Jpeg);
    let signed = app
        .media()
        .presign_put(
            &key,
            ContentType::Jpeg,
            bytes.len() as u64,
            Duration::from_secs(300),
        )
        .await
        .unwrap();
    assert_eq!(signed.method, "PUT");
    assert!(
        signed
            .headers
            .iter()
            .any(|(n, v)| n == "content-type" && v == "image/jpeg"),
        "{signed:?}"
    );
    assert!(
        signed
            .headers
            .iter()
            .any(|(n, v)| n == "content-length" && *v == bytes.len().to_string()),
        "{signed:?}"
    );
    let within = signed.expires_at.duration_since(SystemTime::now()).unwrap();
    assert!(within <= Duration::from_secs(300), "{within:?}");

    let res = send(&app, &signed, Some("image/jpeg"), bytes.clone()).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

    let stored = app.media().get(&key).await.unwrap().expect("uploaded");
    assert_eq!(stored.bytes, bytes);
    assert_eq!(stored.content_type, "image/jpeg");
}

#[tokio::test]
async fn presigned_put_refuses_another_length_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let bytes = png_like("length");
    let key = MediaKey::for_upload(ContentType::Png);
    let signed = app
        .media()
        .presign_put(
            &key,
            ContentType::Png,
            bytes.len() as u64,
            Duration::from_secs(300),
        )
        .await
        .unwrap();
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"<svg onload=alert(1)>");
    let res = send(&app, &signed, Some("image/png"), longer).await;
    assert_eq!(res.status(), 403);
    let shorter = bytes[..bytes.len() - 1].to_vec();
    let res = send(&app, &signed, Some("image/png"), shorter).await;
    assert_eq!(res.status(), 403);
    assert!(!app.media().exists(&key).await.unwrap());
}

#[tokio::test]
async fn presigned_put_refuses_another_content_type_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let bytes = png_like("type");
    let key = MediaKey::for_upload(ContentType::Png);
    let signed = app
        .media()
        .presign_put(
            &key,
            ContentType::Png,
            bytes.len() as u64,
            Duration::from_secs(300),
        )
        .await
        .unwrap();
    for other in [
        Some("image/svg+xml"),
        Some("text/html"),
        Some("image/jpeg"),
        None,
    ] {
        let res = send(&app, &signed, other, bytes.clone()).await;
        assert_eq!(res.status(), 403, "{other:?}");
    }
    assert!(!app.media().exists(&key).await.unwrap());
}

#[tokio::test]
async fn expired_presigned_put_is_refused_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let bytes = png_like("expired");
    let key = MediaKey::for_upload(ContentType::Png);
    let signed = app
        .media()
        .presign_put_at(
            &key,
            ContentType::Png,
            bytes.len() as u64,
            SystemTime::now() - Duration::from_secs(20 * 60),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    let res = send(&app, &signed, Some("image/png"), bytes).await;
    assert_eq!(res.status(), 403);
    let body = res.text().await.unwrap();
    assert!(body.contains("expired"), "{body}");
    assert!(!app.media().exists(&key).await.unwrap());
}

#[tokio::test]
async fn presigned_urls_never_outlive_fifteen_minutes() {
    let app = TestApp::spawn().await;
    let key = MediaKey::for_upload(ContentType::Webp);
    let signed = app
        .media()
        .presign_put(&key, ContentType::Webp, 10, Duration::from_secs(24 * 3600))
        .await
        .unwrap();
    let ttl = signed.expires_at.duration_since(SystemTime::now()).unwrap();
    assert!(ttl <= Duration::from_secs(15 * 60), "{ttl:?}");
}

#[tokio::test]
async fn local_upload_tokens_cannot_be_forged() {
    if is_s3() {
        return; // S3's own signature is checked by the tests above; this is the local stand-in.
    }
    let app = TestApp::spawn().await;
    let bytes = png_like("forged");
    let key = MediaKey::for_upload(ContentType::Png);
    let signed = app
        .media()
        .presign_put(
            &key,
            ContentType::Png,
            bytes.len() as u64,
            Duration::from_secs(300),
        )
        .await
        .unwrap();
    let url = app.reachable(&signed.url);
    let forged = PresignedRequest {
        url: format!("{}x", url),
        ..signed.clone()
    };
    assert_eq!(
        send(&app, &forged, Some("image/png"), bytes.clone())
            .await
            .status(),
        403
    );
    let res = app
        .http_get(&url[url.find("/media/").unwrap()..])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405, "GET on an upload URL");
    assert!(!app.media().exists(&key).await.unwrap());
}

#[tokio::test]
async fn media_route_serves_published_objects_immutably() {
    let app = TestApp::spawn().await;
    let bytes = png_like("served");
    let key = MediaKey::content_addressed(&bytes, ContentType::Png);
    app.media()
        .put(&key, bytes.clone(), ContentType::Png, IMMUTABLE)
        .await
        .unwrap();

    let res = app.http_get(&format!("/media/{key}")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "image/png");
    assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );
    let etag = h["etag"].to_str().unwrap().to_string();
    assert_eq!(etag, format!("\"{}\"", key.content_hash().unwrap()));
    assert_eq!(res.bytes().await.unwrap().to_vec(), bytes);

    let res = app
        .http_get(&format!("/media/{key}"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
}

#[tokio::test]
async fn media_route_never_serves_uploads_or_active_content() {
    let app = TestApp::spawn().await;
    // An upload that arrived but is not validated yet stays private.
    let bytes = png_like("unvalidated");
    let key = MediaKey::for_upload(ContentType::Png);
    let signed = app
        .media()
        .presign_put(
            &key,
            ContentType::Png,
            bytes.len() as u64,
            Duration::from_secs(300),
        )
        .await
        .unwrap();
    assert_eq!(
        send(&app, &signed, Some("image/png"), bytes).await.status(),
        200
    );
    assert!(app.media().exists(&key).await.unwrap());
    for path in [
        format!("/media/{key}"),
        "/media/photos/0000.svg".to_string(),
        "/media/photos/0000.html".to_string(),
        "/media/..%2F..%2Fetc%2Fpasswd".to_string(),
        format!("/media/photos/{}.png", "0".repeat(64)),
    ] {
        let res = app.http_get(&path).send().await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    }
}

#[tokio::test]
async fn demo_photos_are_served_through_the_store() {
    let app = TestApp::spawn_seeded().await;
    let res = app
        .graphql(
            "{ products(first: 3) { edges { node { photos { url contentType width } } } } }",
            json!({}),
        )
        .await;
    for edge in res.data()["products"]["edges"].as_array().unwrap() {
        let photo = &edge["node"]["photos"][0];
        assert_eq!(photo["contentType"], "image/webp");
        let url = photo["url"].as_str().unwrap();
        assert!(url.contains("photos/") && url.contains(".webp"), "{url}");
        // Local: the app's /media; S3 without MEDIA_PUBLIC_URL: a presigned GET on the bucket.
        let res = reqwest::get(app.reachable(url)).await.unwrap();
        assert_eq!(res.status(), 200, "{url}");
        assert_eq!(res.headers()["content-type"], "image/webp");
        let body = res.bytes().await.unwrap();
        assert!(body.starts_with(b"RIFF") && &body[8..12] == b"WEBP");
    }
}

#[tokio::test]
async fn readiness_reports_the_storage() {
    let app = TestApp::spawn().await;
    let res = app.http_get("/readyz").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["storage"], "up");
    assert_eq!(body["storageBackend"], if is_s3() { "s3" } else { "local" });
}

#[tokio::test]
async fn an_unreachable_bucket_stops_the_start() {
    let refused = TestApp::try_start(|settings| {
        settings.s3 = Some(pasar_oleh::settings::S3Settings {
            bucket: "nowhere".into(),
            // Nothing listens on port 9 (discard) here: the connection is refused at once.
            endpoint: Some("http://127.0.0.1:9".into()),
            region: "us-east-1".into(),
            force_path_style: true,
            prefix: String::new(),
            access_key_id: "key".into(),
            secret_access_key: "secret".into(),
            session_token: None,
        });
    })
    .await
    .unwrap_err();
    assert!(
        refused.contains("S3 storage is configured (S3_BUCKET) but bucket \"nowhere\" at http://127.0.0.1:9 cannot be reached"),
        "{refused}"
    );
}

#[tokio::test]
async fn readme_lists_every_setting() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let settings = std::fs::read_to_string(root.join("src/settings.rs")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut missing = Vec::new();
    for (at, _) in settings.match_indices("get(\"") {
        let name: String = settings[at + 5..]
            .chars()
            .take_while(|c| *c != '"')
            .collect();
        if !readme.contains(&format!("| `{name}`")) {
            missing.push(name);
        }
    }
    for name in [
        "S3_BUCKET",
        "S3_ENDPOINT",
        "S3_FORCE_PATH_STYLE",
        "S3_REGION",
        "S3_PREFIX",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ] {
        assert!(settings.contains(&format!("get(\"{name}\")")), "{name}");
    }
    assert!(missing.is_empty(), "not in the README's table: {missing:?}");
    let design = std::fs::read_to_string(root.join("docs/storage.md")).unwrap();
    assert!(design.contains("content-addressed"));
}
