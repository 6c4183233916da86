//! The search index: the terms each product is found under (its name, category, seller and
//! description, normalised by the application) and the vocabulary of all terms.
//!
//! `product_terms` answers "which products contain one of these terms" through its
//! `(term, product_id, weight)` index on both backends. `search_vocab` is the list of distinct
//! terms a query word is matched against for typos: on PostgreSQL through a trigram GIN index
//! (`term % $1`), on SQLite by a scan of the (small) vocabulary narrowed by length. The
//! application fills both in the transaction of every write (and rebuilds them at start when
//! they are missing), so no migration step fills them here. Terms are `text`, not `varchar`: the
//! trigram operator class of PostgreSQL serves `text` columns only.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ProductTerms {
    Table,
    ProductId,
    Term,
    Weight,
}

#[derive(DeriveIden)]
enum SearchVocab {
    Table,
    Term,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProductTerms::Table)
                    .col(uuid(ProductTerms::ProductId))
                    .col(text(ProductTerms::Term))
                    .col(integer(ProductTerms::Weight))
                    .primary_key(
                        Index::create()
                            .col(ProductTerms::ProductId)
                            .col(ProductTerms::Term),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ProductTerms::Table, ProductTerms::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_product_terms_term")
                    .table(ProductTerms::Table)
                    .col(ProductTerms::Term)
                    .col(ProductTerms::ProductId)
                    .col(ProductTerms::Weight)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SearchVocab::Table)
                    .col(text(SearchVocab::Term).primary_key())
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
            let conn = manager.get_connection();
            conn.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                .await?;
            conn.execute_unprepared(
                "CREATE INDEX idx_search_vocab_trgm ON search_vocab USING gin (term gin_trgm_ops)",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SearchVocab::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ProductTerms::Table).to_owned())
            .await
    }
}
