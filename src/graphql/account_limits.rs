//! At most one account operation (`register`, `login`, `refreshToken`) per HTTP request.
//!
//! Each of them hashes a password or writes a session, and aliases let one document name the
//! same field thousands of times (a batch multiplies that by ten). Counting happens on the
//! parsed documents before anything executes, through fragments too, so the whole request is
//! refused up front instead of after the first thousand hashes.

use std::collections::HashSet;

use async_graphql::parser::{
    parse_query,
    types::{DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet},
};

use crate::error::{AppError, AppResult};

/// Root mutation fields that cost a password hash or a session write.
pub const ACCOUNT_FIELDS: [&str; 3] = ["register", "login", "refreshToken"];

/// How many account operations one HTTP request (a document or a batch) may hold.
pub const MAX_ACCOUNT_OPERATIONS: usize = 1;

/// Refuses a request whose documents hold more than one account operation in all.
pub fn check(requests: &[async_graphql::Request]) -> AppResult<()> {
    let total: usize = requests.iter().map(|r| count(&r.query)).sum();
    if total > MAX_ACCOUNT_OPERATIONS {
        return Err(AppError::TooManyAccountOperations(MAX_ACCOUNT_OPERATIONS));
    }
    Ok(())
}

/// Account fields at the root of every mutation of a document. A document that does not parse
/// counts 0: execution refuses it anyway.
fn count(query: &str) -> usize {
    let Ok(doc) = parse_query(query) else {
        return 0;
    };
    let operations: Vec<_> = match &doc.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => ops.values().collect(),
    };
    operations
        .into_iter()
        .filter(|op| op.node.ty == OperationType::Mutation)
        .map(|op| count_set(&doc, &op.node.selection_set.node, &mut HashSet::new()))
        .sum()
}

/// Each fragment counts once per operation: spreading it twice gives identical fields, which
/// GraphQL merges into one execution (and a cycle cannot loop).
fn count_set<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
    seen: &mut HashSet<&'a str>,
) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                usize::from(ACCOUNT_FIELDS.contains(&field.node.name.node.as_str()))
            }
            Selection::InlineFragment(inline) => {
                count_set(doc, &inline.node.selection_set.node, seen)
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                match doc.fragments.get(&spread.node.fragment_name.node) {
                    Some(fragment) if seen.insert(name) => {
                        count_set(doc, &fragment.node.selection_set.node, seen)
                    }
                    _ => 0,
                }
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_aliases_fragments_and_mutations_only() {
        assert_eq!(
            count("mutation { a: login(input: {}) { x } b: login(input: {}) { x } }"),
            2
        );
        assert_eq!(count("{ login { x } }"), 0);
        assert_eq!(
            count(
                "mutation { ...f ...f ... on M { register { x } } } fragment f on M { refreshToken { x } }"
            ),
            2
        );
        assert_eq!(
            count("mutation { ...f } fragment f on M { ...f logout { ok } }"),
            0
        );
        assert_eq!(count("not graphql"), 0);
    }
}
