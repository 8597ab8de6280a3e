//! The bench's two storefront queries, verbatim: their statement counts are pinned, and the
//! figures they show are checked on data that a join dropping, repeating or mixing up rows
//! would get wrong.

use e2e::{Backend, TestServer, e2e};
use entities::enums::ProductStatus;
use entities::{
    category, product, product_price_range, product_variant, stock_level, variant_price, warehouse,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

/// The storefront grid exactly as the bench asks for it: mirrors `QUERY` in
/// bench/src/scenarios/listing.rs (the bench is a separate crate; keep the two equal).
const BENCH_LISTING: &str = "query($first:Int!,$currency:CurrencyCode){ products(first:$first,currency:$currency){ totalCount pageInfo{hasNextPage endCursor} nodes{ id slug name brand availableForSale images{url altText width height} priceRange{ minVariantPrice{amount currencyCode} maxVariantPrice{amount currencyCode} } variants{ id sku price{amount currencyCode} quantityAvailable availableForSale } } } }";

/// The product page exactly as the bench asks for it: mirrors `QUERY` in
/// bench/src/scenarios/detail.rs.
const BENCH_DETAIL: &str = "query($slug:String!){ product(slug:$slug){ id slug name description brand attributes{name value} images{url altText width height} category{id slug name parent{slug name}} availableForSale totalAvailable priceRange{minVariantPrice{amount currencyCode} maxVariantPrice{amount currencyCode}} variants{id sku name selectedOptions{name value} price{amount currencyCode} compareAtPrice{amount currencyCode} quantityAvailable availableForSale} } }";

/// Two products whose figures a join that drops, repeats or mixes up rows would get wrong.
struct Offers {
    /// Three variants: prices in USD and EUR (the second variant in USD only), stock in two
    /// warehouses with units allocated, the second variant without any stock row.
    slug: String,
    skus: Vec<String>,
    category_id: Uuid,
    /// Products the public sees.
    active: u64,
    /// Every unit of every variant allocated: nothing to sell.
    sold_out_slug: String,
}

async fn set_up_offers(server: &TestServer) -> anyhow::Result<Offers> {
    let db = &server.app.app.db;
    let mut products = product::Entity::find()
        .filter(product::Column::Status.eq(ProductStatus::Active))
        .order_by_asc(product::Column::Id)
        .limit(2)
        .all(db)
        .await?;
    let (sold_out, priced) = (products.pop().unwrap(), products.pop().unwrap());
    let variants = product_variant::Entity::find()
        .filter(product_variant::Column::ProductId.eq(priced.id))
        .order_by_asc(product_variant::Column::Position)
        .all(db)
        .await?;
    assert_eq!(
        variants.len(),
        3,
        "the demo catalog has three variants per product"
    );
    let warehouses = warehouse::Entity::find()
        .order_by_asc(warehouse::Column::Priority)
        .all(db)
        .await?;
    assert_eq!(warehouses.len(), 2);
    let ids: Vec<Uuid> = variants.iter().map(|v| v.id).collect();

    variant_price::Entity::delete_many()
        .filter(variant_price::Column::VariantId.is_in(ids.clone()))
        .exec(db)
        .await?;
    let price = |v: usize, currency: &str, amount: i64, compare_at: Option<i64>| {
        variant_price::ActiveModel {
            variant_id: Set(ids[v]),
            currency_code: Set(currency.into()),
            amount: Set(amount),
            compare_at_amount: Set(compare_at),
        }
    };
    variant_price::Entity::insert_many([
        price(0, "USD", 2500, Some(3000)),
        price(0, "EUR", 2300, None),
        price(1, "USD", 1999, None),
        price(2, "USD", 3100, None),
        price(2, "EUR", 2900, Some(3500)),
    ])
    .exec_without_returning(db)
    .await?;
    // What the catalog service keeps in product_price_ranges for these prices.
    product_price_range::Entity::delete_many()
        .filter(product_price_range::Column::ProductId.eq(priced.id))
        .exec(db)
        .await?;
    let range = |currency: &str, min: i64, max: i64| product_price_range::ActiveModel {
        product_id: Set(priced.id),
        currency_code: Set(currency.into()),
        min_amount: Set(min),
        max_amount: Set(max),
    };
    product_price_range::Entity::insert_many([range("USD", 1999, 3100), range("EUR", 2300, 2900)])
        .exec_without_returning(db)
        .await?;

    stock_level::Entity::delete_many()
        .filter(stock_level::Column::VariantId.is_in(ids.clone()))
        .exec(db)
        .await?;
    let stock = |v: usize, w: usize, on_hand: i32, allocated: i32| stock_level::ActiveModel {
        variant_id: Set(ids[v]),
        warehouse_id: Set(warehouses[w].id),
        on_hand: Set(on_hand),
        allocated: Set(allocated),
        updated_at: Set(chrono::Utc::now()),
    };
    // Available: 7 + 0 for the first variant, none for the second, 4 for the third.
    stock_level::Entity::insert_many([stock(0, 0, 10, 3), stock(0, 1, 5, 5), stock(2, 1, 4, 0)])
        .exec_without_returning(db)
        .await?;

    let sold_out_variants = product_variant::Entity::find()
        .select_only()
        .column(product_variant::Column::Id)
        .filter(product_variant::Column::ProductId.eq(sold_out.id))
        .into_tuple::<Uuid>()
        .all(db)
        .await?;
    stock_level::Entity::update_many()
        .col_expr(stock_level::Column::OnHand, Expr::value(2))
        .col_expr(stock_level::Column::Allocated, Expr::value(2))
        .filter(stock_level::Column::VariantId.is_in(sold_out_variants))
        .exec(db)
        .await?;

    let active = product::Entity::find()
        .filter(product::Column::Status.eq(ProductStatus::Active))
        .count(db)
        .await?;
    Ok(Offers {
        category_id: priced.category_id.unwrap(),
        active,
        slug: priced.slug,
        skus: variants.into_iter().map(|v| v.sku).collect(),
        sold_out_slug: sold_out.slug,
    })
}

fn node<'a>(products: &'a Value, slug: &str) -> &'a Value {
    products["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["slug"] == slug)
        .unwrap_or_else(|| panic!("{slug} is not on the page: {products}"))
}

/// The bench's listing costs four statements — products, their count, images, and variants
/// with their prices and stock — and shows the right prices and stock in either currency.
async fn bench_listing_costs_at_most_four_statements(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 30).await?;
    let offers = set_up_offers(&server).await?;

    let usd = server
        .graphql(BENCH_LISTING, json!({ "first": 24, "currency": "USD" }))
        .await?;
    let products = &usd.data()["products"];
    assert_eq!(products["nodes"].as_array().unwrap().len(), 24);
    assert_eq!(products["totalCount"], offers.active);
    assert_eq!(products["pageInfo"]["hasNextPage"], true);
    let priced = node(products, &offers.slug);
    assert_eq!(priced["availableForSale"], true);
    assert_eq!(priced["images"].as_array().unwrap().len(), 2);
    assert_eq!(
        priced["priceRange"],
        json!({
            "minVariantPrice": { "amount": "19.99", "currencyCode": "USD" },
            "maxVariantPrice": { "amount": "31.00", "currencyCode": "USD" },
        })
    );
    let shown: Vec<Value> = priced["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            json!([
                v["sku"],
                v["price"],
                v["quantityAvailable"],
                v["availableForSale"]
            ])
        })
        .collect();
    let usd_price = |amount: &str| json!({ "amount": amount, "currencyCode": "USD" });
    assert_eq!(
        shown,
        [
            json!([offers.skus[0], usd_price("25.00"), 7, true]),
            json!([offers.skus[1], usd_price("19.99"), 0, false]),
            json!([offers.skus[2], usd_price("31.00"), 4, true]),
        ]
    );
    let sold_out = node(products, &offers.sold_out_slug);
    assert_eq!(sold_out["availableForSale"], false);
    for variant in sold_out["variants"].as_array().unwrap() {
        assert_eq!(variant["quantityAvailable"], 0, "{variant}");
        assert_eq!(variant["availableForSale"], false, "{variant}");
    }

    let eur = server
        .graphql(BENCH_LISTING, json!({ "first": 24, "currency": "EUR" }))
        .await?;
    let priced = node(&eur.data()["products"], &offers.slug);
    assert_eq!(
        priced["priceRange"],
        json!({
            "minVariantPrice": { "amount": "23.00", "currencyCode": "EUR" },
            "maxVariantPrice": { "amount": "29.00", "currencyCode": "EUR" },
        })
    );
    let prices: Vec<&Value> = priced["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["price"]["amount"])
        .collect();
    assert_eq!(prices, [&json!("23.00"), &Value::Null, &json!("29.00")]);
    let quantities: Vec<&Value> = priced["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["quantityAvailable"])
        .collect();
    assert_eq!(quantities, [&json!(7), &json!(0), &json!(4)]);

    let small = server
        .graphql(BENCH_LISTING, json!({ "first": 3, "currency": "USD" }))
        .await?;
    let counts = [usd, eur, small].map(|r| r.sql_statements.unwrap());
    eprintln!("bench listing: {counts:?} statements (24 USD, 24 EUR, 3 USD)");
    assert!(
        counts.iter().all(|n| *n == counts[0]),
        "the statements depend on the page: {counts:?}"
    );
    assert!(
        counts[0] <= 4,
        "the bench listing took {} statements",
        counts[0]
    );
    server.stop().await
}
e2e!(bench_listing_costs_at_most_four_statements);

/// The bench's product page costs at most two statements — the product with its category,
/// the category's parent and its images, and the variants with their prices and stock — with
/// the right figures.
async fn bench_product_page_costs_at_most_two_statements(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 30).await?;
    let offers = set_up_offers(&server).await?;
    let db = &server.app.app.db;

    let page = server
        .graphql(BENCH_DETAIL, json!({ "slug": offers.slug }))
        .await?;
    let product = &page.data()["product"];
    assert_eq!(product["slug"], offers.slug.as_str());
    assert_eq!(product["availableForSale"], true);
    assert_eq!(product["totalAvailable"], 11);
    assert_eq!(product["images"].as_array().unwrap().len(), 2);
    assert_eq!(product["attributes"].as_array().unwrap().len(), 2);
    assert_eq!(
        product["priceRange"],
        json!({
            "minVariantPrice": { "amount": "19.99", "currencyCode": "USD" },
            "maxVariantPrice": { "amount": "31.00", "currencyCode": "USD" },
        })
    );
    let variants = product["variants"].as_array().unwrap();
    let skus: Vec<&str> = variants
        .iter()
        .map(|v| v["sku"].as_str().unwrap())
        .collect();
    assert_eq!(skus, offers.skus);
    let figures: Vec<Value> = variants
        .iter()
        .map(|v| {
            json!([
                v["price"]["amount"],
                v["compareAtPrice"],
                v["quantityAvailable"],
                v["availableForSale"]
            ])
        })
        .collect();
    assert_eq!(
        figures,
        [
            json!(["25.00", { "amount": "30.00", "currencyCode": "USD" }, 7, true]),
            json!(["19.99", null, 0, false]),
            // Its compare-at price is in EUR only.
            json!(["31.00", null, 4, true]),
        ]
    );
    assert_eq!(variants[0]["selectedOptions"].as_array().unwrap().len(), 1);

    let category = category::Entity::find_by_id(offers.category_id)
        .one(db)
        .await?
        .unwrap();
    let parent = category::Entity::find_by_id(category.parent_id.unwrap())
        .one(db)
        .await?
        .unwrap();
    assert_eq!(
        product["category"],
        json!({
            "id": category.id.to_string(),
            "slug": category.slug,
            "name": category.name,
            "parent": { "slug": parent.slug, "name": parent.name },
        })
    );

    let sold_out = server
        .graphql(BENCH_DETAIL, json!({ "slug": offers.sold_out_slug }))
        .await?;
    let product = &sold_out.data()["product"];
    assert_eq!(product["availableForSale"], false);
    assert_eq!(product["totalAvailable"], 0);

    let counts = [page, sold_out].map(|r| r.sql_statements.unwrap());
    eprintln!("bench product page: {counts:?} statements");
    assert_eq!(counts[0], counts[1]);
    assert!(
        counts[0] <= 2,
        "the bench product page took {} statements",
        counts[0]
    );
    server.stop().await
}
e2e!(bench_product_page_costs_at_most_two_statements);
