//! The migrations apply, map onto the entities (JSON columns and enums round-trip), enforce
//! their constraints, and roll back cleanly, on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use entities::enums::{CartStatus, DiscountKind, ProductStatus};
use entities::json::{
    MailingAddress, NameValue, NameValueList, ShippingPrice, ShippingPriceList, StringList,
};
use entities::{
    cart, category, discount, outbox, product, product_variant, sequence, shipping_method,
    shipping_zone, stock_level, variant_price, warehouse,
};
use migration::{Migrator, MigratorTrait};
use sea_orm::sea_query::{ColumnType, Expr, StringLen};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectOptions, ConnectionTrait, Database,
    DatabaseConnection, DbBackend, DbErr, EntityTrait, ExprTrait, IdenStatic, IntoActiveModel,
    Iterable, ModelTrait, PaginatorTrait, QueryFilter, Statement,
};
use std::collections::BTreeSet;
use uuid::Uuid;

#[tokio::test]
async fn migrations_work_on_sqlite() {
    // Every connection to `sqlite::memory:` is a separate database: keep exactly one.
    let mut options = ConnectOptions::new("sqlite::memory:");
    options.max_connections(1).sqlx_logging(false);
    let db = Database::connect(options).await.unwrap();
    exercise(&db).await;
}

#[tokio::test]
async fn migrations_work_on_postgres() {
    let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
        // In CI a skipped PostgreSQL run would hide a broken backend.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but TEST_DATABASE_URL is not"
        );
        eprintln!("TEST_DATABASE_URL is not set: skipping the PostgreSQL run");
        return;
    };
    let admin = Database::connect(url.as_str()).await.unwrap();
    let name = format!("shopgraph_mig_{}", Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();

    // Run in a task so that a failed assertion still reaches the DROP below.
    let db_url = with_database(&url, &name);
    let outcome = tokio::spawn(async move {
        let db = Database::connect(db_url.as_str()).await.unwrap();
        exercise(&db).await;
        db.close().await.unwrap();
    })
    .await;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
}

async fn exercise(db: &DatabaseConnection) {
    Migrator::up(db, None).await.unwrap();
    assert!(
        Migrator::get_pending_migrations(db)
            .await
            .unwrap()
            .is_empty()
    );
    let counter = sequence::Entity::find_by_id("order_number")
        .one(db)
        .await
        .unwrap();
    assert_eq!(
        counter.map(|c| c.value),
        Some(1000),
        "the order number counter is seeded"
    );

    entities_match_tables(db).await;
    staff_roles_become_memberships(db).await;
    product_content_is_backfilled(db).await;
    let catalog = insert_catalog(db).await;
    constraints_hold(db, &catalog).await;
    other_json_columns_round_trip(db).await;

    // Reversible: everything goes, and comes back empty (but seeded).
    Migrator::down(db, None).await.unwrap();
    assert_eq!(
        Migrator::get_pending_migrations(db).await.unwrap().len(),
        Migrator::migrations().len()
    );
    assert!(
        product::Entity::find().all(db).await.is_err(),
        "tables are dropped"
    );
    Migrator::up(db, None).await.unwrap();
    assert_eq!(product::Entity::find().count(db).await.unwrap(), 0);
    assert_eq!(sequence::Entity::find().count(db).await.unwrap(), 1);
}

/// Every entity's columns exist in its table with the same nullability and varchar length.
async fn entities_match_tables(db: &DatabaseConnection) {
    use entities::prelude::*;
    matches_table(db, AuditEvent).await;
    matches_table(db, StorefrontToken).await;
    matches_table(db, Category).await;
    matches_table(db, Collection).await;
    matches_table(db, CollectionProduct).await;
    matches_table(db, Product).await;
    matches_table(db, ProductImage).await;
    matches_table(db, ProductVariant).await;
    matches_table(db, VariantPrice).await;
    matches_table(db, ProductPriceRange).await;
    matches_table(db, Warehouse).await;
    matches_table(db, StockLevel).await;
    matches_table(db, StaffRole).await;
    matches_table(db, StaffMember).await;
    matches_table(db, StaffMemberRole).await;
    matches_table(db, StaffInvitation).await;
    matches_table(db, Customer).await;
    matches_table(db, RefreshToken).await;
    matches_table(db, CustomerAddress).await;
    matches_table(db, PasswordResetToken).await;
    matches_table(db, Cart).await;
    matches_table(db, CartLine).await;
    matches_table(db, Discount).await;
    matches_table(db, Order).await;
    matches_table(db, OrderAccessKey).await;
    matches_table(db, OrderLine).await;
    matches_table(db, OrderAllocation).await;
    matches_table(db, OrderEvent).await;
    matches_table(db, Payment).await;
    matches_table(db, PaymentWebhookEvent).await;
    matches_table(db, Refund).await;
    matches_table(db, RefundLine).await;
    matches_table(db, Fulfillment).await;
    matches_table(db, FulfillmentLine).await;
    matches_table(db, ShippingZone).await;
    matches_table(db, ShippingMethod).await;
    matches_table(db, OrderReturn).await;
    matches_table(db, ReturnLine).await;
    matches_table(db, Webhook).await;
    matches_table(db, WebhookDelivery).await;
    matches_table(db, BackInStockSubscription).await;
    matches_table(db, Outbox).await;
    matches_table(db, MailJob).await;
    matches_table(db, MailSuppression).await;
    matches_table(db, Sequence).await;
    matches_table(db, SearchQueue).await;
    matches_table(db, Menu).await;
    matches_table(db, MenuItem).await;
    matches_table(db, Page).await;
}

/// Migration 000022 makes each customer with a `staff_role_id` an ACTIVE staff
/// member holding that role, and sets the column to NULL; going down gives it back.
/// Products from before 000026 get no tags and nothing sold.
async fn product_content_is_backfilled(db: &DatabaseConnection) {
    use sea_orm::sea_query::{Alias, Query};
    Migrator::down(db, Some(1)).await.unwrap();
    let id = Uuid::now_v7();
    let insert = Query::insert()
        .into_table(Alias::new("products"))
        .columns(
            [
                "id",
                "slug",
                "name",
                "status",
                "attributes",
                "popularity",
                "created_at",
                "updated_at",
            ]
            .map(Alias::new),
        )
        .values_panic([
            id.into(),
            "old-product".into(),
            "Old product".into(),
            "DRAFT".into(),
            serde_json::json!([]).into(),
            0.into(),
            now().into(),
            now().into(),
        ])
        .to_owned();
    let backend = db.get_database_backend();
    db.execute_raw(backend.build(&insert)).await.unwrap();
    Migrator::up(db, None).await.unwrap();
    let old = product::Entity::find_by_id(id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old.tags, StringList::default());
    assert_eq!(old.units_sold, 0);
    assert_eq!(old.description_html, None);
    product::Entity::delete_by_id(id).exec(db).await.unwrap();
}

async fn staff_roles_become_memberships(db: &DatabaseConnection) {
    use entities::enums::StaffStatus;
    use entities::{customer, staff_member, staff_member_role, staff_role};
    use sea_orm::sea_query::{Alias, Query};
    // Down to just before 000022: it and the migrations after it.
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let at = names
        .iter()
        .position(|name| name == "m20261205_000022_staff")
        .unwrap();
    let undo = u32::try_from(names.len() - at).unwrap();
    Migrator::down(db, Some(undo)).await.unwrap();
    let role = Uuid::now_v7();
    let insert = Query::insert()
        .into_table(Alias::new("staff_roles"))
        .columns(["id", "name", "permissions", "created_at"].map(Alias::new))
        .values_panic([
            role.into(),
            "Packers".into(),
            "MANAGE_ORDERS".into(),
            now().into(),
        ])
        .to_owned();
    let backend = db.get_database_backend();
    db.execute_raw(backend.build(&insert)).await.unwrap();
    let staff = customer::Model {
        id: Uuid::now_v7(),
        email: String::from("packer@example.com"),
        password_hash: String::from("$argon2id$stand-in"),
        first_name: None,
        last_name: None,
        staff_role_id: Some(role),
        phone: None,
        accepts_marketing: false,
        created_at: now(),
        updated_at: now(),
    };
    round_trip(db, staff.clone()).await;
    Migrator::up(db, None).await.unwrap();

    let member = staff_member::Entity::find_by_id(staff.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(member.status, StaffStatus::Active);
    let held = staff_member_role::Entity::find().all(db).await.unwrap();
    assert_eq!(
        held,
        vec![staff_member_role::Model {
            customer_id: staff.id,
            role_id: role
        }]
    );
    let migrated = customer::Entity::find_by_id(staff.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        migrated.staff_role_id, None,
        "the old column is no longer used"
    );
    let role_row = staff_role::Entity::find_by_id(role)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(role_row.updated_at, Some(role_row.created_at), "backfilled");

    Migrator::down(db, Some(undo)).await.unwrap();
    let restored = customer::Entity::find_by_id(staff.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        restored.staff_role_id,
        Some(role),
        "going down gives the role back"
    );
    Migrator::up(db, None).await.unwrap();
    staff_member::Entity::delete_many().exec(db).await.unwrap();
    customer::Entity::delete_by_id(staff.id)
        .exec(db)
        .await
        .unwrap();
    staff_role::Entity::delete_by_id(role)
        .exec(db)
        .await
        .unwrap();
}

/// (column, nullable, varchar length)
type ColumnShape = (String, bool, Option<u32>);

async fn matches_table<E: EntityTrait>(db: &DatabaseConnection, entity: E) {
    let table = entity.table_name();
    let expected: BTreeSet<ColumnShape> = E::Column::iter()
        .map(|column| {
            let def = column.def();
            let length = match def.get_column_type() {
                ColumnType::String(StringLen::N(n)) => Some(*n),
                _ => None,
            };
            (column.as_str().to_owned(), def.is_null(), length)
        })
        .collect();
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => r#"SELECT name, "notnull" = 0, type FROM pragma_table_info(?)"#,
        _ => {
            "SELECT column_name::text, is_nullable = 'YES', \
             COALESCE('varchar(' || character_maximum_length || ')', data_type)::text \
             FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1"
        }
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [table.into()]))
        .await
        .unwrap();
    let actual: BTreeSet<ColumnShape> = rows
        .iter()
        .map(|row| {
            let ty: String = row.try_get_by_index(2).unwrap();
            let length = ty
                .strip_prefix("varchar(")
                .and_then(|n| n.trim_end_matches(')').parse().ok());
            (
                row.try_get_by_index(0).unwrap(),
                row.try_get_by_index(1).unwrap(),
                length,
            )
        })
        .collect();
    assert_eq!(actual, expected, "columns of {table}");
}

/// What `insert_catalog` created.
struct Catalog {
    product: product::Model,
    variant: product_variant::Model,
    warehouse: warehouse::Model,
}

/// Microsecond precision, what PostgreSQL stores, so values read back compare equal.
fn now() -> DateTime<Utc> {
    Utc::now()
        .duration_trunc(TimeDelta::microseconds(1))
        .unwrap()
}

/// Inserts `model` through its ActiveModel and checks that reading it back gives it again.
async fn round_trip<M, A>(db: &DatabaseConnection, model: M) -> M
where
    M: ModelTrait + IntoActiveModel<A> + Clone + PartialEq + std::fmt::Debug,
    M::Entity: EntityTrait<Model = M>,
    A: ActiveModelTrait<Entity = M::Entity> + ActiveModelBehavior + Send,
{
    let inserted = model.clone().into_active_model().insert(db).await.unwrap();
    assert_eq!(inserted, model);
    inserted
}

async fn insert_catalog(db: &DatabaseConnection) -> Catalog {
    let now = now();
    let category = round_trip(
        db,
        category::Model {
            id: Uuid::now_v7(),
            parent_id: None,
            slug: String::from("apparel"),
            name: String::from("Apparel"),
            description: None,
            path: String::new(),
            position: 0,
            created_at: now,
            updated_at: now,
        },
    )
    .await;
    let attributes = NameValueList(vec![
        NameValue {
            name: String::from("Material"),
            value: String::from("Linen"),
        },
        NameValue {
            name: String::from("Origin"),
            value: String::from("Portugal — Porto"),
        },
    ]);
    let product = round_trip(
        db,
        product::Model {
            id: Uuid::now_v7(),
            category_id: Some(category.id),
            slug: String::from("linen-shirt"),
            name: String::from("Linen shirt"),
            description: Some(String::from("Light and \"breathable\".")),
            brand: Some(String::from("Northwind")),
            status: ProductStatus::Active,
            attributes: attributes.clone(),
            popularity: 7,
            tags: StringList(vec![String::from("summer"), String::from("linen")]),
            description_html: Some(String::from("<p>Light and <b>breathable</b>.</p>")),
            seo_title: Some(String::from("Linen shirt | Northwind")),
            seo_description: None,
            units_sold: 12,
            created_at: now,
            updated_at: now,
        },
    )
    .await;
    let variant = round_trip(
        db,
        product_variant::Model {
            id: Uuid::now_v7(),
            product_id: product.id,
            sku: String::from("LS-M"),
            name: String::from("M"),
            options: NameValueList(vec![NameValue {
                name: String::from("Size"),
                value: String::from("M"),
            }]),
            position: 0,
            low_stock_threshold: Some(3),
            created_at: now,
            updated_at: now,
        },
    )
    .await;
    round_trip(
        db,
        variant_price::Model {
            variant_id: variant.id,
            currency_code: String::from("USD"),
            amount: 4999,
            compare_at_amount: Some(5999),
        },
    )
    .await;
    let warehouse = round_trip(
        db,
        warehouse::Model {
            id: Uuid::now_v7(),
            code: String::from("US-WEST"),
            name: String::from("Reno"),
            priority: 1,
            created_at: now,
        },
    )
    .await;
    round_trip(
        db,
        stock_level::Model {
            variant_id: variant.id,
            warehouse_id: warehouse.id,
            on_hand: 5,
            allocated: 2,
            updated_at: now,
        },
    )
    .await;

    // Read back with a fresh query, not only the INSERT's RETURNING.
    let read = product::Entity::find_by_id(product.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.attributes, attributes);
    assert_eq!(read.status, ProductStatus::Active);
    let active = product::Entity::find()
        .filter(product::Column::Status.eq(ProductStatus::Active))
        .count(db)
        .await
        .unwrap();
    assert_eq!(
        active, 1,
        "the enum is stored as the string the filter binds"
    );
    let options = product_variant::Entity::find_by_id(variant.id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .options;
    assert_eq!(
        options.0,
        vec![NameValue {
            name: String::from("Size"),
            value: String::from("M")
        }]
    );
    let price = variant_price::Entity::find_by_id((variant.id, String::from("USD")))
        .one(db)
        .await
        .unwrap();
    assert_eq!(price.map(|p| p.amount), Some(4999));
    Catalog {
        product,
        variant,
        warehouse,
    }
}

async fn constraints_hold(db: &DatabaseConnection, catalog: &Catalog) {
    let other = round_trip(
        db,
        warehouse::Model {
            id: Uuid::now_v7(),
            code: String::from("EU-CENTRAL"),
            name: String::from("Amsterdam"),
            priority: 2,
            created_at: now(),
        },
    )
    .await;
    let oversold = stock_level::Model {
        variant_id: catalog.variant.id,
        warehouse_id: other.id,
        on_hand: 1,
        allocated: 2,
        updated_at: now(),
    };
    violates(
        oversold.into_active_model().insert(db).await,
        "chk_stock_levels_allocated",
    );
    let negative = stock_level::Model {
        variant_id: catalog.variant.id,
        warehouse_id: other.id,
        on_hand: 1,
        allocated: -1,
        updated_at: now(),
    };
    violates(
        negative.into_active_model().insert(db).await,
        "chk_stock_levels_allocated",
    );
    // The CHECK also guards the UPDATE a buggy allocation would issue (2 + 4 > 5 on hand).
    let allocate_too_much = stock_level::Entity::update_many()
        .col_expr(
            stock_level::Column::Allocated,
            Expr::col(stock_level::Column::Allocated).add(4),
        )
        .filter(stock_level::Column::VariantId.eq(catalog.variant.id))
        .exec(db)
        .await;
    violates(allocate_too_much, "chk_stock_levels_allocated");

    let over_limit = discount::Model {
        id: Uuid::now_v7(),
        code: String::from("ONCE"),
        kind: DiscountKind::Percentage,
        value: 1000,
        currency_code: None,
        minimum_subtotal: None,
        starts_at: None,
        ends_at: None,
        usage_limit: Some(1),
        usage_count: 2,
        active: true,
        created_at: now(),
        updated_at: now(),
    };
    violates(
        over_limit.clone().into_active_model().insert(db).await,
        "chk_discounts_usage_limit",
    );
    round_trip(
        db,
        discount::Model {
            usage_limit: None,
            ..over_limit
        },
    )
    .await;

    let duplicate_sku = product_variant::Model {
        id: Uuid::now_v7(),
        ..catalog.variant.clone()
    };
    assert!(
        duplicate_sku.into_active_model().insert(db).await.is_err(),
        "unique SKU"
    );

    // RESTRICT: a warehouse that holds stock records cannot be deleted...
    assert!(
        catalog.warehouse.clone().delete(db).await.is_err(),
        "fk_stock_levels_warehouse RESTRICT"
    );
    // ...while deleting a product cascades to its variants, prices and stock levels.
    catalog.product.clone().delete(db).await.unwrap();
    assert_eq!(product_variant::Entity::find().count(db).await.unwrap(), 0);
    assert_eq!(variant_price::Entity::find().count(db).await.unwrap(), 0);
    assert_eq!(stock_level::Entity::find().count(db).await.unwrap(), 0);
    catalog.warehouse.clone().delete(db).await.unwrap();
}

/// `result` failed on the constraint `name` (both backends name CHECK constraints in the error).
fn violates<T: std::fmt::Debug>(result: Result<T, DbErr>, name: &str) {
    match result {
        Ok(value) => panic!("expected a violation of {name}, got {value:?}"),
        Err(err) => assert!(
            err.to_string().contains(name),
            "expected a violation of {name}, got: {err}"
        ),
    }
}

async fn other_json_columns_round_trip(db: &DatabaseConnection) {
    let now = now();
    let address = MailingAddress {
        first_name: Some(String::from("Ada")),
        last_name: None,
        address1: String::from("1 Main St"),
        address2: None,
        city: String::from("Reno"),
        province: Some(String::from("NV")),
        zip: String::from("89501"),
        country_code: String::from("US"),
        phone: None,
    };
    let guest = cart::Model {
        id: Uuid::new_v4(),
        customer_id: None,
        currency_code: String::from("USD"),
        email: None,
        shipping_address: Some(address.clone()),
        billing_address: Some(address),
        discount_codes: StringList(vec![String::from("SUMMER10")]),
        shipping_method_id: Some(Uuid::now_v7()),
        status: CartStatus::Active,
        converted_order_id: None,
        created_at: now,
        updated_at: now,
        abandoned_at: Some(now),
    };
    round_trip(db, guest.clone()).await;
    assert_eq!(
        cart::Entity::find_by_id(guest.id).one(db).await.unwrap(),
        Some(guest)
    );
    let empty = cart::Model {
        id: Uuid::new_v4(),
        shipping_address: None,
        billing_address: None,
        discount_codes: StringList::default(),
        ..cart_template(now)
    };
    round_trip(db, empty.clone()).await;
    assert_eq!(
        cart::Entity::find_by_id(empty.id).one(db).await.unwrap(),
        Some(empty)
    );

    let zone = shipping_zone::Model {
        id: Uuid::now_v7(),
        name: String::from("Europe"),
        countries: StringList(vec![String::from("DE"), String::from("FR")]),
        created_at: now,
        updated_at: now,
    };
    round_trip(db, zone.clone()).await;
    let method = shipping_method::Model {
        id: Uuid::now_v7(),
        zone_id: zone.id,
        name: String::from("Standard"),
        description: None,
        prices: ShippingPriceList(vec![ShippingPrice {
            currency_code: String::from("EUR"),
            amount: 490,
            free_above: Some(6000),
        }]),
        min_delivery_days: Some(2),
        max_delivery_days: None,
        active: true,
        created_at: now,
        updated_at: now,
    };
    round_trip(db, method.clone()).await;
    assert_eq!(
        shipping_method::Entity::find_by_id(method.id)
            .one(db)
            .await
            .unwrap(),
        Some(method)
    );

    let event = outbox::Model {
        id: Uuid::now_v7(),
        topic: String::from("product.changed"),
        aggregate_id: Uuid::now_v7(),
        payload: serde_json::json!({ "ids": [1, 2], "nested": { "ok": true } }),
        created_at: now,
        published_at: None,
        attempts: 0,
    };
    round_trip(db, event.clone()).await;
    assert_eq!(
        outbox::Entity::find_by_id(event.id).one(db).await.unwrap(),
        Some(event)
    );
}

fn cart_template(now: DateTime<Utc>) -> cart::Model {
    cart::Model {
        id: Uuid::new_v4(),
        customer_id: None,
        currency_code: String::from("EUR"),
        email: Some(String::from("guest@example.com")),
        shipping_address: None,
        billing_address: None,
        discount_codes: StringList::default(),
        shipping_method_id: None,
        status: CartStatus::Active,
        converted_order_id: None,
        created_at: now,
        updated_at: now,
        abandoned_at: None,
    }
}

/// `url` with its database name replaced by `name` (query parameters kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let server = base[authority..]
        .find('/')
        .map_or(base, |slash| &base[..authority + slash]);
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}
