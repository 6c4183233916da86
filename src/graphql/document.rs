//! GraphQL documents as text: the normal form that cache keys and the trusted-documents
//! manifest compare, and the SHA-256 that persisted queries name a document by.

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};

/// The lower-case hex SHA-256 of the document's exact text (Apollo's persisted-query hash).
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The document without comments, commas or layout: tokens separated by one space only where
/// two names or numbers would otherwise run together. Two documents that differ only in
/// formatting normalise to the same text; string contents are kept as they are.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    // A separator seen since the last token.
    let mut gap = false;
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                for next in chars.by_ref() {
                    if next == '\n' || next == '\r' {
                        break;
                    }
                }
                gap = true;
            }
            c if c.is_whitespace() || c == ',' || c == '\u{feff}' => gap = true,
            '"' => {
                push_gap(&mut out, gap, '"');
                gap = false;
                out.push('"');
                // Block string `"""…"""` or a plain string with escapes.
                if chars.peek() == Some(&'"') {
                    chars.next();
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        out.push_str("\"\"");
                        let mut quotes = 0;
                        for next in chars.by_ref() {
                            out.push(next);
                            quotes = if next == '"' { quotes + 1 } else { 0 };
                            if quotes == 3 {
                                break;
                            }
                        }
                    } else {
                        out.push('"');
                    }
                    continue;
                }
                let mut escaped = false;
                for next in chars.by_ref() {
                    out.push(next);
                    if escaped {
                        escaped = false;
                    } else if next == '\\' {
                        escaped = true;
                    } else if next == '"' {
                        break;
                    }
                }
            }
            c => {
                push_gap(&mut out, gap, c);
                gap = false;
                out.push(c);
            }
        }
    }
    out
}

/// A space between two tokens only when both sides are word characters (names, numbers,
/// variables, directives, `...` before a name is punctuation already).
fn push_gap(out: &mut String, gap: bool, next: char) {
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$' || c == '@' || c == '"';
    if gap && out.chars().last().is_some_and(word) && word(next) {
        out.push(' ');
    }
}

/// The documents a production deployment accepts (trusted-documents mode): by the SHA-256 of
/// their text, and by their normal form (so a client may send the text itself).
#[derive(Debug, Default)]
pub struct TrustedDocuments {
    by_hash: HashMap<String, String>,
    normalised: HashSet<String>,
}

impl TrustedDocuments {
    /// Reads a manifest: a JSON object of SHA-256 hex → document (`pasar-oleh trusted-documents`).
    pub fn load(path: &std::path::Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("TRUSTED_DOCUMENTS_FILE {}: {e}", path.display()))?;
        let map: HashMap<String, String> = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "TRUSTED_DOCUMENTS_FILE {} is not a JSON object of hash to document: {e}",
                path.display()
            )
        })?;
        Ok(Self::from_documents(map.into_values()))
    }

    pub fn from_documents(documents: impl IntoIterator<Item = String>) -> Self {
        let mut me = TrustedDocuments::default();
        for document in documents {
            me.normalised.insert(normalise(&document));
            me.by_hash.insert(sha256_hex(&document), document);
        }
        me
    }

    /// The document registered under `hash`.
    pub fn by_hash(&self, hash: &str) -> Option<&str> {
        self.by_hash.get(hash).map(String::as_str)
    }

    /// Whether `document` is registered (compared in normal form).
    pub fn contains(&self, document: &str) -> bool {
        self.normalised.contains(&normalise(document))
    }

    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }
}

/// The trusted-documents manifest of a folder of client documents (`clients/`): every
/// `*.graphql` file below it, one operation each, as a JSON object of SHA-256 → text, sorted.
pub fn manifest_of(
    dir: &std::path::Path,
) -> std::io::Result<std::collections::BTreeMap<String, String>> {
    let mut manifest = std::collections::BTreeMap::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "graphql") {
                let text = std::fs::read_to_string(&path)?;
                manifest.insert(sha256_hex(&text), text);
            }
        }
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_and_comments_do_not_matter() {
        let a = "# the home page\nquery Home($first: Int = 20) {\n  products(first: $first) { edges { node { id name } } }\n}\n";
        let b = "query Home($first:Int=20){products(first:$first){edges{node{id,name}}}}";
        assert_eq!(normalise(a), normalise(b));
        assert_eq!(
            normalise(b),
            "query Home($first:Int=20){products(first:$first){edges{node{id name}}}}"
        );
    }

    #[test]
    fn strings_keep_their_contents() {
        assert_eq!(
            normalise(r#"{ products(filter: { search: "kopi  #1, \"luwak\"" }) { totalCount } }"#),
            r#"{products(filter:{search:"kopi  #1, \"luwak\""}){totalCount}}"#
        );
        assert_ne!(
            normalise(r#"{ a(s: "x y") }"#),
            normalise(r#"{ a(s: "x  y") }"#)
        );
        assert_eq!(
            normalise(r#"{ a(s: """ x , y """) b }"#),
            r#"{a(s:""" x , y """)b}"#
        );
    }

    #[test]
    fn the_hash_is_apollos() {
        assert_eq!(
            sha256_hex("{__typename}"),
            "ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38"
        );
    }
}
