//! Field errors propagate to the nearest nullable parent, as the GraphQL specification requires.
//!
//! async-graphql 7.2 adds the error of a failed field to the response and then leaves the
//! field's key out of its parent object (`do_resolve_container` drops it), whatever the field's
//! type. A client generated from the schema then meets an object without a key its type says is
//! always there (`Product.halal: Boolean!`), and crashes or silently reads `undefined`. This
//! extension restores the rule: a failed nullable field answers `null`; a failed non-null field
//! makes its parent object (or list item) `null`, and so on up to the first nullable position, or
//! `data: null` when there is none.
//!
//! It works on the values as they come back up: every field that fails is recorded with its path
//! and nullability; every field, when its own value is complete, repairs the failures directly
//! below it (its children, or its list items' children) and, if it has to become null itself and
//! may not, records itself as failed for its own parent. Nothing is recorded in the common case
//! of a response without errors, so the cost is one atomic load per field.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicBool, Ordering},
};

use async_graphql::{
    Name, Response, ServerResult, Value,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextResolve, ResolveInfo,
    },
};

/// The schema extension; see the module documentation.
pub struct NullPropagation;

impl ExtensionFactory for NullPropagation {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Propagator::default())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Name(String),
    Index(usize),
}

/// A field whose value is missing from its parent: it failed, or a failure below it made it null
/// while its type does not allow null.
#[derive(Debug)]
struct Failed {
    path: Vec<Seg>,
    nullable: bool,
}

/// One per executed request.
#[derive(Default)]
struct Propagator {
    any: AtomicBool,
    failed: Mutex<Vec<Failed>>,
}

fn path_of(node: &async_graphql::QueryPathNode<'_>) -> Vec<Seg> {
    let mut path: Vec<Seg> = std::iter::once(node)
        .chain(node.parents())
        .map(|n| match n.segment {
            async_graphql::QueryPathSegment::Name(name) => Seg::Name(name.to_string()),
            async_graphql::QueryPathSegment::Index(i) => Seg::Index(i),
        })
        .collect();
    path.reverse();
    path
}

/// `T!` → (`T`, false); `T` → (`T`, true).
fn nullability(ty: &str) -> (&str, bool) {
    match ty.strip_suffix('!') {
        Some(inner) => (inner, false),
        None => (ty, true),
    }
}

/// The item type of a list type (`[T!]!` → `T!`), if it is one.
fn item_type(ty: &str) -> Option<&str> {
    let (inner, _) = nullability(ty);
    inner.strip_prefix('[')?.strip_suffix(']')
}

/// Repairs one failure found `rel` below a field of type `ty` whose value is `value`. Returns
/// true when the field's value as a whole must become null.
fn repair(value: &mut Value, ty: &str, rel: &[Seg], nullable_leaf: bool) -> bool {
    match rel {
        // A list item that had to become null (items pass through the extension too).
        [] => true,
        [Seg::Name(key)] => {
            if nullable_leaf {
                if let Value::Object(map) = value {
                    map.insert(Name::new(key), Value::Null);
                }
                false
            } else {
                true
            }
        }
        [Seg::Index(i), rest @ ..] => {
            let Some(item_ty) = item_type(ty) else {
                return false;
            };
            let Value::List(items) = value else {
                return false;
            };
            let Some(item) = items.get_mut(*i) else {
                return false;
            };
            if repair(item, item_ty, rest, nullable_leaf) {
                if nullability(item_ty).1 {
                    *item = Value::Null;
                    false
                } else {
                    true
                }
            } else {
                false
            }
        }
        _ => false,
    }
}

impl Propagator {
    fn record(&self, failed: Failed) {
        if let Ok(mut list) = self.failed.lock() {
            list.push(failed);
            self.any.store(true, Ordering::Release);
        }
    }

    /// Takes the failures strictly below `path`.
    fn take_below(&self, path: &[Seg]) -> Vec<Failed> {
        let Ok(mut list) = self.failed.lock() else {
            return Vec::new();
        };
        let (below, rest): (Vec<Failed>, Vec<Failed>) = list
            .drain(..)
            .partition(|f| f.path.len() > path.len() && f.path.starts_with(path));
        *list = rest;
        below
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for Propagator {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let ty = info.return_type.to_string();
        let path_node = *info.path_node;
        let result = next.run(ctx, info).await;
        let failed_here = result.is_err();
        if !failed_here && !self.any.load(Ordering::Acquire) {
            return result;
        }
        let path = path_of(&path_node);
        let below = self.take_below(&path);
        let (_, nullable) = nullability(&ty);
        let mut value = match result {
            Err(err) => {
                self.record(Failed { path, nullable });
                return Err(err);
            }
            Ok(value) => value,
        };
        let mut null_here = false;
        if let Some(v) = value.as_mut() {
            for f in below {
                null_here |= repair(v, &ty, &f.path[path.len()..], f.nullable);
            }
        }
        if !null_here {
            return Ok(value);
        }
        if !nullable {
            // Our parent decides; the null below is never seen.
            self.record(Failed {
                path,
                nullable: false,
            });
        }
        Ok(Some(Value::Null))
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        if !self.any.load(Ordering::Acquire) {
            return response;
        }
        for f in self.take_below(&[]) {
            if let [Seg::Name(key)] = f.path.as_slice() {
                if f.nullable {
                    if let Value::Object(map) = &mut response.data {
                        map.insert(Name::new(key), Value::Null);
                    }
                } else {
                    response.data = Value::Null;
                    break;
                }
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};
    use serde_json::json;

    use super::*;

    struct Query;
    struct Item(i32);

    #[Object]
    impl Item {
        async fn ok(&self) -> i32 {
            self.0
        }
        async fn bad(&self) -> async_graphql::Result<i32> {
            if self.0 == 2 {
                Err("broken".into())
            } else {
                Ok(self.0)
            }
        }
        async fn maybe(&self) -> async_graphql::Result<Option<i32>> {
            Err("broken".into())
        }
    }

    #[Object]
    impl Query {
        async fn item(&self, n: i32) -> Option<Item> {
            Some(Item(n))
        }
        async fn strict(&self) -> Item {
            Item(2)
        }
        async fn items(&self) -> Vec<Item> {
            vec![Item(1), Item(2)]
        }
        async fn loose(&self) -> Vec<Option<Item>> {
            vec![Some(Item(1)), Some(Item(2))]
        }
    }

    async fn run(query: &str) -> serde_json::Value {
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
            .extension(NullPropagation)
            .finish();
        let res = schema.execute(query).await;
        assert!(!res.errors.is_empty(), "{query} should fail somewhere");
        serde_json::to_value(&res.data).unwrap()
    }

    #[tokio::test]
    async fn a_failed_non_null_field_nulls_its_nullable_parent() {
        assert_eq!(
            run("{ a: item(n: 2) { ok bad } b: item(n: 1) { ok bad } }").await,
            json!({ "a": null, "b": { "ok": 1, "bad": 1 } })
        );
    }

    #[tokio::test]
    async fn a_failed_nullable_field_answers_null() {
        assert_eq!(
            run("{ item(n: 1) { ok maybe } }").await,
            json!({ "item": { "ok": 1, "maybe": null } })
        );
    }

    #[tokio::test]
    async fn non_null_items_null_the_list_and_nullable_items_only_themselves() {
        assert_eq!(
            run("{ a: item(n: 1) { ok } loose { ok bad } }").await,
            json!({ "a": { "ok": 1 }, "loose": [{ "ok": 1, "bad": 1 }, null] })
        );
        // `items: [Item!]!` and `strict: Item!` have no nullable position up to the root.
        assert_eq!(
            run("{ a: item(n: 1) { ok } items { bad } }").await,
            json!(null)
        );
        assert_eq!(run("{ strict { bad } }").await, json!(null));
    }
}
