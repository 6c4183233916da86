//! The client contract: the operations the shop app, the kiosk and the office's back office
//! send live as `.graphql` documents under `clients/`. Every document must validate against the
//! committed `schema.graphql` (with an independent validator, not the server's own), hold one
//! operation named after its file, and be run by a story below, so that neither the schema nor
//! the documents can drift without a red test.

use std::path::{Path, PathBuf};

use apollo_compiler::{ExecutableDocument, Schema, executable::Operation};
use serde_json::{Value, json};

use crate::helpers::*;

const CLIENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/clients");

/// Every client document: (`app/HomeProducts`, its text).
fn documents() -> Vec<(String, String)> {
    let mut found = Vec::new();
    for client in ["app", "kiosk", "office"] {
        let dir = Path::new(CLIENTS).join(client);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("directory entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "graphql"))
            .collect();
        files.sort();
        for file in files {
            let stem = file
                .file_stem()
                .expect("file name")
                .to_string_lossy()
                .to_string();
            let text = std::fs::read_to_string(&file).expect("client document");
            found.push((format!("{client}/{stem}"), text));
        }
    }
    found
}

/// The text of one client document, e.g. `op("app/HomeProducts")`.
pub fn op(name: &str) -> String {
    std::fs::read_to_string(format!("{CLIENTS}/{name}.graphql"))
        .unwrap_or_else(|e| panic!("client document {name}: {e}"))
}

#[test]
fn every_client_document_validates_against_the_committed_schema() {
    let sdl = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql");
    let schema = Schema::parse_and_validate(sdl, "schema.graphql")
        .unwrap_or_else(|e| panic!("schema.graphql does not validate:\n{e}"));
    let stories =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/clients.rs"))
            .expect("this file");
    let documents = documents();
    assert!(
        documents.len() >= 30,
        "only {} client documents",
        documents.len()
    );
    let mut failures = Vec::new();
    for (name, text) in &documents {
        match ExecutableDocument::parse_and_validate(
            &schema,
            text.as_str(),
            format!("{name}.graphql"),
        ) {
            Err(e) => failures.push(format!("{name}: does not validate:\n{e}")),
            Ok(doc) => {
                let operations: Vec<&Operation> =
                    doc.operations.iter().map(|o| o.as_ref()).collect();
                let stem = name.rsplit('/').next().unwrap_or_default();
                if operations.len() != 1
                    || operations[0].name.as_ref().map(|n| n.as_str()) != Some(stem)
                {
                    failures.push(format!("{name}: must hold one operation named {stem}"));
                }
            }
        }
        if !stories.contains(&format!("\"{name}\"")) {
            failures.push(format!("{name}: no story runs it"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Sends client operation `name` as `who` and returns its data, failing the story on any
/// top-level error.
async fn send(app: &TestApp, who: &impl Signer, name: &str, variables: Value) -> Value {
    ok(app.as_(who).graphql(&op(name), variables).await, name).await
}

/// Data of a client operation, failing the story on any top-level error.
async fn ok(res: GqlResponse, name: &str) -> Value {
    assert!(
        res.body
            .get("errors")
            .is_none_or(|e| e.as_array().is_some_and(|a| a.is_empty())),
        "{name} failed: {res}"
    );
    res.data().clone()
}

/// A traveller on the phone app: home page, scroll, categories, search, product, seller.
#[tokio::test]
async fn shopper_story() {
    let app = TestApp::spawn_seeded().await;
    let home = send(
        &app,
        &Credential::Anonymous,
        "app/HomeProducts",
        json!({ "first": 5 }),
    )
    .await;
    let page = &home["products"];
    assert_eq!(page["edges"].as_array().map(Vec::len), Some(5));
    let after = page["pageInfo"]["endCursor"].clone();
    let next = send(
        &app,
        &Credential::Anonymous,
        "app/HomeProducts",
        json!({ "first": 5, "after": after }),
    )
    .await;
    let first_ids: Vec<&Value> = page["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| &e["node"]["id"])
        .collect();
    for edge in next["products"]["edges"].as_array().into_iter().flatten() {
        assert!(
            !first_ids.contains(&&edge["node"]["id"]),
            "page 2 repeats page 1"
        );
    }

    let categories = send(&app, &Credential::Anonymous, "app/Categories", json!({})).await;
    assert!(
        categories["categories"]
            .as_array()
            .is_some_and(|c| c.len() > 5)
    );

    let found = send(
        &app,
        &Credential::Anonymous,
        "app/SearchProducts",
        json!({ "search": "keripik" }),
    )
    .await;
    let slug = found["products"]["edges"][0]["node"]["slug"]
        .as_str()
        .expect("a search hit")
        .to_owned();
    // The filter sheet's counts for the same search, and suggestions while typing.
    let facets = send(
        &app,
        &Credential::Anonymous,
        "app/SearchFacets",
        json!({ "search": "keripik" }),
    )
    .await;
    assert_eq!(
        facets["productFacets"]["total"], found["products"]["totalCount"],
        "{facets}"
    );
    assert!(
        facets["productFacets"]["categories"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["category"]["slug"] == "keripik")),
        "{facets}"
    );
    let suggested = send(
        &app,
        &Credential::Anonymous,
        "app/SearchSuggestions",
        json!({ "prefix": "kerip" }),
    )
    .await;
    assert_eq!(
        suggested["searchSuggestions"][0]["category"]["slug"], "keripik",
        "{suggested}"
    );

    let product = send(
        &app,
        &Credential::Anonymous,
        "app/ProductDetail",
        json!({ "slug": slug }),
    )
    .await;
    let seller_slug = product["product"]["seller"]["slug"]
        .as_str()
        .expect("seller slug")
        .to_owned();
    let seller = send(
        &app,
        &Credential::Anonymous,
        "app/SellerPage",
        json!({ "slug": seller_slug }),
    )
    .await;
    assert!(
        seller["seller"]["products"]["totalCount"]
            .as_i64()
            .is_some_and(|n| n >= 1)
    );
}

fn user_errors_of(data: &Value, field: &str) -> Value {
    data[field]["userErrors"].clone()
}

fn no_user_errors(data: &Value, field: &str) {
    assert_eq!(user_errors_of(data, field), json!([]), "{field}: {data}");
}

/// A maker in Leces: signs up, applies, starts a catalogue while under review (drafts of a
/// PENDING seller must load: a break the client trial found), is verified, publishes, stocks
/// a stall, edits, unpublishes, signs out.
#[tokio::test]
async fn seller_story() {
    let app = TestApp::spawn().await;
    let office = app.admin().await;
    let outlet = app.outlet().await;
    let email = unique_email("penjual");
    let password = "kripik-tempe-leces-2026";

    let signed_up = send(
        &app,
        &Credential::Anonymous,
        "app/Register",
        json!({ "input": { "email": email, "displayName": "Bu Sri", "password": password } }),
    )
    .await;
    no_user_errors(&signed_up, "register");
    // Sign-up signs in: the app goes straight on with these tokens.
    let me = Credential::Bearer(
        signed_up["register"]["tokens"]["accessToken"]
            .as_str()
            .expect("register signs in")
            .into(),
    );
    let viewer = send(&app, &me, "app/Viewer", json!({})).await;
    assert_eq!(
        viewer["viewer"]["user"]["displayName"], "Bu Sri",
        "{viewer}"
    );
    // Signing in on a second phone.
    let login = send(
        &app,
        &Credential::Anonymous,
        "app/Login",
        json!({ "identifier": email, "password": password }),
    )
    .await;
    no_user_errors(&login, "login");
    let me = Credential::Bearer(
        login["login"]["tokens"]["accessToken"]
            .as_str()
            .expect("token")
            .into(),
    );
    let refresh = login["login"]["tokens"]["refreshToken"]
        .as_str()
        .expect("refresh")
        .to_owned();

    let kecamatan = send(&app, &Credential::Anonymous, "app/Kecamatan", json!({})).await;
    assert!(
        kecamatan["kecamatan"]
            .as_array()
            .is_some_and(|k| k.len() == 24),
        "{kecamatan}"
    );

    let applied = send(
        &app,
        &me,
        "app/ApplyAsSeller",
        json!({ "application": seller_application("Kripik Bu Sri") }),
    )
    .await;
    no_user_errors(&applied, "applyAsSeller");
    let seller_id = applied["applyAsSeller"]["seller"]["id"]
        .as_str()
        .expect("seller id")
        .to_owned();

    // Under review: drafts can be prepared, and every field of them loads.
    let created = send(&app, &me, "app/CreateProduct", json!({ "sellerId": seller_id, "product": {
                    "categoryId": category_id("keripik"), "name": "Kripik Tempe Original",
                    "description": "Tempe tipis digoreng renyah.", "price": 18000, "unitLabel": "bungkus 250 g", "halal": false
                } })).await;
    no_user_errors(&created, "createProduct");
    let product = &created["createProduct"]["product"];
    assert_eq!(product["status"], "DRAFT");
    assert_eq!(product["seller"]["id"], seller_id.as_str());
    let product_id = product["id"].as_str().expect("product id").to_owned();

    let viewer = send(&app, &me, "app/Viewer", json!({})).await;
    assert_eq!(
        viewer["viewer"]["sellers"]["nodes"][0]["verificationStatus"],
        "PENDING"
    );

    // The office reads the application and verifies what it read.
    let review = send(
        &app,
        &office,
        "office/SellerReview",
        json!({ "id": seller_id }),
    )
    .await;
    let version = review["node"]["version"]
        .as_str()
        .expect("version")
        .to_owned();
    let verified = send(
        &app,
        &office,
        "office/VerifySeller",
        json!({ "sellerId": seller_id, "reviewedVersion": version }),
    )
    .await;
    no_user_errors(&verified, "verifySeller");
    let placed = send(
        &app,
        &office,
        "office/AssignSellerToOutlet",
        json!({ "outletId": outlet.gid, "sellerId": seller_id }),
    )
    .await;
    no_user_errors(&placed, "assignSellerToOutlet");

    // Verified: edit, publish, stock.
    let edited = send(
        &app,
        &me,
        "app/UpdateProduct",
        json!({ "productId": product_id, "product": { "price": 20000 } }),
    )
    .await;
    no_user_errors(&edited, "updateProduct");
    assert_eq!(edited["updateProduct"]["product"]["price"], 20000);
    let published = send(
        &app,
        &me,
        "app/PublishProduct",
        json!({ "productId": product_id }),
    )
    .await;
    no_user_errors(&published, "publishProduct");
    let stocked = send(
        &app,
        &me,
        "app/SetStock",
        json!({ "outletId": outlet.gid, "productId": product_id, "quantity": 12 }),
    )
    .await;
    no_user_errors(&stocked, "setStock");
    let mine = send(&app, &me, "app/MyProducts", json!({})).await;
    let node = &mine["viewer"]["sellers"]["nodes"][0]["managedProducts"]["edges"][0]["node"];
    assert_eq!(
        (node["status"].as_str(), node["totalStock"].as_i64()),
        (Some("ACTIVE"), Some(12))
    );

    let unpublished = send(
        &app,
        &me,
        "app/UnpublishProduct",
        json!({ "productId": product_id }),
    )
    .await;
    no_user_errors(&unpublished, "unpublishProduct");

    // Two screens refresh with the same token at once (or a retry after a lost answer): both
    // get the same successor and the session goes on (a break the client trial found).
    let (doc, vars) = (op("app/RefreshToken"), json!({ "refreshToken": refresh }));
    let (one, two) = tokio::join!(
        app.graphql(&doc, vars.clone()),
        app.graphql(&doc, vars.clone())
    );
    let (one, two) = (ok(one, "refresh").await, ok(two, "refresh again").await);
    no_user_errors(&one, "refreshToken");
    no_user_errors(&two, "refreshToken");
    let next = one["refreshToken"]["tokens"]["refreshToken"]
        .as_str()
        .expect("rotated")
        .to_owned();
    assert_eq!(two["refreshToken"]["tokens"]["refreshToken"], next.as_str());
    let out = send(
        &app,
        &Credential::Anonymous,
        "app/Logout",
        json!({ "refreshToken": next }),
    )
    .await;
    assert_eq!(out["logout"]["ok"], true);
    // A refused refresh answers like a failed login: no tokens, one user error.
    let after = send(
        &app,
        &Credential::Anonymous,
        "app/RefreshToken",
        json!({ "refreshToken": next }),
    )
    .await;
    assert!(after["refreshToken"]["tokens"].is_null(), "{after}");
    assert_eq!(
        after["refreshToken"]["userErrors"][0]["code"], "INVALID_CREDENTIALS",
        "{after}"
    );
}

/// A seller photographs a product on the phone: asks for an upload, PUTs the bytes straight to
/// storage with the returned headers, completes it, adds a second photo, makes it the cover,
/// describes it and deletes the first.
#[tokio::test]
async fn seller_photo_story() {
    let app = TestApp::spawn().await;
    let seller = app.seller().await;
    let product = app.product(&seller, NewProduct::default()).await;
    let mut photo_ids = Vec::new();
    for seed in 0..2 {
        let jpeg = pasar_oleh::media_pipeline::synth::jpeg(1200, 900, seed).unwrap();
        let granted = send(
            &app,
            &seller,
            "app/CreatePhotoUpload",
            json!({ "input": {
            "productId": product.gid, "contentType": "image/jpeg", "byteSize": jpeg.len()
        } }),
        )
        .await;
        no_user_errors(&granted, "createPhotoUpload");
        let upload = &granted["createPhotoUpload"]["upload"];
        let mut put = reqwest::Client::new().put(app.reachable(upload["url"].as_str().unwrap()));
        for header in upload["headers"].as_array().unwrap() {
            let name = header["name"].as_str().unwrap();
            if !name.eq_ignore_ascii_case("content-length") {
                put = put.header(name, header["value"].as_str().unwrap());
            }
        }
        assert_eq!(put.body(jpeg).send().await.unwrap().status(), 200);
        let done = send(
            &app,
            &seller,
            "app/CompletePhotoUpload",
            json!({ "input": {
            "uploadId": upload["id"], "altText": "Kripik tempe"
        } }),
        )
        .await;
        no_user_errors(&done, "completePhotoUpload");
        let photo = &done["completePhotoUpload"]["photo"];
        assert_eq!(
            (photo["width"].as_i64(), photo["height"].as_i64()),
            (Some(1080), Some(810))
        );
        photo_ids.push(photo["id"].as_str().unwrap().to_string());
    }
    let reordered = send(
        &app,
        &seller,
        "app/ReorderPhotos",
        json!({ "input": {
        "productId": product.gid, "photoIds": [photo_ids[1], photo_ids[0]]
    } }),
    )
    .await;
    no_user_errors(&reordered, "reorderPhotos");
    assert_eq!(
        reordered["reorderPhotos"]["photos"][0]["id"],
        photo_ids[1].as_str()
    );
    let described = send(
        &app,
        &seller,
        "app/UpdatePhoto",
        json!({ "input": {
        "photoId": photo_ids[1], "altText": "Kripik tempe dalam kemasan"
    } }),
    )
    .await;
    no_user_errors(&described, "updatePhoto");
    let deleted = send(
        &app,
        &seller,
        "app/DeletePhoto",
        json!({ "input": { "photoId": photo_ids[0] } }),
    )
    .await;
    no_user_errors(&deleted, "deletePhoto");
    assert_eq!(
        deleted["deletePhoto"]["deletedPhotoId"],
        photo_ids[0].as_str()
    );
}

/// The regency office: sends an application back, sees it resubmitted, suspends and
/// reinstates, opens a stall with staff and a kiosk, features a product, retires the kiosk.
#[tokio::test]
async fn office_story() {
    let app = TestApp::spawn().await;
    let office = app.admin().await;
    let applicant = app.pending_seller().await;

    // The queue shows the application; the reviewer opens it from there.
    let queue = send(&app, &office, "office/ReviewQueue", json!({})).await;
    assert_eq!(queue["sellerApplications"]["totalCount"], 1, "{queue}");
    assert_eq!(
        queue["sellerApplications"]["edges"][0]["node"]["id"],
        applicant.gid.as_str()
    );

    let review = send(
        &app,
        &office,
        "office/SellerReview",
        json!({ "id": applicant.gid }),
    )
    .await;
    let version = review["node"]["version"]
        .as_str()
        .unwrap_or_else(|| panic!("{review}"))
        .to_owned();
    let rejected = send(&app, &office, "office/RejectSeller", json!({ "sellerId": applicant.gid, "reviewedVersion": version, "reason": "Foto KTP buram" })).await;
    no_user_errors(&rejected, "rejectSeller");
    assert_eq!(
        rejected["rejectSeller"]["seller"]["verificationStatus"],
        "REJECTED"
    );

    let resubmitted = send(
        &app,
        &applicant,
        "app/UpdateSellerApplication",
        json!({ "sellerId": applicant.gid, "application": { "address": "Jl. Raya Leces 12" } }),
    )
    .await;
    no_user_errors(&resubmitted, "updateSellerApplication");
    assert_eq!(
        resubmitted["updateSellerApplication"]["seller"]["verificationStatus"],
        "PENDING"
    );

    let review = send(
        &app,
        &office,
        "office/SellerReview",
        json!({ "id": applicant.gid }),
    )
    .await;
    let version = review["node"]["version"]
        .as_str()
        .expect("version")
        .to_owned();
    let verified = send(
        &app,
        &office,
        "office/VerifySeller",
        json!({ "sellerId": applicant.gid, "reviewedVersion": version }),
    )
    .await;
    no_user_errors(&verified, "verifySeller");

    let suspended = send(
        &app,
        &office,
        "office/SuspendSeller",
        json!({ "sellerId": applicant.gid, "reason": "Laporan pembeli" }),
    )
    .await;
    assert_eq!(
        suspended["suspendSeller"]["seller"]["verificationStatus"],
        "SUSPENDED"
    );
    let reinstated = send(
        &app,
        &office,
        "office/ReinstateSeller",
        json!({ "sellerId": applicant.gid }),
    )
    .await;
    assert_eq!(
        reinstated["reinstateSeller"]["seller"]["verificationStatus"],
        "VERIFIED"
    );

    let code = format!("TGS-{}", &short_id()[..4]).to_uppercase();
    let opened = send(
        &app,
        &office,
        "office/CreateOutlet",
        json!({ "input": {
                    "code": code, "name": "Kios Oleh-Oleh Uji", "restArea": "Rest Area Tongas",
                    "villageCode": "35.13.05.2001", "latitude": -7.7526, "longitude": 113.1165,
                    "openingHours": [{ "weekday": "MONDAY", "opens": "07:00", "closes": "21:00" }]
                } }),
    )
    .await;
    no_user_errors(&opened, "createOutlet");
    let outlet_id = opened["createOutlet"]["outlet"]["id"]
        .as_str()
        .expect("outlet id")
        .to_owned();

    let clerk = app.buyer().await;
    let staffed = send(
        &app,
        &office,
        "office/AssignOutletStaff",
        json!({ "outletId": outlet_id, "userId": clerk.id.to_string() }),
    )
    .await;
    no_user_errors(&staffed, "assignOutletStaff");

    let kiosk = send(
        &app,
        &office,
        "office/RegisterKiosk",
        json!({ "outletId": outlet_id, "name": "Kiosk pintu utara" }),
    )
    .await;
    no_user_errors(&kiosk, "registerKiosk");
    let kiosk_id = kiosk["registerKiosk"]["kiosk"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{kiosk}"))
        .to_owned();
    let listed = send(
        &app,
        &office,
        "office/Kiosks",
        json!({ "outletId": outlet_id }),
    )
    .await;
    assert_eq!(listed["kiosks"]["nodes"].as_array().map(Vec::len), Some(1));

    let product = app.product(&applicant, NewProduct::default()).await;
    let featured = send(
        &app,
        &office,
        "office/FeatureProduct",
        json!({ "productId": product.gid, "featured": true }),
    )
    .await;
    no_user_errors(&featured, "setProductFeatured");

    let revoked = send(
        &app,
        &office,
        "office/RevokeKiosk",
        json!({ "kioskId": kiosk_id }),
    )
    .await;
    assert!(
        !revoked["revokeKiosk"]["kiosk"]["revokedAt"].is_null(),
        "{revoked}"
    );
}

/// The kiosk at a stall: its own shelf, the tabs, a search, a product and where to find it.
#[tokio::test]
async fn kiosk_story() {
    let app = TestApp::spawn().await;
    let outlet = app.outlet().await;
    let seller = app.seller().await;
    app.place(&seller.gid, &outlet).await;
    let product = app
        .product(
            &seller,
            NewProduct {
                name: "Kripik Mangga Tongas".into(),
                ..NewProduct::default()
            },
        )
        .await;
    app.stock(&outlet, &product, 7).await;
    let kiosk = app.kiosk(&outlet).await;

    // The kiosk learns its stall from its credential (a break the client trial found) ...
    let me = send(&app, &kiosk, "kiosk/KioskWhoAmI", json!({})).await;
    assert!(me["viewer"].is_null(), "{me}");
    let code = me["kioskViewer"]["outlet"]["code"]
        .as_str()
        .expect("the kiosk's outlet")
        .to_owned();
    assert_eq!(code, outlet.code);
    // ... and codes typed by hand are found in any case, with stray spaces.
    let typed = format!(" {} ", code.to_lowercase());
    let shelf = send(&app, &kiosk, "kiosk/KioskOutlet", json!({ "code": typed })).await;
    assert_eq!(shelf["outlet"]["products"]["totalCount"], 1, "{shelf}");
    let tabs = send(&app, &kiosk, "kiosk/KioskCategories", json!({})).await;
    assert!(tabs["categories"].as_array().is_some_and(|c| !c.is_empty()));
    let found = send(
        &app,
        &kiosk,
        "kiosk/KioskSearch",
        json!({ "search": "mangga" }),
    )
    .await;
    assert_eq!(
        found["products"]["edges"][0]["node"]["id"],
        product.gid.as_str(),
        "{found}"
    );
    // Typed on the kiosk's keyboard, with a typo: the product is suggested.
    let suggested = send(
        &app,
        &kiosk,
        "kiosk/KioskSuggestions",
        json!({ "prefix": "kripik manga" }),
    )
    .await;
    assert!(
        suggested["searchSuggestions"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s["product"]["id"] == product.gid.as_str())),
        "{suggested}"
    );
    let detail = send(
        &app,
        &kiosk,
        "kiosk/KioskProduct",
        json!({ "id": product.gid }),
    )
    .await;
    assert_eq!(
        detail["product"]["availability"][0]["quantity"], 7,
        "{detail}"
    );
}
