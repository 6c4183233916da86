//! The GraphiQL page (development only) and its Content-Security-Policy.
//!
//! The page loads React and GraphiQL from unpkg.com and starts them with one inline script. The
//! policy allows exactly that host and that inline script, by its SHA-256 hash computed from the
//! page itself, so a change of the page cannot silently widen it.

use std::sync::OnceLock;

use actix_web::{HttpResponse, http::header};
use async_graphql::http::GraphiQLSource;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The only host the page loads code and styles from.
const CDN: &str = "https://unpkg.com";

struct Page {
    html: String,
    csp: String,
}

fn build() -> Page {
    let html = GraphiQLSource::build()
        .endpoint("/graphql")
        .title("Pasar Oleh GraphQL")
        .finish();
    let scripts: Vec<String> = inline_blocks(&html, "<script>", "</script>")
        .map(|body| format!("'sha256-{}'", sha256_base64(body)))
        .collect();
    // GraphiQL sets style attributes from JavaScript, which hashes cannot allow; styles cannot
    // run code, so they get 'unsafe-inline' while scripts stay hash-only.
    let csp = format!(
        "default-src 'none'; script-src {CDN} {scripts}; style-src {CDN} 'unsafe-inline'; \
         font-src {CDN} data:; img-src https://graphql.org data:; connect-src 'self'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        scripts = scripts.join(" ")
    );
    Page { html, csp }
}

fn page_once() -> &'static Page {
    static PAGE: OnceLock<Page> = OnceLock::new();
    PAGE.get_or_init(build)
}

/// The contents of every `open`…`close` block (open tags without attributes only).
fn inline_blocks<'a>(
    html: &'a str,
    open: &'a str,
    close: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    html.split(open)
        .skip(1)
        .filter_map(move |rest| rest.split_once(close).map(|(body, _)| body))
}

fn sha256_base64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
}

/// The GraphiQL page with its policy. The caller decides whether it may be served.
pub fn page() -> HttpResponse {
    let page = page_once();
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, page.csp.as_str()))
        .body(page.html.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_the_inline_script_by_hash_and_nothing_else() {
        let page = build();
        let inline: Vec<_> = inline_blocks(&page.html, "<script>", "</script>").collect();
        assert_eq!(inline.len(), 1, "one inline script");
        assert!(
            page.csp
                .contains(&format!("'sha256-{}'", sha256_base64(inline[0])))
        );
        assert!(!page.csp.contains("script-src 'unsafe-inline'"));
        assert!(!page.csp.contains("'unsafe-eval'"));
        // Every external script the page loads comes from the allowed host.
        for src in page.html.split("src=\"").skip(1) {
            assert!(src.starts_with(CDN), "{src}");
        }
    }
}
