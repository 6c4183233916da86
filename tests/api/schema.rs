//! The committed `schema.graphql` is what the code prints; regenerate it with
//! `cargo run -- schema > schema.graphql`.

#[test]
fn committed_schema_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .unwrap_or_default();
    let printed = pasar_oleh::graphql::sdl();
    assert!(
        committed == printed,
        "schema.graphql is out of date: run `cargo run -- schema > schema.graphql` and commit it"
    );
}

#[test]
fn every_field_and_type_is_described() {
    let sdl = pasar_oleh::graphql::sdl();
    for must in [
        "Public products",
        "Opaque global ID",
        "whole Rupiah",
        "kecamatan",
    ] {
        assert!(sdl.contains(must), "missing description: {must}");
    }
}
