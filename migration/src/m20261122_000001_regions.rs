//! Reference tables of East Java's administrative regions (Kemendagri codes), loaded from the
//! ODbL data shipped in `assets/regions` (see its README for attribution).

use sea_orm_migration::{prelude::*, schema::*};

const REGENCIES: &str = include_str!("../../assets/regions/regencies.csv");
const DISTRICTS: &str = include_str!("../../assets/regions/districts.csv");
const VILLAGES: &str = include_str!("../../assets/regions/villages.csv");

/// Rows per INSERT: three parameters each keeps every statement far below SQLite's and
/// PostgreSQL's bind-parameter limits.
const BATCH: usize = 500;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum Regencies {
    Table,
    Code,
    ProvinceCode,
    Name,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Districts {
    Table,
    Code,
    RegencyCode,
    Name,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Villages {
    Table,
    Code,
    DistrictCode,
    Name,
}

/// Splits `code,parent,name` lines on the first two commas. The source uses `"` as an
/// apostrophe inside names (`Soka"an`), so it is not RFC 4180 CSV.
fn rows(csv: &str) -> impl Iterator<Item = (&str, &str, &str)> {
    csv.lines().skip(1).filter_map(|line| {
        let mut parts = line.trim_end_matches('\r').splitn(3, ',');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(a), Some(b), Some(c)) if !a.is_empty() => Some((a, b, c)),
            _ => None,
        }
    })
}

async fn load<T: IntoIden + Copy + 'static>(
    manager: &SchemaManager<'_>,
    table: T,
    columns: [T; 3],
    csv: &str,
    title_case: bool,
) -> Result<(), DbErr> {
    let all: Vec<_> = rows(csv).collect();
    for chunk in all.chunks(BATCH) {
        let mut insert = Query::insert();
        insert.into_table(table).columns(columns);
        for (code, parent, name) in chunk {
            let name = if title_case {
                regency_name(name)
            } else {
                String::from(*name)
            };
            insert.values_panic([(*code).into(), (*parent).into(), name.into()]);
        }
        manager.exec_stmt(insert).await?;
    }
    Ok(())
}

/// "KABUPATEN PROBOLINGGO" -> "Kabupaten Probolinggo": the source writes regencies in capitals
/// and districts and villages in title case; the API shows them alike.
fn regency_name(raw: &str) -> String {
    raw.split(' ')
        .map(|word| {
            let lower = word.to_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Regencies::Table)
                    .col(string_len(Regencies::Code, 13).primary_key())
                    .col(string_len(Regencies::ProvinceCode, 2))
                    .col(string(Regencies::Name))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Districts::Table)
                    .col(string_len(Districts::Code, 13).primary_key())
                    .col(string_len(Districts::RegencyCode, 13))
                    .col(string(Districts::Name))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Districts::Table, Districts::RegencyCode)
                            .to(Regencies::Table, Regencies::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Villages::Table)
                    .col(string_len(Villages::Code, 13).primary_key())
                    .col(string_len(Villages::DistrictCode, 13))
                    .col(string(Villages::Name))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Villages::Table, Villages::DistrictCode)
                            .to(Districts::Table, Districts::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_districts_regency")
                    .table(Districts::Table)
                    .col(Districts::RegencyCode)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_villages_district")
                    .table(Villages::Table)
                    .col(Villages::DistrictCode)
                    .to_owned(),
            )
            .await?;

        load(
            manager,
            Regencies::Table,
            [Regencies::Code, Regencies::ProvinceCode, Regencies::Name],
            REGENCIES,
            true,
        )
        .await?;
        load(
            manager,
            Districts::Table,
            [Districts::Code, Districts::RegencyCode, Districts::Name],
            DISTRICTS,
            false,
        )
        .await?;
        load(
            manager,
            Villages::Table,
            [Villages::Code, Villages::DistrictCode, Villages::Name],
            VILLAGES,
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Villages::Table.into_iden(),
            Districts::Table.into_iden(),
            Regencies::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_with_quote_apostrophes() {
        let parsed: Vec<_> =
            rows("code,district_code,name\n35.13.15.2017,35.13.15,Soka\"an\n").collect();
        assert_eq!(parsed, vec![("35.13.15.2017", "35.13.15", "Soka\"an")]);
    }

    #[test]
    fn title_cases_regency_names() {
        assert_eq!(
            regency_name("KABUPATEN PROBOLINGGO"),
            "Kabupaten Probolinggo"
        );
    }

    #[test]
    fn ships_all_of_east_java() {
        assert_eq!(rows(REGENCIES).count(), 38);
        assert_eq!(rows(DISTRICTS).count(), 666);
        assert_eq!(rows(VILLAGES).count(), 8494);
    }
}
