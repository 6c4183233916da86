//! Property tests: generated GraphQL documents and variables against the real schema, and random
//! bodies against `POST /graphql`. Whatever comes in, the answer is a client error at worst:
//! no panic, no INTERNAL_SERVER_ERROR, no 5xx, and an answer within a time bound.
//!
//! `PROPTEST_CASES` sets the number of cases per property (64 by default, so CI stays fast); a
//! failure prints the shrunk input.

use std::time::{Duration, Instant};

use proptest::{
    prelude::*,
    test_runner::{Config, TestCaseError, TestRunner},
};
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// What one case may take, far above any honest answer (a few milliseconds).
const BOUND: Duration = Duration::from_secs(10);

fn runner() -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    TestRunner::new(Config {
        cases,
        // Failures are reported with their shrunk input; nothing is written to the tree.
        failure_persistence: None,
        ..Config::default()
    })
}

/// Real field and argument names of the schema (account mutations that hash passwords left
/// out, to keep each case fast), plus a few that do not exist.
const NAMES: &[&str] = &[
    "products",
    "product",
    "sellers",
    "seller",
    "outlets",
    "outlet",
    "categories",
    "kecamatan",
    "node",
    "viewer",
    "kiosks",
    "sellerApplications",
    "edges",
    "nodes",
    "node",
    "cursor",
    "pageInfo",
    "hasNextPage",
    "endCursor",
    "totalCount",
    "id",
    "slug",
    "name",
    "businessName",
    "description",
    "price",
    "photos",
    "url",
    "stock",
    "availability",
    "statusHistory",
    "toStatus",
    "actor",
    "actorId",
    "children",
    "parent",
    "outlets",
    "openingHours",
    "village",
    "regency",
    "halalCertificate",
    "legal",
    "nib",
    "managedProducts",
    "roles",
    "__typename",
    "__schema",
    "types",
    "applyAsSeller",
    "createProduct",
    "setStock",
    "verifySeller",
    "userErrors",
    "field",
    "code",
    "bogus",
    "_",
    "edge",
];
const ARGS: &[&str] = &[
    "first",
    "after",
    "id",
    "slug",
    "code",
    "filter",
    "sort",
    "search",
    "status",
    "input",
    "regencyCode",
    "bogus",
];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => proptest::sample::select(NAMES).prop_map(String::from),
        1 => "[a-zA-Z_][a-zA-Z0-9_]{0,10}",
    ]
}

fn string_literal() -> impl Strategy<Value = String> {
    // JSON string escaping is a valid GraphQL string literal; includes controls and NUL.
    any::<String>().prop_map(|s| Value::String(s.chars().take(24).collect()).to_string())
}

fn arg_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i32>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| if f.is_finite() {
            format!("{f:?}")
        } else {
            "1.5".into()
        }),
        string_literal(),
        Just("null".to_string()),
        Just("true".to_string()),
        Just("$v".to_string()),
        Just("$n".to_string()),
        Just("$missing".to_string()),
        Just("NAME".to_string()),
        Just("PRICE_ASC".to_string()),
        Just("[1, \"a\", null]".to_string()),
        string_literal().prop_map(|s| format!("{{search: {s}, halalOnly: true, minPrice: -1}}")),
        string_literal().prop_map(|s| format!("{{sellerId: {s}, product: {{name: {s}}}}}")),
    ]
}

fn arguments() -> impl Strategy<Value = String> {
    proptest::collection::vec((proptest::sample::select(ARGS), arg_value()), 0..3).prop_map(
        |args| {
            if args.is_empty() {
                String::new()
            } else {
                let inner: Vec<String> = args.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("({})", inner.join(", "))
            }
        },
    )
}

fn field(inner: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (
        proptest::option::of("[a-z]{1,4}"),
        name(),
        arguments(),
        inner,
    )
        .prop_map(|(alias, name, args, inner)| {
            let alias = alias.map(|a| format!("{a}: ")).unwrap_or_default();
            format!("{alias}{name}{args}{inner}")
        })
}

/// A selection set: fields with arguments, aliases and nesting as deep as 10 levels.
fn selection() -> impl Strategy<Value = String> {
    let leaf = field(Just(String::new()));
    leaf.prop_recursive(10, 48, 4, |inner| {
        prop_oneof![
            3 => field(proptest::collection::vec(inner.clone(), 1..4)
                .prop_map(|items| format!(" {{ {} }}", items.join(" ")))),
            1 => proptest::collection::vec(inner, 1..3)
                .prop_map(|items| format!("... on Query {{ {} }}", items.join(" "))),
        ]
    })
}

fn document() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            4 => Just("query($v: String, $n: Int)"),
            1 => Just("mutation($v: String, $n: Int)"),
            1 => Just(""),
        ],
        proptest::collection::vec(selection(), 1..4),
    )
        .prop_map(|(op, items)| format!("{op} {{ {} }}", items.join(" ")))
}

/// Any JSON value, nested a few levels (strings include NUL and controls).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(if f.is_finite() { f } else { 0.5 })),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map("[a-zA-Z]{0,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn internal_errors(body: &Value) -> Vec<&Value> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter(|e| e["extensions"]["code"] == "INTERNAL_SERVER_ERROR")
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn generated_documents_never_fail_internally() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = rt.block_on(TestApp::in_process());
    let strategy = (document(), json_value(), json_value());
    runner()
        .run(&strategy, |(query, v, n)| {
            let started = Instant::now();
            let res = rt
                .block_on(async {
                    tokio::time::timeout(BOUND, app.graphql(&query, json!({ "v": v, "n": n })))
                        .await
                })
                .map_err(|_| TestCaseError::fail(format!("no answer within {BOUND:?}: {query}")))?;
            prop_assert!(res.status < 500, "{query} -> {res}");
            prop_assert!(internal_errors(&res.body).is_empty(), "{query} -> {res}");
            prop_assert!(started.elapsed() < BOUND);
            Ok(())
        })
        .unwrap();
}

/// A body for `POST /graphql`: raw bytes, arbitrary JSON, or request-shaped JSON with junk in it
/// (single requests and batches).
fn body() -> impl Strategy<Value = Vec<u8>> {
    let request = (
        prop_oneof![document(), any::<String>()],
        json_value(),
        proptest::option::of(any::<String>()),
    )
        .prop_map(|(query, variables, op)| {
            json!({ "query": query, "variables": variables, "operationName": op })
        })
        .boxed();
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        json_value().prop_map(|v| v.to_string().into_bytes()),
        request.clone().prop_map(|r| r.to_string().into_bytes()),
        proptest::collection::vec(request, 0..4)
            .prop_map(|batch| Value::from(batch).to_string().into_bytes()),
    ]
}

#[test]
fn random_bodies_over_http_never_get_a_5xx() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = rt.block_on(TestApp::spawn());
    runner()
        .run(&body(), |bytes| {
            let started = Instant::now();
            let shown = String::from_utf8_lossy(&bytes).into_owned();
            let (status, text) = rt
                .block_on(async {
                    tokio::time::timeout(BOUND, async {
                        let res = app
                            .http_post("/graphql")
                            .header("content-type", "application/json")
                            .body(bytes)
                            .send()
                            .await?;
                        let status = res.status().as_u16();
                        Ok::<_, reqwest::Error>((status, res.text().await?))
                    })
                    .await
                })
                .map_err(|_| TestCaseError::fail(format!("no answer within {BOUND:?}: {shown}")))?
                .map_err(|e| TestCaseError::fail(format!("transport error {e}: {shown}")))?;
            prop_assert!(status < 500, "{status} {text} for {shown}");
            if let Ok(body) = serde_json::from_str::<Value>(&text) {
                let bodies = match &body {
                    Value::Array(items) => items.iter().collect(),
                    one => vec![one],
                };
                for b in bodies {
                    prop_assert!(internal_errors(b).is_empty(), "{text} for {shown}");
                }
            }
            prop_assert!(started.elapsed() < BOUND);
            Ok(())
        })
        .unwrap();
}
