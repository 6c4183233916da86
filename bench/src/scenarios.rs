//! The scenarios: the operations a shopper's app and a kiosk send, over the benchmark dataset
//! (`pasar-oleh seed-bench`), each with the check its answers must pass.

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::http::{Conn, post_bytes};

pub const NAMES: &[&str] = &[
    "home", "home100", "detail", "search", "kiosk", "mix", "ceiling",
];

/// The home page: products with seller, kecamatan, category, photos and availability per
/// outlet (the README's `Beranda`, with the category).
pub const HOME: &str = "query Beranda($first: Int = 20, $after: String) {
  products(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id slug name price unitLabel halal featured
        seller { businessName verified kecamatan { name } }
        category { name }
        photos { url width height altText }
        availability { quantity inStock outlet { id code name } }
      }
    }
  }
}";

/// The product page by slug (the README's `Produk`).
const DETAIL: &str = "query Produk($slug: String!) {
  product(slug: $slug) {
    id name description price unitLabel netWeightGrams shelfLifeDays
    halal
    halalCertificate { expiresOn expired }
    category { name parent { name } }
    seller {
      businessName category
      kecamatan { name regency { name } }
      village { name }
      outlets(first: 20) { totalCount nodes { code name } }
    }
    photos { url width height altText contentType position }
    availability { quantity inStock outlet { code name openingHours { weekday opens closes } } }
    totalStock
    slug
  }
}";

/// A text search over the whole catalogue.
const SEARCH: &str = "query Cari($q: String!) {
  products(first: 20, filter: { search: $q }) {
    totalCount
    edges { node { id slug name price halal seller { businessName } photos { url } } }
  }
}";

/// A kiosk's grid: its outlet with the products in stock there (the README's `Kios`).
const KIOSK: &str = "query Kios($code: String!, $after: String) {
  outlet(code: $code) {
    id name restArea status openNow nextOpening
    location { latitude longitude }
    openingHours { weekday opens closes }
    todayHours { opens closes }
    sellers(first: 100) { totalCount nodes { businessName } }
    products(first: 50, after: $after, sort: NAME) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id name price photos { url } availability { quantity outlet { code } } }
    }
  }
}";

const SET_STOCK: &str = "mutation BenchSetStock($input: SetStockInput!) {
  setStock(input: $input) { stock { quantity } userErrors { field code message } }
}";

const SET_PRICE: &str = "mutation BenchSetPrice($input: UpdateProductInput!) {
  updateProduct(input: $input) { product { id price } userErrors { field code message } }
}";

/// One request of a scenario and what its answer must hold: `marker` exactly `count` times.
pub struct Request {
    pub name: &'static str,
    pub bytes: Vec<u8>,
    marker: &'static [u8],
    count: usize,
    /// For a page whose size depends on the dataset (a search, an outlet's grid): the path to
    /// its connection and its `first`. `prepare` reads `totalCount` once and expects
    /// `min(first, totalCount)` items (at least one) from then on.
    page: Option<(&'static [&'static str], usize)>,
}

fn occurrences(haystack: &[u8], needle: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i + needle.len() <= haystack.len() {
        if &haystack[i..i + needle.len()] == needle {
            n += 1;
            i += needle.len();
        } else {
            i += 1;
        }
    }
    n
}

impl Request {
    /// Status 200, no `errors` member, and the expected number of items. (The first answer of
    /// each request is also parsed as JSON in `prepare`.)
    pub fn check(&self, status: u16, body: &[u8]) -> Result<(), String> {
        if status != 200 {
            return Err(format!("status {status}: {}", preview(body)));
        }
        if occurrences(body, b"\"errors\":") > 0 {
            return Err(format!("errors: {}", preview(body)));
        }
        let n = occurrences(body, self.marker);
        if n != self.count {
            return Err(format!(
                "expected {} × {}, found {n}: {}",
                self.count,
                String::from_utf8_lossy(self.marker),
                preview(body)
            ));
        }
        Ok(())
    }
}

fn preview(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned()
}

pub struct Prepared {
    pub requests: Vec<Request>,
    /// The first request's answer.
    pub sample: Vec<u8>,
}

async fn call(
    conn: &mut Conn,
    query: &str,
    variables: Value,
    auth: Option<&str>,
) -> anyhow::Result<Value> {
    let body = serde_json::to_vec(&json!({ "query": query, "variables": variables }))?;
    let (status, answer) = conn.post(&body, auth).await?;
    let value: Value = serde_json::from_slice(&answer)
        .with_context(|| format!("status {status}: {}", preview(&answer)))?;
    if status != 200 || value.get("errors").is_some() {
        bail!("status {status}: {value}");
    }
    Ok(value)
}

fn request(
    host: &str,
    name: &'static str,
    query: &str,
    variables: Value,
    auth: Option<&str>,
    marker: &'static [u8],
    count: usize,
) -> anyhow::Result<Request> {
    let body = serde_json::to_vec(&json!({ "query": query, "variables": variables }))?;
    Ok(Request {
        name,
        bytes: post_bytes(host, &body, auth),
        marker,
        count,
        page: None,
    })
}

impl Request {
    fn page_at(mut self, path: &'static [&'static str], first: usize) -> Self {
        self.page = Some((path, first));
        self
    }
}

/// Builds a scenario's requests, reading what they need (slugs, ids, a token) from the server
/// first, and checks one answer of each through a full JSON parse.
pub async fn prepare(
    scenario: &str,
    host: &str,
    admin: Option<(String, String)>,
) -> anyhow::Result<Prepared> {
    let mut conn = Conn::connect(host).await?;
    let mut requests: Vec<Request> = match scenario {
        // The ceiling answers the home page's bytes to every request.
        "home" | "ceiling" => vec![request(
            host,
            "Beranda",
            HOME,
            json!({ "first": 20 }),
            None,
            b"\"slug\":",
            20,
        )?],
        "home100" => vec![request(
            host,
            "Beranda",
            HOME,
            json!({ "first": 100 }),
            None,
            b"\"slug\":",
            100,
        )?],
        "detail" => {
            let page = call(&mut conn, HOME, json!({ "first": 100 }), None).await?;
            slugs(&page)?
                .into_iter()
                .map(|slug| {
                    request(
                        host,
                        "Produk",
                        DETAIL,
                        json!({ "slug": slug }),
                        None,
                        b"\"slug\":",
                        1,
                    )
                })
                .collect::<anyhow::Result<_>>()?
        }
        "search" => ["keripik mangga", "dodol", "sambal", "batik tulis"]
            .into_iter()
            .map(|q| {
                request(
                    host,
                    "Cari",
                    SEARCH,
                    json!({ "q": q }),
                    None,
                    b"\"slug\":",
                    20,
                )
                .map(|r| r.page_at(&["products"], 20))
            })
            .collect::<anyhow::Result<_>>()?,
        "kiosk" => (1..=4)
            .map(|i| {
                request(
                    host,
                    "Kios",
                    KIOSK,
                    json!({ "code": format!("BNC-K{i:02}") }),
                    None,
                    b"\"price\":",
                    50,
                )
                .map(|r| r.page_at(&["outlet", "products"], 50))
            })
            .collect::<anyhow::Result<_>>()?,
        "mix" => mix(&mut conn, host, admin).await?,
        other => bail!("unknown scenario {other:?}; one of {}", NAMES.join(", ")),
    };
    anyhow::ensure!(!requests.is_empty(), "the scenario has no request");
    // One full parse of each request's answer (and the same check the run applies).
    let mut sample = Vec::new();
    for (i, r) in requests.iter_mut().enumerate() {
        if r.name.starts_with("Bench") {
            continue;
        }
        let (status, body) = conn.post_raw(&r.bytes).await?;
        let value: Value = serde_json::from_slice(&body)
            .with_context(|| format!("{}: not JSON: {}", r.name, preview(&body)))?;
        anyhow::ensure!(value.get("data").is_some(), "{}: no data: {value}", r.name);
        if let Some((path, first)) = r.page {
            let conn = path.iter().fold(&value["data"], |v, key| &v[*key]);
            let total = conn["totalCount"]
                .as_u64()
                .with_context(|| format!("{}: no totalCount: {value}", r.name))?;
            r.count = first.min(total as usize);
            anyhow::ensure!(r.count > 0, "{}: the page is empty: {value}", r.name);
        }
        r.check(status, &body)
            .map_err(|why| anyhow::anyhow!("{}: {why}", r.name))?;
        if i == 0 {
            sample = body;
        }
    }
    Ok(Prepared { requests, sample })
}

fn slugs(page: &Value) -> anyhow::Result<Vec<String>> {
    let edges = page["data"]["products"]["edges"]
        .as_array()
        .context("no products")?;
    Ok(edges
        .iter()
        .filter_map(|e| e["node"]["slug"].as_str().map(str::to_string))
        .collect())
}

/// 95 reads of the home page to 5 writes (stock and price changes by an administrator on the
/// products the home page shows), interleaved.
async fn mix(
    conn: &mut Conn,
    host: &str,
    admin: Option<(String, String)>,
) -> anyhow::Result<Vec<Request>> {
    let (identifier, password) = admin.context("the mix scenario needs --admin ID:PASSWORD")?;
    let login = call(
        conn,
        "mutation($i: LoginInput!) { login(input: $i) { tokens { accessToken } userErrors { message } } }",
        json!({ "i": { "identifier": identifier, "password": password } }),
        None,
    )
    .await?;
    let token = login["data"]["login"]["tokens"]["accessToken"]
        .as_str()
        .with_context(|| format!("login failed: {login}"))?;
    let auth = format!("Bearer {token}");
    let page = call(conn, HOME, json!({ "first": 100 }), None).await?;
    let edges = page["data"]["products"]["edges"]
        .as_array()
        .context("no products")?;
    let mut writes = Vec::new();
    for (i, e) in edges.iter().enumerate() {
        let node = &e["node"];
        let product_id = node["id"].as_str().context("product id")?;
        let price = node["price"].as_i64().context("price")?;
        if i % 2 == 0 {
            let Some(outlet_id) = node["availability"][0]["outlet"]["id"].as_str() else {
                continue;
            };
            writes.push(request(
                host,
                "BenchSetStock",
                SET_STOCK,
                json!({ "input": { "outletId": outlet_id, "productId": product_id, "quantity": 10 + i } }),
                Some(&auth),
                b"\"userErrors\":[]",
                1,
            )?);
        } else {
            writes.push(request(
                host,
                "BenchSetPrice",
                SET_PRICE,
                json!({ "input": { "productId": product_id, "product": { "price": price + 500 } } }),
                Some(&auth),
                b"\"userErrors\":[]",
                1,
            )?);
        }
        if writes.len() == 20 {
            break;
        }
    }
    anyhow::ensure!(!writes.is_empty(), "no product to write to");
    // Every twentieth request writes (5 %); the 19 between read the home page.
    let mut requests = Vec::new();
    for write in writes {
        for _ in 0..19 {
            requests.push(request(
                host,
                "Beranda",
                HOME,
                json!({ "first": 20 }),
                None,
                b"\"slug\":",
                20,
            )?);
        }
        requests.push(write);
    }
    Ok(requests)
}
