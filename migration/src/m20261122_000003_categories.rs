//! The initial category tree. Categories are reference data every deployment needs (production
//! included), so they ship as a migration rather than with the demo catalogue. IDs are fixed
//! so that every database agrees on them.

use sea_orm_migration::prelude::*;

use crate::m20261122_000002_catalogue::Categories;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (slug, parent slug, name, is food, description)
pub const TREE: &[(&str, Option<&str>, &str, bool, &str)] = &[
    (
        "makanan-minuman",
        None,
        "Makanan & Minuman",
        true,
        "Olahan pangan khas daerah: camilan, manisan, sambal, minuman.",
    ),
    (
        "keripik",
        Some("makanan-minuman"),
        "Keripik & Kerupuk",
        true,
        "Keripik buah dan umbi, kerupuk ikan dan udang, rengginang, emping.",
    ),
    (
        "dodol-jenang",
        Some("makanan-minuman"),
        "Dodol & Jenang",
        true,
        "Dodol mangga, jenang dan wajik.",
    ),
    (
        "sambal",
        Some("makanan-minuman"),
        "Sambal & Bumbu",
        true,
        "Sambal kemasan, petis dan bumbu masak.",
    ),
    (
        "kue-kering",
        Some("makanan-minuman"),
        "Kue Kering",
        true,
        "Kue kering, kue bawang dan jajanan toples.",
    ),
    (
        "minuman",
        Some("makanan-minuman"),
        "Minuman",
        true,
        "Kopi, sirup buah, jamu dan minuman serbuk.",
    ),
    (
        "manisan",
        Some("makanan-minuman"),
        "Manisan & Olahan Buah",
        true,
        "Manisan, selai dan olahan mangga serta anggur.",
    ),
    (
        "olahan-ikan",
        Some("makanan-minuman"),
        "Olahan Ikan & Terasi",
        true,
        "Terasi, ikan asin dan olahan hasil laut pesisir.",
    ),
    (
        "batik-bordir",
        None,
        "Batik & Bordir",
        false,
        "Batik tulis, batik cap dan bordir khas Probolinggo.",
    ),
    (
        "batik-tulis",
        Some("batik-bordir"),
        "Batik Tulis",
        false,
        "Batik yang dilukis tangan dengan canting.",
    ),
    (
        "batik-cap",
        Some("batik-bordir"),
        "Batik Cap",
        false,
        "Batik dengan cap tembaga.",
    ),
    (
        "bordir",
        Some("batik-bordir"),
        "Bordir",
        false,
        "Kerudung, mukena dan kain bordir.",
    ),
    (
        "kerajinan",
        None,
        "Kerajinan",
        false,
        "Kerajinan tangan dari bahan lokal.",
    ),
    (
        "anyaman",
        Some("kerajinan"),
        "Anyaman",
        false,
        "Anyaman bambu, pandan dan rotan.",
    ),
    (
        "kayu",
        Some("kerajinan"),
        "Kerajinan Kayu",
        false,
        "Ukiran, topeng dan perabot kecil dari kayu.",
    ),
    (
        "gerabah",
        Some("kerajinan"),
        "Gerabah",
        false,
        "Gerabah dan keramik tanah liat.",
    ),
    (
        "fashion",
        None,
        "Fashion",
        false,
        "Pakaian dan aksesoris khas daerah.",
    ),
    (
        "pakaian",
        Some("fashion"),
        "Pakaian",
        false,
        "Kaos, kemeja dan busana khas.",
    ),
    (
        "aksesoris",
        Some("fashion"),
        "Aksesoris",
        false,
        "Gantungan kunci, tas kecil dan aksesoris.",
    ),
];

/// A stable id per slug (UUID v5 in a project namespace), so seeds and tests can refer to them.
pub fn category_id(slug: &str) -> sea_orm::prelude::Uuid {
    const NAMESPACE: sea_orm::prelude::Uuid =
        sea_orm::prelude::Uuid::from_u128(0x5a0e_1e00_0000_4000_8000_7061_7361_7230);
    sea_orm::prelude::Uuid::new_v5(&NAMESPACE, slug.as_bytes())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut insert = Query::insert();
        insert.into_table(Categories::Table).columns([
            Categories::Id,
            Categories::ParentId,
            Categories::Slug,
            Categories::Name,
            Categories::Description,
            Categories::IsFood,
            Categories::Position,
        ]);
        for (position, (slug, parent, name, is_food, description)) in TREE.iter().enumerate() {
            insert.values_panic([
                category_id(slug).into(),
                parent.map(category_id).into(),
                (*slug).into(),
                (*name).into(),
                (*description).into(),
                (*is_food).into(),
                (position as i32).into(),
            ]);
        }
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(Query::delete().from_table(Categories::Table).to_owned())
            .await
    }
}
