//! Control characters in text inputs are refused at the boundary, before anything runs.
//!
//! PostgreSQL cannot store NUL in `text` (a write failed as an internal error), and other control
//! characters in a name or code only hide text from people and confuse logs. Every string in a
//! request is checked, in variables and in literal arguments alike, whatever the field:
//! - NUL is refused everywhere;
//! - tab, line feed and carriage return are allowed in the multi-line fields ([`MULTI_LINE`]);
//! - every other control character (C0, DEL, C1) is refused everywhere.
//!
//! The refusal is a GraphQL error `BAD_USER_INPUT` whose `extensions.field` names the value: the
//! argument path for literals (`input.businessName`), the variable path for variables
//! (`input.businessName` for `$input`), with list positions as `[i]`.

use async_graphql::{
    Name, ServerError, ServerResult, Value, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery},
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};
use std::sync::Arc;

use crate::error::AppError;

/// Input fields holding free text that may span lines.
const MULTI_LINE: &[&str] = &["description", "address", "reason"];

/// Why a string is refused, or `None` when it is clean.
pub fn refusal_reason(field: &str, text: &str) -> Option<&'static str> {
    let multi_line = MULTI_LINE.contains(&field);
    text.chars().find_map(|c| match c {
        '\0' => Some("must not contain NUL characters"),
        '\n' | '\r' | '\t' if multi_line => None,
        c if c.is_control() => Some("must not contain control characters"),
        _ => None,
    })
}

/// The last named segment of a path ("input.openingHours[0].opens" → "opens").
fn leaf(path: &str) -> &str {
    let name = path.rsplit('.').next().unwrap_or(path);
    name.split('[').next().unwrap_or(name)
}

fn check_value(path: String, value: &Value) -> Result<(), AppError> {
    match value {
        Value::String(s) => match refusal_reason(leaf(&path), s) {
            Some(why) => Err(AppError::invalid(path, why)),
            None => Ok(()),
        },
        Value::Enum(_) | Value::Null | Value::Number(_) | Value::Boolean(_) | Value::Binary(_) => {
            Ok(())
        }
        Value::List(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| check_value(format!("{path}[{i}]"), v)),
        Value::Object(fields) => fields
            .iter()
            .try_for_each(|(k, v)| check_value(join(&path, k), v)),
    }
}

fn join(path: &str, name: &Name) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// An argument as written in the document: literals are checked where they stand, and a
/// variable's value is checked under the argument path it is used at (`input.businessName`,
/// whatever the variable is called).
fn check_argument(
    path: String,
    value: &async_graphql_value::Value,
    variables: &Variables,
) -> Result<(), AppError> {
    use async_graphql_value::Value as Arg;
    match value {
        Arg::Variable(name) => match variables.get(name) {
            Some(v) => check_value(path, v),
            None => Ok(()),
        },
        Arg::String(s) => match refusal_reason(leaf(&path), s) {
            Some(why) => Err(AppError::invalid(path, why)),
            None => Ok(()),
        },
        Arg::Enum(_) | Arg::Null | Arg::Number(_) | Arg::Boolean(_) | Arg::Binary(_) => Ok(()),
        Arg::List(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| check_argument(format!("{path}[{i}]"), v, variables)),
        Arg::Object(fields) => fields
            .iter()
            .try_for_each(|(k, v)| check_argument(join(&path, k), v, variables)),
    }
}

fn check_selection(
    set: &SelectionSet,
    variables: &Variables,
    depth: usize,
) -> Result<(), AppError> {
    // Validation bounds depth; this only stops a pathological document from recursing far.
    if depth > 64 {
        return Ok(());
    }
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                for (name, value) in &field.node.arguments {
                    check_argument(name.node.to_string(), &value.node, variables)?;
                }
                for directive in &field.node.directives {
                    for (name, value) in &directive.node.arguments {
                        check_argument(name.node.to_string(), &value.node, variables)?;
                    }
                }
                check_selection(&field.node.selection_set.node, variables, depth + 1)?;
            }
            Selection::InlineFragment(fragment) => {
                check_selection(&fragment.node.selection_set.node, variables, depth + 1)?
            }
            Selection::FragmentSpread(_) => {}
        }
    }
    Ok(())
}

/// Every string of a parsed document and its variables.
/// Variables are named by the argument they are passed to; a variable used nowhere, and default
/// values, by the variable's own name.
pub fn check(doc: &ExecutableDocument, variables: &Variables) -> Result<(), AppError> {
    for (_, op) in doc.operations.iter() {
        check_selection(&op.node.selection_set.node, variables, 0)?;
    }
    for fragment in doc.fragments.values() {
        check_selection(&fragment.node.selection_set.node, variables, 0)?;
    }
    for (_, op) in doc.operations.iter() {
        for var in &op.node.variable_definitions {
            if let Some(default) = &var.node.default_value {
                check_value(var.node.name.node.to_string(), &default.node)?;
            }
        }
    }
    for (name, value) in variables.iter() {
        check_value(name.to_string(), value)?;
    }
    Ok(())
}

/// The schema extension that applies [`check`] when a document is parsed.
pub struct TextHygiene;

impl ExtensionFactory for TextHygiene {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(TextHygieneExtension)
    }
}

struct TextHygieneExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for TextHygieneExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        check(&doc, variables).map_err(|err| {
            let mut server = ServerError::new(err.message(), None);
            server.extensions = async_graphql::Error::from(err).extensions;
            server
        })?;
        Ok(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_refused_everywhere_and_line_breaks_only_in_free_text() {
        assert!(refusal_reason("description", "a\0b").is_some());
        assert!(refusal_reason("description", "line one\r\nline two\twith a tab").is_none());
        assert!(refusal_reason("businessName", "Keripik\nTempe").is_some());
        assert!(refusal_reason("businessName", "Keripik \u{1b}[31m").is_some());
        assert!(refusal_reason("businessName", "Keripik \u{85}").is_some());
        assert!(refusal_reason("businessName", "Kripik Tempe Bu Ani — Ñ 🍘").is_none());
        assert_eq!(leaf("input.openingHours[0].opens"), "opens");
        assert_eq!(leaf("input"), "input");
    }
}
