//! The client contract of the catalogue: the private views of a seller's own catalogue load
//! whatever its members may see, drafts open by id and slug for those who manage them, and an
//! error never leaves a non-null key out of the answer.

use serde_json::{Value, json};

use crate::helpers::{NewProduct, TestApp, UserError};

const PRODUCT_FIELDS: &str =
    "id slug status halal halalCertificate { expired } seller { id verificationStatus }";

/// Every key the selection asks for is present in `value` (null only where allowed).
fn assert_keys(value: &Value, keys: &[&str]) {
    for key in keys {
        assert!(
            value.get(*key).is_some_and(|v| !v.is_null()),
            "{key} missing or null in {value}"
        );
    }
}

#[tokio::test]
async fn a_pending_seller_creates_a_product_and_reads_it_back_whole() {
    let app = TestApp::in_process().await;
    let pending = app.pending_seller().await;
    let res = app
        .as_(&pending)
        .graphql(
            &format!(
                "mutation($s: ID!, $p: ProductInput!) {{ createProduct(input: {{ sellerId: $s, product: $p }}) {{ product {{ {PRODUCT_FIELDS} }} userErrors {{ field code }} }} }}"
            ),
            json!({ "s": pending.gid, "p": {
                "categoryId": crate::helpers::category_id("keripik"), "name": "Keripik Tempe Uji",
                "description": "Renyah.", "price": 12000, "unitLabel": "pak", "halal": false
            } }),
        )
        .await;
    let product = &res.data()["createProduct"]["product"];
    assert_keys(product, &["id", "slug", "status", "halal", "seller"]);
    assert_eq!(product["halal"], false, "{res}");
    assert_eq!(product["seller"]["id"], pending.gid.as_str());
    assert_eq!(product["seller"]["verificationStatus"], "PENDING");
    assert_eq!(res.user_errors(), Vec::<UserError>::new());
}

#[tokio::test]
async fn managed_products_of_a_pending_seller_and_drafts_of_a_verified_one_load() {
    let app = TestApp::in_process().await;
    let pending = app.pending_seller().await;
    let verified = app.seller().await;
    app.draft_product(&pending, NewProduct::default()).await;
    app.draft_product(&verified, NewProduct::default()).await;
    app.product(&verified, NewProduct::default()).await;
    let admin = app.admin().await;
    for (who, seller, n) in [
        (&pending.owner, &pending, 1),
        (&verified.owner, &verified, 2),
        (&admin, &pending, 1),
        (&admin, &verified, 2),
    ] {
        let res = app
            .as_(who)
            .graphql(
                &format!(
                    "query($s: ID!) {{ seller(id: $s) {{ managedProducts(first: 10) {{ totalCount nodes {{ {PRODUCT_FIELDS} }} }} }} }}"
                ),
                json!({ "s": seller.gid }),
            )
            .await;
        let conn = &res.data()["seller"]["managedProducts"];
        assert_eq!(conn["totalCount"], n, "{res}");
        for node in conn["nodes"].as_array().unwrap() {
            assert_keys(node, &["id", "slug", "status", "halal", "seller"]);
            assert_eq!(node["seller"]["id"], seller.gid.as_str());
        }
    }
}
