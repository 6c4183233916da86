//! The layering rules of docs/ARCHITECTURE.md, checked on the source: resolvers and loaders
//! reach the database only through services, and no role is checked outside the policy.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// (file:line, text) of every line under `dir` that `offends` flags, comments aside.
fn offending_lines(dir: &str, offends: impl Fn(&str) -> bool) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for file in rust_files(&root.join(dir)) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            if offends(code) {
                let name = file.strip_prefix(root).unwrap().display();
                found.push(format!("{name}:{}: {code}", n + 1));
            }
        }
    }
    found
}

#[test]
fn graphql_reaches_the_database_only_through_services() {
    let found = offending_lines("src/graphql", |code| {
        [
            "Entity::",
            "ActiveModel",
            "EntityTrait",
            "QueryFilter",
            "QuerySelect",
            ".exec(",
        ]
        .iter()
        .any(|p| code.contains(p))
            || (code.contains("sea_orm::") && !code.contains("sea_orm::DatabaseConnection"))
    });
    assert!(
        found.is_empty(),
        "database access under src/graphql:\n{}",
        found.join("\n")
    );
}

#[test]
fn roles_are_checked_only_in_the_policy() {
    let role_check = |code: &str| {
        [
            "is_admin ||",
            "|| user.is_admin",
            "!user.is_admin",
            "is_admin {",
            "_ids.contains(",
            "_ids.is_empty()",
            "matches!(caller",
            "manages_seller(",
        ]
        .iter()
        .any(|p| code.contains(p))
            || code
                .find("Caller::")
                .is_some_and(|at| code[at..].contains("=>"))
    };
    let mut found = Vec::new();
    for dir in [
        "src/graphql",
        "src/services",
        "src/http",
        "src/jobs",
        "src/infra",
    ] {
        found.extend(offending_lines(dir, role_check));
    }
    assert!(
        found.is_empty(),
        "role checks outside src/auth/policy.rs:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_instant_leaves_through_the_one_time_scalar() {
    // chrono's own scalar prints a precision that follows the value; `graphql::scalars::DateTime`
    // prints one shape (README, "Time format").
    let found = offending_lines("src/graphql", |code| {
        code.contains("DateTime<Utc>") || code.contains("DateTime<chrono::Utc>")
    })
    .into_iter()
    .filter(|line| !line.starts_with("src/graphql/scalars.rs"))
    .collect::<Vec<_>>();
    assert!(
        found.is_empty(),
        "a chrono DateTime in the GraphQL layer (use graphql::scalars::DateTime):\n{}",
        found.join("\n")
    );
}
