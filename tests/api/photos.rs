//! Photo uploads end to end over HTTP, against whichever media backend the environment
//! configures (local disk by default, S3 when TEST_S3_ENDPOINT is set): the presigned flow
//! (`createPhotoUpload`, PUT, `completePhotoUpload`), the multipart flow (`uploadPhoto`), the
//! refusals (each leaving nothing stored, checked in the bucket or folder itself), and
//! `updatePhoto`, `reorderPhotos`, `deletePhoto`, archiving and the expiry job.

use pasar_oleh::media_pipeline::synth;
use serde_json::{Value, json};

use crate::helpers::{NewProduct, TestApp, TestProduct, TestSeller, UserError};

const CREATE: &str = "mutation($input: CreatePhotoUploadInput!) { createPhotoUpload(input: $input) { upload { id method url headers { name value } expiresAt } userErrors { field code message } } }";

const COMPLETE: &str = "mutation($input: CompletePhotoUploadInput!) { completePhotoUpload(input: $input) { photo { id width height altText position placeholder thumb: url(size: THUMB) medium: url(size: MEDIUM) large: url(size: LARGE) thumbWidth: width(size: THUMB) } userErrors { field code message } } }";

const PHOTOS: &str =
    "query($id: ID!) { product(id: $id) { photos { id position altText url(size: THUMB) } } }";

async fn seller_with_product(app: &TestApp) -> (TestSeller, TestProduct) {
    let seller = app.seller().await;
    let product = app.product(&seller, NewProduct::default()).await;
    (seller, product)
}

/// Keys stored under `prefix` in the bucket or folder.
async fn stored(app: &TestApp, prefix: &str) -> Vec<String> {
    app.media().list(prefix).await.unwrap()
}

/// Step 1: a grant for `bytes` declared as `content_type`; the upload object of the answer.
async fn grant(
    app: &TestApp,
    seller: &TestSeller,
    product: &TestProduct,
    content_type: &str,
    byte_size: usize,
) -> Value {
    let res = app
        .as_(seller)
        .graphql(
            CREATE,
            json!({ "input": { "productId": product.gid, "contentType": content_type, "byteSize": byte_size } }),
        )
        .await;
    assert_eq!(res.user_errors(), vec![], "{res}");
    res["data"]["createPhotoUpload"]["upload"].clone()
}

/// Step 2: the PUT a phone sends, with the signed headers, optionally overridden.
async fn put(app: &TestApp, upload: &Value, body: Vec<u8>, content_type: Option<&str>) -> u16 {
    assert_eq!(upload["method"], "PUT");
    let mut req = reqwest::Client::new().put(app.reachable(upload["url"].as_str().unwrap()));
    for header in upload["headers"].as_array().unwrap() {
        let (name, value) = (
            header["name"].as_str().unwrap().to_ascii_lowercase(),
            header["value"].as_str().unwrap(),
        );
        match name.as_str() {
            // reqwest sets the length from the body.
            "content-length" => {}
            "content-type" => req = req.header("content-type", content_type.unwrap_or(value)),
            _ => req = req.header(name, value),
        }
    }
    req.body(body).send().await.unwrap().status().as_u16()
}

async fn complete(
    app: &TestApp,
    seller: &TestSeller,
    upload: &Value,
) -> crate::helpers::GqlResponse {
    app.as_(seller)
        .graphql(
            COMPLETE,
            json!({ "input": { "uploadId": upload["id"], "altText": "Keripik di piring" } }),
        )
        .await
}

async fn fetch(app: &TestApp, url: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(app.reachable(url))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_phone_uploads_straight_to_storage_and_gets_upright_webp_without_metadata() {
    let app = TestApp::spawn().await;
    let (seller, product) = seller_with_product(&app).await;
    // Stored 400 × 200 with the left half red, tagged "rotate 90° clockwise" and with the
    // seller's home position, as a phone camera writes them.
    let jpeg = synth::with_exif(
        &synth::halves_jpeg(400, 200).unwrap(),
        6,
        Some((-7.7445, 113.113)),
    );
    assert!(jpeg.windows(4).any(|w| w == b"Exif"));

    let upload = grant(&app, &seller, &product, "image/jpeg", jpeg.len()).await;
    assert_eq!(put(&app, &upload, jpeg, None).await, 200);
    assert_eq!(stored(&app, "uploads/").await.len(), 1, "staged");
    let res = complete(&app, &seller, &upload).await;
    assert_eq!(res.user_errors(), vec![], "{res}");

    let photo = &res["data"]["completePhotoUpload"]["photo"];
    assert_eq!(
        (photo["width"].as_i64(), photo["height"].as_i64()),
        (Some(200), Some(400))
    );
    assert_eq!(photo["thumbWidth"], 80);
    assert_eq!(photo["altText"], "Keripik di piring");
    assert_eq!(photo["position"], 0);
    assert!(photo["placeholder"].as_str().unwrap().starts_with('#'));

    for size in ["thumb", "medium", "large"] {
        let res = fetch(&app, photo[size].as_str().unwrap()).await;
        assert_eq!(res.status(), 200, "{size}");
        assert_eq!(res.headers()["content-type"], "image/webp");
        let bytes = res.bytes().await.unwrap();
        assert_eq!(&bytes[..4], b"RIFF");
        assert_eq!(&bytes[8..12], b"WEBP");
        assert!(
            !bytes
                .windows(4)
                .any(|w| w == b"Exif" || w == b"EXIF" || w == b"XMP "),
            "{size} carries metadata"
        );
        let image = image::load_from_memory(&bytes).unwrap().into_rgb8();
        // Upright: the stored left half (red) is now on top.
        let top = image.get_pixel(image.width() / 2, image.height() / 8);
        let bottom = image.get_pixel(image.width() / 2, image.height() * 7 / 8);
        assert!(top[0] > 180 && top[2] < 90, "{size}: top {top:?}");
        assert!(
            bottom[2] > 180 && bottom[0] < 90,
            "{size}: bottom {bottom:?}"
        );
    }
    // In the bucket or folder: three derivatives (LARGE and MEDIUM may coincide for a small
    // photo: the same bytes are one content-addressed object), the staged upload gone.
    let published = stored(&app, "photos/").await;
    assert!((2..=3).contains(&published.len()), "{published:?}");
    assert!(published.iter().all(|k| k.ends_with(".webp")));
    assert_eq!(stored(&app, "uploads/").await, Vec::<String>::new());

    let listed = app.graphql(PHOTOS, json!({ "id": product.gid })).await;
    assert_eq!(listed["data"]["product"]["photos"][0]["id"], photo["id"]);

    // Completed once; a second completion is refused.
    let again = complete(&app, &seller, &upload).await;
    assert_eq!(
        again.user_errors(),
        vec![UserError::new("input.uploadId", "INVALID_TRANSITION")]
    );
}

#[tokio::test]
async fn bytes_that_are_not_an_acceptable_photo_are_refused_leaving_nothing_stored() {
    let app = TestApp::spawn().await;
    let (seller, product) = seller_with_product(&app).await;
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        (
            "text labelled JPEG",
            "image/jpeg",
            b"this is not a photo at all".to_vec(),
            "JPEG, PNG",
        ),
        (
            "SVG labelled PNG",
            "image/png",
            br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec(),
            "JPEG, PNG",
        ),
        (
            "PNG declaring 50,000 x 50,000",
            "image/png",
            synth::png_header_only(50_000, 50_000),
            "50000",
        ),
    ];
    for (case, content_type, body, says) in cases {
        let upload = grant(&app, &seller, &product, content_type, body.len()).await;
        assert_eq!(put(&app, &upload, body, None).await, 200, "{case}");
        let res = complete(&app, &seller, &upload).await;
        assert_eq!(
            res.user_errors(),
            vec![UserError::new("input.uploadId", "INVALID")],
            "{case}: {res}"
        );
        let message = res["data"]["completePhotoUpload"]["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(message.contains(says), "{case}: {message}");
        assert_eq!(
            stored(&app, "uploads/").await,
            Vec::<String>::new(),
            "{case}"
        );
        assert_eq!(
            stored(&app, "photos/").await,
            Vec::<String>::new(),
            "{case}"
        );
    }
    let listed = app.graphql(PHOTOS, json!({ "id": product.gid })).await;
    assert_eq!(listed["data"]["product"]["photos"], json!([]));
}

#[tokio::test]
async fn uploads_other_than_signed_are_refused_by_the_storage() {
    let app = TestApp::spawn_with(|s| {
        s.photos.max_bytes = 64 * 1024;
        s.photos.upload_ttl_secs = 2;
    })
    .await;
    let (seller, product) = seller_with_product(&app).await;

    // Oversize, declared: refused before any URL is signed.
    let res = app
        .as_(&seller)
        .graphql(
            CREATE,
            json!({ "input": { "productId": product.gid, "contentType": "image/jpeg", "byteSize": 64 * 1024 + 1 } }),
        )
        .await;
    assert_eq!(
        res.user_errors(),
        vec![UserError::new("input.byteSize", "INVALID")]
    );
    // A type the store never holds: refused too.
    let res = app
        .as_(&seller)
        .graphql(
            CREATE,
            json!({ "input": { "productId": product.gid, "contentType": "image/svg+xml", "byteSize": 100 } }),
        )
        .await;
    assert_eq!(
        res.user_errors(),
        vec![UserError::new("input.contentType", "INVALID")]
    );

    let jpeg = synth::jpeg(64, 64, 1).unwrap();
    let upload = grant(&app, &seller, &product, "image/jpeg", jpeg.len()).await;
    // Another length (more bytes than signed: an oversize body), another type.
    let mut longer = jpeg.clone();
    longer.extend_from_slice(&[0; 1000]);
    assert_eq!(put(&app, &upload, longer, None).await, 403);
    assert_eq!(
        put(&app, &upload, jpeg[..jpeg.len() - 10].to_vec(), None).await,
        403
    );
    assert_eq!(
        put(&app, &upload, jpeg.clone(), Some("image/png")).await,
        403
    );
    assert_eq!(stored(&app, "uploads/").await, Vec::<String>::new());
    // Nothing arrived: completing says so, and the grant stays usable.
    let res = complete(&app, &seller, &upload).await;
    assert_eq!(
        res.user_errors(),
        vec![UserError::new("input.uploadId", "REQUIRED")]
    );

    // After the URL's expiry (2 s here), the storage refuses the PUT.
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    assert_eq!(put(&app, &upload, jpeg, None).await, 403);
    assert_eq!(stored(&app, "uploads/").await, Vec::<String>::new());
    assert_eq!(stored(&app, "photos/").await, Vec::<String>::new());
}

#[tokio::test]
async fn only_the_owners_sellers_staff_or_administrators_add_photos() {
    let app = TestApp::spawn().await;
    let (seller, product) = seller_with_product(&app).await;
    let other = app.seller().await;
    let buyer = app.buyer().await;
    let input = json!({ "input": { "productId": product.gid, "contentType": "image/jpeg", "byteSize": 1000 } });
    let res = app.as_(&other).graphql(CREATE, input.clone()).await;
    assert_eq!(res.error_code(), Some("FORBIDDEN"), "{res}");
    let res = app.as_(&buyer).graphql(CREATE, input.clone()).await;
    assert_eq!(res.error_code(), Some("FORBIDDEN"), "{res}");
    let res = app.graphql(CREATE, input.clone()).await;
    assert_eq!(res.error_code(), Some("UNAUTHENTICATED"), "{res}");
    let admin = app.admin().await;
    let res = app.as_(&admin).graphql(CREATE, input).await;
    assert_eq!(res.user_errors(), vec![]);

    // Another seller cannot complete (or learn of) the seller's upload.
    let jpeg = synth::jpeg(32, 32, 2).unwrap();
    let upload = grant(&app, &seller, &product, "image/jpeg", jpeg.len()).await;
    assert_eq!(put(&app, &upload, jpeg, None).await, 200);
    let res = complete(&app, &other, &upload).await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"), "{res}");

    // A seller's logo: its members; an outlet's photo: its staff.
    let logo = json!({ "input": { "sellerId": seller.gid, "contentType": "image/png", "byteSize": 1000 } });
    assert_eq!(
        app.as_(&seller)
            .graphql(CREATE, logo.clone())
            .await
            .user_errors(),
        vec![]
    );
    assert_eq!(
        app.as_(&other).graphql(CREATE, logo).await.error_code(),
        Some("FORBIDDEN")
    );
    let outlet = app.outlet().await;
    let staff = app.staff(&outlet).await;
    let shot = json!({ "input": { "outletId": outlet.gid, "contentType": "image/png", "byteSize": 1000 } });
    assert_eq!(
        app.as_(&staff)
            .graphql(CREATE, shot.clone())
            .await
            .user_errors(),
        vec![]
    );
    assert_eq!(
        app.as_(&seller).graphql(CREATE, shot).await.error_code(),
        Some("FORBIDDEN")
    );
    // One owner exactly.
    let res = app
        .as_(&seller)
        .graphql(
            CREATE,
            json!({ "input": { "productId": product.gid, "sellerId": seller.gid, "contentType": "image/png", "byteSize": 1000 } }),
        )
        .await;
    assert_eq!(res.user_errors(), vec![UserError::new("", "INVALID")]);
}

/// A GraphQL multipart request (operations, map, one file part) as Apollo and urql send it.
fn multipart(query: &str, variables: Value, file: &[u8], file_type: &str) -> (String, Vec<u8>) {
    let boundary = format!("----pasar{}", uuid::Uuid::now_v7().simple());
    let operations = json!({ "query": query, "variables": variables }).to_string();
    let mut body = Vec::new();
    for (name, value) in [
        ("operations", operations.as_str()),
        ("map", r#"{ "0": ["variables.file"] }"#),
    ] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"photo\"\r\nContent-Type: {file_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

const UPLOAD: &str = "mutation($input: UploadPhotoInput!, $file: Upload!) { uploadPhoto(input: $input, file: $file) { photo { id position url(size: MEDIUM) } userErrors { field code message } } }";

async fn upload_multipart(
    app: &TestApp,
    who: &TestSeller,
    variables: Value,
    file: &[u8],
    preflight: bool,
) -> reqwest::Response {
    let (content_type, body) = multipart(UPLOAD, variables, file, "image/png");
    let mut req = app
        .http_post("/graphql")
        .header("content-type", content_type)
        .header(
            "authorization",
            format!("Bearer {}", who.owner.access_token),
        );
    if preflight {
        req = req.header("apollo-require-preflight", "true");
    }
    req.body(body).send().await.unwrap()
}

#[tokio::test]
async fn the_back_office_uploads_in_the_request_with_a_preflight_header_only() {
    let app = TestApp::spawn().await;
    let (seller, product) = seller_with_product(&app).await;
    let png = synth::png(900, 600, 3).unwrap();
    let vars = json!({ "input": { "productId": product.gid }, "file": null });

    // Without a preflight-forcing header a form is a cross-site "simple" request: refused.
    let res = upload_multipart(&app, &seller, vars.clone(), &png, false).await;
    assert_eq!(res.status(), 415);
    assert_eq!(stored(&app, "photos/").await, Vec::<String>::new());

    let res = upload_multipart(&app, &seller, vars.clone(), &png, true).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["data"]["uploadPhoto"]["userErrors"],
        json!([]),
        "{body}"
    );
    let photo = &body["data"]["uploadPhoto"]["photo"];
    assert_eq!(photo["position"], 0);
    let medium = fetch(&app, photo["url"].as_str().unwrap()).await;
    assert_eq!(medium.status(), 200);
    let image = image::load_from_memory(&medium.bytes().await.unwrap()).unwrap();
    assert_eq!((image.width(), image.height()), (480, 320));
    assert_eq!(stored(&app, "photos/").await.len(), 3);

    // Another seller may not add to the product.
    let other = app.seller().await;
    let res = upload_multipart(&app, &other, vars.clone(), &png, true).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{body}"
    );
    assert_eq!(stored(&app, "photos/").await.len(), 3);

    // Refusals name `file`, and store nothing.
    let res = upload_multipart(&app, &seller, vars.clone(), b"<svg/>", true).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["data"]["uploadPhoto"]["userErrors"][0]["field"], "file",
        "{body}"
    );
    assert_eq!(stored(&app, "photos/").await.len(), 3);

    // Multipart carries uploadPhoto only.
    let (content_type, form) = multipart(
        "mutation($file: Upload!) { deletePhoto(input: { photoId: \"x\" }) { deletedPhotoId } }",
        json!({ "file": null }),
        &png,
        "image/png",
    );
    let res = app
        .http_post("/graphql")
        .header("content-type", content_type)
        .header("apollo-require-preflight", "true")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

const MANAGE: &str = "mutation($order: ReorderPhotosInput!, $update: UpdatePhotoInput!) { reorderPhotos(input: $order) { photos { id position } userErrors { field code } } updatePhoto(input: $update) { photo { id altText } userErrors { field code } } }";

#[tokio::test]
async fn photos_are_ordered_described_and_deleted_with_their_objects() {
    let app = TestApp::spawn().await;
    let (seller, product) = seller_with_product(&app).await;
    let mut ids = Vec::new();
    for seed in 0..3 {
        let png = synth::png(600, 400, seed).unwrap();
        let res = upload_multipart(
            &app,
            &seller,
            json!({ "input": { "productId": product.gid }, "file": null }),
            &png,
            true,
        )
        .await;
        let body: Value = res.json().await.unwrap();
        ids.push(
            body["data"]["uploadPhoto"]["photo"]["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let reversed: Vec<&String> = ids.iter().rev().collect();
    let res = app
        .as_(&seller)
        .graphql(
            MANAGE,
            json!({ "order": { "productId": product.gid, "photoIds": reversed }, "update": { "photoId": ids[0], "altText": "  Tampak depan  " } }),
        )
        .await;
    let data = res.data();
    let order: Vec<&str> = data["reorderPhotos"]["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(order, [ids[2].as_str(), ids[1].as_str(), ids[0].as_str()]);
    assert_eq!(data["updatePhoto"]["photo"]["altText"], "Tampak depan");
    // A list that is not every photo exactly once is refused.
    let res = app
        .as_(&seller)
        .graphql(
            MANAGE,
            json!({ "order": { "productId": product.gid, "photoIds": [ids[0]] }, "update": { "photoId": ids[0], "altText": "x".repeat(300) } }),
        )
        .await;
    assert_eq!(
        res["data"]["reorderPhotos"]["userErrors"][0]["field"],
        "input.photoIds"
    );
    assert_eq!(
        res["data"]["updatePhoto"]["userErrors"][0]["field"],
        "input.altText"
    );

    // Another seller may not delete; the owner may, and the objects go with the row.
    let other = app.seller().await;
    let delete = "mutation($id: ID!) { deletePhoto(input: { photoId: $id }) { deletedPhotoId userErrors { field code } } }";
    let res = app
        .as_(&other)
        .graphql(delete, json!({ "id": ids[1] }))
        .await;
    assert_eq!(res.error_code(), Some("FORBIDDEN"));
    let before = stored(&app, "photos/").await.len();
    let res = app
        .as_(&seller)
        .graphql(delete, json!({ "id": ids[1] }))
        .await;
    assert_eq!(
        res["data"]["deletePhoto"]["deletedPhotoId"],
        ids[1].as_str(),
        "{res}"
    );
    assert_eq!(stored(&app, "photos/").await.len(), before - 3);
    let listed = app.graphql(PHOTOS, json!({ "id": product.gid })).await;
    let positions: Vec<i64> = listed["data"]["product"]["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, [0, 1]);

    // Archiving the product removes the rest.
    let res = app
        .as_(&seller)
        .graphql(
            "mutation($p: ID!) { archiveProduct(input: { productId: $p }) { userErrors { field code } } }",
            json!({ "p": product.gid }),
        )
        .await;
    assert_eq!(res.user_errors(), vec![]);
    assert_eq!(stored(&app, "photos/").await, Vec::<String>::new());
}

#[tokio::test]
async fn a_product_has_at_most_ten_photos() {
    let app = TestApp::spawn().await;
    let (seller, product) = seller_with_product(&app).await;
    let png = synth::png(24, 24, 9).unwrap();
    for _ in 0..10 {
        let res = upload_multipart(
            &app,
            &seller,
            json!({ "input": { "productId": product.gid }, "file": null }),
            &png,
            true,
        )
        .await;
        let body: Value = res.json().await.unwrap();
        assert_eq!(
            body["data"]["uploadPhoto"]["userErrors"],
            json!([]),
            "{body}"
        );
    }
    let res = app
        .as_(&seller)
        .graphql(
            CREATE,
            json!({ "input": { "productId": product.gid, "contentType": "image/png", "byteSize": png.len() } }),
        )
        .await;
    assert_eq!(
        res.user_errors(),
        vec![UserError::new("input.productId", "LIMIT_REACHED")]
    );
}

#[tokio::test]
async fn uploads_never_completed_expire_and_their_objects_are_removed() {
    let app = TestApp::spawn().await;
    let (seller, product) = seller_with_product(&app).await;
    let jpeg = synth::jpeg(40, 40, 4).unwrap();
    let upload = grant(&app, &seller, &product, "image/jpeg", jpeg.len()).await;
    assert_eq!(put(&app, &upload, jpeg, None).await, 200);
    assert_eq!(stored(&app, "uploads/").await.len(), 1);

    // The runner, an hour later: past the URL's expiry and the completion window.
    let runner = pasar_oleh::jobs::Runner::new(
        app.db().clone(),
        pasar_oleh::startup::job_registry(app.state()),
        pasar_oleh::jobs::RunnerConfig::default(),
    )
    .with_clock(pasar_oleh::jobs::ManualClock::new(
        chrono::Utc::now() + chrono::Duration::hours(1),
    ));
    assert!(runner.run_until_idle().await.unwrap() >= 1);
    assert_eq!(stored(&app, "uploads/").await, Vec::<String>::new());
    let res = complete(&app, &seller, &upload).await;
    assert_eq!(
        res.user_errors(),
        vec![UserError::new("input.uploadId", "INVALID_TRANSITION")]
    );
}
