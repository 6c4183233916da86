//! Onboarding → verification → publish → public visibility, end to end over HTTP.

use serde_json::{Value, json};

use sea_orm::{EntityTrait, PaginatorTrait};

use crate::helpers::{TestApp, category_id, seller_application};

const APPLY: &str = "mutation($i: SellerApplicationInput!) { applyAsSeller(input: $i) {
    seller { id slug verificationStatus phone legal { nib pirtNumber } } userErrors { field code message } } }";

#[tokio::test]
async fn invalid_applications_name_every_field_and_write_nothing() {
    let app = TestApp::spawn().await;
    let hadi = app.buyer().await;
    let before = entity::seller::Entity::find()
        .count(app.db())
        .await
        .unwrap();
    let mut bad = seller_application("Kripik Tempe Pak Hadi");
    bad["nib"] = json!("123");
    bad["phone"] = json!("021-555");
    bad["villageCode"] = json!("99.99.99.9999");
    bad["pirtNumber"] = json!("P-IRT 12");
    bad["halalCertificateNumber"] = json!("ID35110000214560323");
    bad["halalExpiresOn"] = json!("2020-01-01");
    bad["businessName"] = json!("");
    let res = app.as_(&hadi).graphql(APPLY, json!({ "i": bad })).await;
    let errors = res["data"]["applyAsSeller"]["userErrors"]
        .as_array()
        .unwrap();
    let fields: Vec<&str> = errors
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in [
        "input.nib",
        "input.phone",
        "input.villageCode",
        "input.pirtNumber",
        "input.halalExpiresOn",
        "input.businessName",
    ] {
        assert!(fields.contains(&f), "{f} not reported: {fields:?}");
    }
    assert_eq!(
        entity::seller::Entity::find()
            .count(app.db())
            .await
            .unwrap(),
        before
    );
    // Anonymous callers cannot apply at all.
    let res = app
        .graphql(
            APPLY,
            json!({ "i": seller_application("Kripik Tempe Pak Hadi") }),
        )
        .await;
    assert_eq!(res.error_code(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn onboarding_verification_publishing_and_suspension() {
    let app = TestApp::spawn().await;
    let hadi = app.buyer().await;
    let admin = app.admin().await;

    let application = seller_application("Kripik Tempe Pak Hadi");
    let res = app
        .as_(&hadi)
        .graphql(APPLY, json!({ "i": application }))
        .await;
    let seller = &res["data"]["applyAsSeller"]["seller"];
    assert_eq!(seller["verificationStatus"], "PENDING", "{res}");
    assert_eq!(seller["phone"], "+6281333001122");
    assert_eq!(seller["legal"]["pirtNumber"], "P-IRT 2063513050001-29");
    let seller_id = seller["id"].clone();
    let slug = seller["slug"].as_str().unwrap().to_string();
    let res = app
        .as_(&hadi)
        .graphql("{ viewer { roles sellers { nodes { slug } } } }", json!({}))
        .await;
    assert_eq!(res["data"]["viewer"]["roles"], json!(["BUYER", "SELLER"]));

    // A pending seller is invisible to the public, visible to its member.
    let public_q = "query($s: String) { seller(slug: $s) { businessName phone legal { nib } statusHistory { nodes { fromStatus toStatus reason } } } }";
    let res = app.graphql(public_q, json!({ "s": slug })).await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"));
    let res = app.as_(&hadi).graphql(public_q, json!({ "s": slug })).await;
    assert_eq!(res["data"]["seller"]["phone"], "+6281333001122");

    // Products start as drafts; a pending seller cannot publish.
    let create = "mutation($s: ID!, $c: ID!) { createProduct(input: { sellerId: $s, product: { categoryId: $c, name: \"Kripik Tempe Original\", price: 15000, unitLabel: \"pak 200 g\", netWeightGrams: 200, shelfLifeDays: 60 } }) { product { id status slug } userErrors { field code } } }";
    let keripik = category_id("keripik");
    let res = app
        .as_(&hadi)
        .graphql(create, json!({ "s": seller_id, "c": keripik }))
        .await;
    let product = &res["data"]["createProduct"]["product"];
    assert_eq!(product["status"], "DRAFT", "{res}");
    let product_id = product["id"].clone();
    let product_slug = product["slug"].as_str().unwrap().to_string();
    let publish = "mutation($p: ID!) { publishProduct(input: { productId: $p }) { product { status } userErrors { code } } }";
    let res = app
        .as_(&hadi)
        .graphql(publish, json!({ "p": product_id }))
        .await;
    assert_eq!(res.user_errors()[0].code, "NOT_VERIFIED");

    // The office verifies; publishing works and the product is public.
    let decide = |name: &'static str| {
        format!(
            "mutation($s: ID!, $r: String) {{ {name}(input: {{ sellerId: $s, reason: $r }}) {{ seller {{ verificationStatus }} userErrors {{ field code }} }} }}"
        )
    };
    let res = app
        .as_(&hadi)
        .graphql(&decide("verifySeller"), json!({ "s": seller_id }))
        .await;
    assert_eq!(res.error_code(), Some("FORBIDDEN"));
    let res = app
        .as_(&admin)
        .graphql(&decide("verifySeller"), json!({ "s": seller_id }))
        .await;
    assert_eq!(
        res["data"]["verifySeller"]["seller"]["verificationStatus"], "VERIFIED",
        "{res}"
    );
    let res = app
        .as_(&hadi)
        .graphql(publish, json!({ "p": product_id }))
        .await;
    assert_eq!(
        res["data"]["publishProduct"]["product"]["status"], "ACTIVE",
        "{res}"
    );
    let product_q = "query($s: String) { product(slug: $s) { name seller { businessName phone legal { nib } } } }";
    let res = app.graphql(product_q, json!({ "s": product_slug })).await;
    assert_eq!(
        res["data"]["product"]["seller"]["businessName"],
        "Kripik Tempe Pak Hadi"
    );
    assert_eq!(
        res["data"]["product"]["seller"]["phone"],
        Value::Null,
        "private data leaked"
    );
    assert_eq!(res["data"]["product"]["seller"]["legal"], Value::Null);

    // A change of legal data goes to review; the product stays public meanwhile.
    let update = "mutation($s: ID!) { updateSellerApplication(input: { sellerId: $s, application: { nib: \"9120105799002\" } }) { seller { verificationStatus legal { nib } pendingLegalChange { nib } } userErrors { field code } } }";
    let res = app
        .as_(&hadi)
        .graphql(update, json!({ "s": seller_id }))
        .await;
    let s = &res["data"]["updateSellerApplication"]["seller"];
    assert_eq!(s["verificationStatus"], "VERIFIED", "{res}");
    assert_eq!(s["legal"]["nib"], application["nib"]);
    assert_eq!(s["pendingLegalChange"]["nib"], "9120105799002");
    let res = app.graphql(product_q, json!({ "s": product_slug })).await;
    assert!(res["data"]["product"].is_object());
    let res = app
        .as_(&admin)
        .graphql(&decide("verifySeller"), json!({ "s": seller_id }))
        .await;
    assert_eq!(
        res["data"]["verifySeller"]["seller"]["verificationStatus"],
        "VERIFIED"
    );
    let res = app.as_(&hadi).graphql(public_q, json!({ "s": slug })).await;
    assert_eq!(res["data"]["seller"]["legal"]["nib"], "9120105799002");

    // Suspension needs a reason and hides the products at once; reinstatement brings them back.
    let res = app
        .as_(&admin)
        .graphql(&decide("suspendSeller"), json!({ "s": seller_id }))
        .await;
    assert_eq!(res.user_errors()[0].field, "input.reason");
    let res = app
        .as_(&admin)
        .graphql(
            &decide("suspendSeller"),
            json!({ "s": seller_id, "r": "Logo halal tanpa sertifikat" }),
        )
        .await;
    assert_eq!(
        res["data"]["suspendSeller"]["seller"]["verificationStatus"],
        "SUSPENDED"
    );
    let res = app.graphql(product_q, json!({ "s": product_slug })).await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"));
    let res = app
        .as_(&admin)
        .graphql(&decide("reinstateSeller"), json!({ "s": seller_id }))
        .await;
    assert_eq!(
        res["data"]["reinstateSeller"]["seller"]["verificationStatus"],
        "VERIFIED"
    );
    let res = app.graphql(product_q, json!({ "s": product_slug })).await;
    assert!(res["data"]["product"].is_object());

    // The whole story is in the history, for the member and the office.
    let res = app.as_(&hadi).graphql(public_q, json!({ "s": slug })).await;
    let history: Vec<(Value, Value)> = res["data"]["seller"]["statusHistory"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["fromStatus"].clone(), h["toStatus"].clone()))
        .collect();
    assert_eq!(
        history,
        vec![
            (Value::Null, json!("PENDING")),
            (json!("PENDING"), json!("VERIFIED")),
            (json!("VERIFIED"), json!("VERIFIED")),
            (json!("VERIFIED"), json!("VERIFIED")),
            (json!("VERIFIED"), json!("SUSPENDED")),
            (json!("SUSPENDED"), json!("VERIFIED")),
        ]
    );

    // Stock: only at outlets where the seller has a place.
    let outlet = app.outlet().await;
    let set_stock = "mutation($o: ID!, $p: ID!, $q: Int!) { setStock(input: { outletId: $o, productId: $p, quantity: $q }) { stock { quantity } userErrors { field code } } }";
    let res = app
        .as_(&hadi)
        .graphql(
            set_stock,
            json!({ "o": outlet.gid, "p": product_id, "q": 12 }),
        )
        .await;
    assert_eq!(res.error_code(), Some("FORBIDDEN"));
    app.place(seller_id.as_str().unwrap(), &outlet).await;
    let res = app
        .as_(&hadi)
        .graphql(
            set_stock,
            json!({ "o": outlet.gid, "p": product_id, "q": -3 }),
        )
        .await;
    assert_eq!(res.user_errors()[0].field, "input.quantity");
    let res = app
        .as_(&hadi)
        .graphql(
            set_stock,
            json!({ "o": outlet.gid, "p": product_id, "q": 12 }),
        )
        .await;
    assert_eq!(res["data"]["setStock"]["stock"]["quantity"], 12, "{res}");
}

#[tokio::test]
async fn food_products_need_a_permit_to_be_published() {
    let app = TestApp::spawn().await;
    let sari = app.buyer().await;
    let admin = app.admin().await;
    let mut no_permit = seller_application("Kripik Tempe Pak Hadi");
    no_permit["pirtNumber"] = Value::Null;
    no_permit["businessName"] = json!("Sambal Bu Sari");
    let res = app
        .as_(&sari)
        .graphql(APPLY, json!({ "i": no_permit }))
        .await;
    let seller_id = res["data"]["applyAsSeller"]["seller"]["id"].clone();
    app.as_(&admin)
        .graphql(
            "mutation($s: ID!) { verifySeller(input: { sellerId: $s }) { seller { id } } }",
            json!({ "s": seller_id }),
        )
        .await;
    let cat = category_id;
    let create = "mutation($s: ID!, $c: ID!, $h: Boolean) { createProduct(input: { sellerId: $s, product: { categoryId: $c, name: \"Produk Uji\", price: 20000, unitLabel: \"botol\", halal: $h } }) { product { id } userErrors { field code } } }";
    // Declaring halal without a certificate on record is refused.
    let res = app
        .as_(&sari)
        .graphql(
            create,
            json!({ "s": seller_id, "c": cat("sambal"), "h": true }),
        )
        .await;
    assert_eq!(res.user_errors()[0].code, "PERMIT_REQUIRED");
    let food = app
        .as_(&sari)
        .graphql(create, json!({ "s": seller_id, "c": cat("sambal") }))
        .await["data"]["createProduct"]["product"]["id"]
        .clone();
    let craft = app
        .as_(&sari)
        .graphql(create, json!({ "s": seller_id, "c": cat("anyaman") }))
        .await["data"]["createProduct"]["product"]["id"]
        .clone();
    let publish = "mutation($p: ID!) { publishProduct(input: { productId: $p }) { product { status } userErrors { code } } }";
    let res = app.as_(&sari).graphql(publish, json!({ "p": food })).await;
    assert_eq!(res.user_errors()[0].code, "PERMIT_REQUIRED");
    let res = app.as_(&sari).graphql(publish, json!({ "p": craft })).await;
    assert_eq!(res["data"]["publishProduct"]["product"]["status"], "ACTIVE");
}

#[tokio::test]
async fn a_rejected_seller_edits_and_resubmits() {
    let app = TestApp::spawn().await;
    let rina = app.buyer().await;
    let admin = app.admin().await;
    let mut form = seller_application("Kripik Tempe Pak Hadi");
    form["businessName"] = json!("Batik Rina");
    form["category"] = json!("BATIK_BORDIR");
    let res = app.as_(&rina).graphql(APPLY, json!({ "i": form })).await;
    let seller_id = res["data"]["applyAsSeller"]["seller"]["id"].clone();
    let reject = "mutation($s: ID!, $r: String) { rejectSeller(input: { sellerId: $s, reason: $r }) { seller { verificationStatus statusReason } userErrors { field code } } }";
    let res = app
        .as_(&admin)
        .graphql(reject, json!({ "s": seller_id }))
        .await;
    assert_eq!(res.user_errors()[0].field, "input.reason");
    let res = app
        .as_(&admin)
        .graphql(
            reject,
            json!({ "s": seller_id, "r": "NIB tidak terdaftar di OSS" }),
        )
        .await;
    assert_eq!(
        res["data"]["rejectSeller"]["seller"]["verificationStatus"],
        "REJECTED"
    );
    assert_eq!(
        res["data"]["rejectSeller"]["seller"]["statusReason"],
        "NIB tidak terdaftar di OSS"
    );
    // Rejecting twice is not a valid transition.
    let res = app
        .as_(&admin)
        .graphql(reject, json!({ "s": seller_id, "r": "lagi" }))
        .await;
    assert_eq!(res.user_errors()[0].code, "INVALID_TRANSITION");
    let update = "mutation($s: ID!) { updateSellerApplication(input: { sellerId: $s, application: { nib: \"9120105700777\" } }) { seller { verificationStatus legal { nib } statusHistory { nodes { toStatus reason } } } userErrors { field code } } }";
    let res = app
        .as_(&rina)
        .graphql(update, json!({ "s": seller_id }))
        .await;
    let s = &res["data"]["updateSellerApplication"]["seller"];
    assert_eq!(s["verificationStatus"], "PENDING", "{res}");
    assert_eq!(s["legal"]["nib"], "9120105700777");
    let statuses: Vec<&str> = s["statusHistory"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["toStatus"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["PENDING", "REJECTED", "PENDING"]);
    // Another user cannot even see that the seller exists.
    let other = app.buyer().await;
    let res = app
        .as_(&other)
        .graphql(update, json!({ "s": seller_id }))
        .await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"));
}

/// One NIB is one business: a second application with a NIB already on record (another
/// seller's legal data, or a legal change waiting for review) is a duplicate the office would
/// review twice. It is refused (TAKEN, on the NIB, once every other field is valid) and writes
/// nothing; so is a verified seller's change to someone else's NIB.
#[tokio::test]
async fn a_duplicate_nib_is_refused_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let first = app.seller().await;
    let first_nib = entity::seller::Entity::find_by_id(first.id)
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
        .nib
        .unwrap();
    let before = entity::seller::Entity::find()
        .count(app.db())
        .await
        .unwrap();

    let copycat = app.buyer().await;
    let mut application = seller_application("Kripik Tempe Tiruan");
    application["nib"] = json!(first_nib);
    let res = app
        .as_(&copycat)
        .graphql(APPLY, json!({ "i": application }))
        .await;
    let errors = res.user_errors();
    assert_eq!(errors.len(), 1, "{res}");
    assert_eq!(
        (errors[0].field.ends_with("nib"), errors[0].code.as_str()),
        (true, "TAKEN"),
        "{res}"
    );
    assert_eq!(
        entity::seller::Entity::find()
            .count(app.db())
            .await
            .unwrap(),
        before
    );

    // With another field wrong too, only that field is reported (no probing of NIBs).
    application["phone"] = json!("12");
    let res = app
        .as_(&copycat)
        .graphql(APPLY, json!({ "i": application }))
        .await;
    assert!(res.user_errors().iter().all(|e| e.code != "TAKEN"), "{res}");

    // A NIB waiting for review in another seller's legal change is taken too.
    let second = app.seller().await;
    let update = "mutation($s: ID!, $a: SellerApplicationInput!) { updateSellerApplication(input: { sellerId: $s, application: $a }) { userErrors { field code } } }";
    let res = app
        .as_(&second)
        .graphql(
            update,
            json!({ "s": second.gid, "a": { "nib": "9120105700555" } }),
        )
        .await;
    assert_eq!(res.user_errors(), vec![], "{res}");
    let mut application = seller_application("Kripik Tempe Tiruan");
    application["nib"] = json!("9120105700555");
    let res = app
        .as_(&copycat)
        .graphql(APPLY, json!({ "i": application }))
        .await;
    assert_eq!(
        res.user_errors().first().map(|e| e.code.as_str()),
        Some("TAKEN"),
        "{res}"
    );

    // A verified seller cannot move to another seller's NIB; keeping its own is fine.
    let res = app
        .as_(&first)
        .graphql(
            update,
            json!({ "s": first.gid, "a": { "nib": "9120105700555" } }),
        )
        .await;
    assert_eq!(
        res.user_errors().first().map(|e| e.code.as_str()),
        Some("TAKEN"),
        "{res}"
    );
    let res = app
        .as_(&first)
        .graphql(
            update,
            json!({ "s": first.gid, "a": { "nib": first_nib, "address": "Jl. Raya Tongas 3" } }),
        )
        .await;
    assert_eq!(res.user_errors(), vec![], "{res}");
    assert_eq!(
        entity::seller::Entity::find()
            .count(app.db())
            .await
            .unwrap(),
        before + 1
    );
}

/// The office's queue: new applications and verified sellers' waiting legal changes (a renewed
/// halal certificate) in one connection, longest waiting first, with `totalCount` and keyset
/// cursors; a decided seller leaves it.
#[tokio::test]
async fn the_review_queue_holds_applications_and_legal_changes_longest_waiting_first() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let first = app.pending_seller().await;
    let renewing = app.seller().await;
    let second = app.pending_seller().await;
    let res = app
        .as_(&renewing)
        .graphql(
            "mutation($s: ID!) { updateSellerApplication(input: { sellerId: $s, application: { halalCertificateNumber: \"ID35110000123450925\", halalExpiresOn: \"2031-01-31\" } }) { userErrors { field code } } }",
            json!({ "s": renewing.gid }),
        )
        .await;
    assert_eq!(res.user_errors(), vec![], "{res}");
    let queue = "query($after: String, $pending: Boolean, $status: VerificationStatus) { sellerApplications(first: 2, after: $after, pendingLegalChange: $pending, status: $status) { totalCount pageInfo { hasNextPage endCursor } edges { node { id pendingLegalChange { halalCertificateNumber } } } } }";
    let ids = |res: &crate::helpers::GqlResponse| -> Vec<String> {
        res.data()["sellerApplications"]["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["node"]["id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let page1 = app.as_(&admin).graphql(queue, json!({})).await;
    assert_eq!(
        page1.data()["sellerApplications"]["totalCount"],
        3,
        "{page1}"
    );
    assert_eq!(ids(&page1), vec![first.gid.clone(), second.gid.clone()]);
    let after = page1.data()["sellerApplications"]["pageInfo"]["endCursor"].clone();
    let page2 = app
        .as_(&admin)
        .graphql(queue, json!({ "after": after }))
        .await;
    assert_eq!(ids(&page2), vec![renewing.gid.clone()], "{page2}");
    assert_eq!(
        page2.data()["sellerApplications"]["edges"][0]["node"]["pendingLegalChange"]["halalCertificateNumber"],
        "ID35110000123450925"
    );
    assert_eq!(
        page2.data()["sellerApplications"]["pageInfo"]["hasNextPage"],
        false
    );

    // Only the legal changes; only one status.
    let changes = app
        .as_(&admin)
        .graphql(queue, json!({ "pending": true }))
        .await;
    assert_eq!(ids(&changes), vec![renewing.gid.clone()], "{changes}");
    let pending = app
        .as_(&admin)
        .graphql(queue, json!({ "status": "PENDING" }))
        .await;
    assert_eq!(
        pending.data()["sellerApplications"]["totalCount"],
        2,
        "{pending}"
    );

    // A decision takes the seller out of the queue.
    app.verify(&first).await;
    let page1 = app.as_(&admin).graphql(queue, json!({})).await;
    assert_eq!(
        page1.data()["sellerApplications"]["totalCount"],
        2,
        "{page1}"
    );
    assert_eq!(ids(&page1), vec![second.gid.clone(), renewing.gid.clone()]);

    // Sellers and buyers do not see the queue.
    let res = app.as_(&second).graphql(queue, json!({})).await;
    assert_eq!(res.error_code(), Some("FORBIDDEN"), "{res}");
}
