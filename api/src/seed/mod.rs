//! Demo catalog generation: a realistic, deterministic catalog (the same data on every run)
//! of any size, written in batched inserts in one unit of work.

mod catalog_plan;
mod collections;
pub mod content;

use catalog_plan::{ADJECTIVES, BRANDS, CATEGORIES, Goods, MATERIALS, ORIGINS};
use chrono::{DateTime, Duration, DurationRound, Utc};
use entities::enums::ProductStatus;
use entities::json::{NameValue, NameValueList, StringList};
use entities::{
    category, collection, collection_product, menu, menu_item, page, product, product_image,
    product_price_range, product_variant, stock_level, variant_price, warehouse,
};
use schema::unit_of_work::Writer;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityName,
    EntityTrait, IntoActiveModel, PaginatorTrait,
};
use std::collections::HashMap;
use uuid::Uuid;

pub const DEFAULT_PRODUCTS: usize = 240;

/// Rows per INSERT: well under SQLite's and PostgreSQL's bind-parameter limits.
const BATCH: usize = 500;

/// What a seed run created.
#[derive(Debug, Default, Clone, Copy)]
pub struct SeedSummary {
    pub categories: usize,
    pub products: usize,
    pub variants: usize,
    pub warehouses: usize,
    pub collections: usize,
}

pub async fn catalog_is_empty(db: &DatabaseConnection) -> anyhow::Result<bool> {
    Ok(product::Entity::find().count(db).await? == 0
        && category::Entity::find().count(db).await? == 0)
}

/// Rows to insert, collected first so they can be written in large batches.
#[derive(Default)]
struct Rows {
    categories: Vec<category::Model>,
    warehouses: Vec<warehouse::Model>,
    products: Vec<product::Model>,
    images: Vec<product_image::Model>,
    variants: Vec<product_variant::Model>,
    prices: Vec<variant_price::Model>,
    ranges: Vec<product_price_range::Model>,
    stock: Vec<stock_level::Model>,
    content: content::ContentRows,
    collections: Vec<collection::Model>,
    collection_products: Vec<collection_product::Model>,
}

/// Generates `products` products (3 variants each) in 7 leaf categories under 3 roots, with
/// prices in USD and EUR, stock in 2 warehouses and 5 collections, plus the storefront's
/// header and footer menus and two pages (`content`), and writes them in one unit of work.
pub async fn seed_demo_catalog(writer: &Writer, products: usize) -> anyhow::Result<SeedSummary> {
    let rows = generate(products);
    let summary = SeedSummary {
        categories: rows.categories.len(),
        products: rows.products.len(),
        variants: rows.variants.len(),
        warehouses: rows.warehouses.len(),
        collections: rows.collections.len(),
    };
    let write = writer.begin().await?;
    let txn = write.txn();
    insert_all(txn, rows.categories).await?;
    insert_all(txn, rows.warehouses).await?;
    insert_all(txn, rows.products).await?;
    insert_all(txn, rows.images).await?;
    insert_all(txn, rows.variants).await?;
    insert_all(txn, rows.prices).await?;
    insert_all(txn, rows.ranges).await?;
    insert_all(txn, rows.stock).await?;
    insert_all(txn, rows.content.pages).await?;
    insert_all(txn, rows.content.menus).await?;
    // Parents before children: each batch's parents are in it or an earlier one.
    insert_all(txn, rows.content.items).await?;
    insert_all(txn, rows.collections).await?;
    insert_all(txn, rows.collection_products).await?;
    // No catalog events: an empty search index is filled from the catalog at start
    // (`rebuild::fill_if_empty`).
    write.commit().await?;
    Ok(summary)
}

/// Gives PostgreSQL statistics and visibility maps for the tables the seed filled; without
/// them it misjudges every catalog query and cannot use index-only scans (a count becomes a
/// sequential scan) until autovacuum gets round to it.
///
/// Only those tables: an `ANALYZE` of a table that is empty records it as empty, and
/// PostgreSQL then plans it as such — a sequential scan is cheapest over no rows — in every
/// generic plan a pooled connection caches for its prepared statements, until autovacuum
/// analyses the table again. Left never analysed, a table is assumed to hold at least ten
/// pages, so carts', orders' and their lines' lookups keep their indexes from the first
/// order on. Nothing to do on SQLite (its planner needs no statistics for these queries).
pub async fn analyse_seeded_tables(db: &DatabaseConnection) -> anyhow::Result<()> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    let tables = [
        category::Entity.table_name(),
        warehouse::Entity.table_name(),
        product::Entity.table_name(),
        product_image::Entity.table_name(),
        product_variant::Entity.table_name(),
        variant_price::Entity.table_name(),
        product_price_range::Entity.table_name(),
        stock_level::Entity.table_name(),
        page::Entity.table_name(),
        menu::Entity.table_name(),
        menu_item::Entity.table_name(),
        collection::Entity.table_name(),
        collection_product::Entity.table_name(),
    ];
    let quoted: Vec<String> = tables.iter().map(|t| format!("\"{t}\"")).collect();
    db.execute_unprepared(&format!("VACUUM ANALYZE {}", quoted.join(", ")))
        .await?;
    Ok(())
}

async fn insert_all<M, A>(db: &impl ConnectionTrait, models: Vec<M>) -> anyhow::Result<()>
where
    M: IntoActiveModel<A>,
    A: ActiveModelTrait + Send,
{
    let mut models = models.into_iter().peekable();
    while models.peek().is_some() {
        let batch: Vec<A> = models
            .by_ref()
            .take(BATCH)
            .map(IntoActiveModel::into_active_model)
            .collect();
        A::Entity::insert_many(batch)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Timestamps are kept at microsecond precision, what PostgreSQL stores, so that values
/// read back compare equal to the ones written (keyset cursors rely on it).
fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(Duration::microseconds(1)).unwrap_or(at)
}

fn generate(product_count: usize) -> Rows {
    let mut rng = fastrand::Rng::with_seed(0x5409_0001);
    let now = micros(Utc::now());
    let mut rows = Rows::default();

    let mut by_slug: HashMap<&str, (Uuid, String)> = HashMap::new();
    for (position, seed) in CATEGORIES.iter().enumerate() {
        let id = Uuid::now_v7();
        let parent = seed.parent.and_then(|p| by_slug.get(p)).cloned();
        let path = format!(
            "{}{id}/",
            parent.as_ref().map_or("", |(_, path)| path.as_str())
        );
        by_slug.insert(seed.slug, (id, path.clone()));
        rows.categories.push(category::Model {
            id,
            parent_id: parent.map(|(id, _)| id),
            slug: seed.slug.into(),
            name: seed.name.into(),
            description: Some(format!("Everything in {}.", seed.name)),
            path,
            position: position as i32,
            created_at: now,
            updated_at: now,
        });
    }
    rows.content = content::generate(&rows.categories, now);
    let leaves: Vec<(Uuid, Goods)> = CATEGORIES
        .iter()
        .filter_map(|c| Some((by_slug.get(c.slug)?.0, c.goods?)))
        .collect();

    let warehouses = [
        ("US-WEST", "Reno fulfilment centre", 1),
        ("EU-CENTRAL", "Amsterdam warehouse", 2),
    ];
    for (code, name, priority) in warehouses {
        rows.warehouses.push(warehouse::Model {
            id: Uuid::now_v7(),
            code: code.into(),
            name: name.into(),
            priority,
            created_at: now,
        });
    }

    for n in 0..product_count {
        let (category_id, goods) = leaves[n % leaves.len()];
        add_product(&mut rows, &mut rng, n, category_id, goods, now);
    }
    let slug_of: HashMap<Uuid, &'static str> = CATEGORIES
        .iter()
        .filter_map(|c| Some((by_slug.get(c.slug)?.0, c.slug)))
        .collect();
    let category_of = |p: &product::Model| p.category_id.and_then(|c| slug_of.get(&c).copied());
    for seeded in collections::collections(&rows.products, category_of, now) {
        rows.collections.push(seeded.collection);
        rows.collection_products.extend(seeded.members);
    }
    rows
}

fn pick<'a>(rng: &mut fastrand::Rng, words: &[&'a str]) -> &'a str {
    words[rng.usize(..words.len())]
}

fn add_product(
    rows: &mut Rows,
    rng: &mut fastrand::Rng,
    n: usize,
    category_id: Uuid,
    goods: Goods,
    now: DateTime<Utc>,
) {
    let adjective = pick(rng, ADJECTIVES);
    let material = pick(rng, MATERIALS);
    let noun = pick(rng, goods.nouns);
    let name = format!("{adjective} {material} {noun}");
    let slug = format!(
        "{}-{}",
        name.to_lowercase()
            .replace(['&', ' '], "-")
            .replace("--", "-"),
        n + 1
    );
    let brand = pick(rng, BRANDS);
    // Mostly ACTIVE, with a few drafts and archived products so visibility rules matter.
    let status = match n % 40 {
        17 => ProductStatus::Draft,
        33 => ProductStatus::Archived,
        _ => ProductStatus::Active,
    };
    let created_at = micros(now - Duration::minutes(rng.i64(0..525_600)));
    let id = Uuid::now_v7();
    rows.products.push(product::Model {
        id,
        category_id: Some(category_id),
        slug: slug.clone(),
        name: name.clone(),
        description: Some(format!(
            "The {name} by {brand}: {material_l} made to last, designed for every day.",
            material_l = material.to_lowercase()
        )),
        brand: Some(brand.into()),
        status,
        attributes: NameValueList(vec![
            NameValue {
                name: "Material".into(),
                value: material.into(),
            },
            NameValue {
                name: "Origin".into(),
                value: pick(rng, ORIGINS).into(),
            },
        ]),
        popularity: rng.i32(0..1000),
        tags: StringList(vec![material.to_lowercase()]),
        description_html: None,
        seo_title: None,
        seo_description: None,
        units_sold: 0,
        created_at,
        updated_at: created_at,
    });
    for position in 0..2 {
        rows.images.push(product_image::Model {
            id: Uuid::now_v7(),
            product_id: id,
            url: format!(
                "https://images.example.com/products/{slug}-{}.jpg",
                position + 1
            ),
            alt_text: Some(format!("{name}, view {}", position + 1)),
            width: Some(1200),
            height: Some(1200),
            position,
        });
    }

    // Prices end in .99 (or ,90 in EUR); bigger sizes cost a little more.
    let base_usd = (rng.i64(goods.price_cents.0..goods.price_cents.1) / 100) * 100 + 99;
    let on_sale = n.is_multiple_of(5);
    let sold_out = n % 12 == 5;
    let mut range: HashMap<&str, (i64, i64)> = HashMap::new();
    for (position, value) in goods.option_values.iter().enumerate() {
        let variant_id = Uuid::now_v7();
        rows.variants.push(product_variant::Model {
            id: variant_id,
            product_id: id,
            sku: format!("SG-{:06}-{}", n + 1, value.to_uppercase()),
            name: (*value).into(),
            options: NameValueList(vec![NameValue {
                name: goods.option_name.into(),
                value: (*value).into(),
            }]),
            position: position as i32,
            low_stock_threshold: None,
            created_at,
            updated_at: created_at,
        });
        let usd = base_usd + 200 * position as i64;
        let eur = (usd * 92 / 100) / 10 * 10;
        for (currency, amount) in [("USD", usd), ("EUR", eur)] {
            rows.prices.push(variant_price::Model {
                variant_id,
                currency_code: currency.into(),
                amount,
                compare_at_amount: on_sale.then_some(amount * 5 / 4),
            });
            let entry = range.entry(currency).or_insert((amount, amount));
            entry.0 = entry.0.min(amount);
            entry.1 = entry.1.max(amount);
        }
        for warehouse in &rows.warehouses {
            let on_hand = if sold_out { 0 } else { rng.i32(0..60) };
            rows.stock.push(stock_level::Model {
                variant_id,
                warehouse_id: warehouse.id,
                on_hand,
                allocated: 0,
                updated_at: created_at,
            });
        }
    }
    for (currency, (min_amount, max_amount)) in range {
        rows.ranges.push(product_price_range::Model {
            product_id: id,
            currency_code: currency.into(),
            min_amount,
            max_amount,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_the_promised_demo_catalog() {
        let rows = generate(DEFAULT_PRODUCTS);
        assert_eq!(rows.categories.len(), 10);
        assert_eq!(rows.warehouses.len(), 2);
        assert!(rows.products.len() >= 200);
        assert_eq!(rows.variants.len(), rows.products.len() * 3);
        assert_eq!(rows.prices.len(), rows.variants.len() * 2);
        assert_eq!(rows.stock.len(), rows.variants.len() * 2);
        assert_eq!(rows.collections.len(), 5);
        let members = |handle: &str| {
            let id = rows
                .collections
                .iter()
                .find(|c| c.handle == handle)
                .map(|c| c.id);
            rows.collection_products
                .iter()
                .filter(|m| Some(m.collection_id) == id)
                .count()
        };
        assert_eq!(members("hidden-homepage-featured-items"), 3);
        assert!(members("hidden-homepage-carousel") >= 6);
        assert!(members("footwear-edit") > 0 && members("kitchen-essentials") > 0);
        let slugs: std::collections::HashSet<_> = rows.products.iter().map(|p| &p.slug).collect();
        assert_eq!(slugs.len(), rows.products.len(), "slugs are unique");
        let skus: std::collections::HashSet<_> = rows.variants.iter().map(|v| &v.sku).collect();
        assert_eq!(skus.len(), rows.variants.len(), "SKUs are unique");
    }
}
