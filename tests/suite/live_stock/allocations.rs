//! Allocation, release and fulfilment: never oversell, one event per change.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use schema::inventory::service::allocation::{Allocation, Shortage};
use schema::unit_of_work::{Write, Writer};

/// Allocates `quantity` of `variant` in a new unit of work, returned uncommitted.
async fn allocate(
    writer: &Writer,
    variant: Uuid,
    quantity: i32,
) -> anyhow::Result<(Write, Result<Vec<Allocation>, Vec<Shortage>>)> {
    let mut write = writer.begin().await?;
    let stock = allocation::lock_stock(&write, &[variant]).await?;
    let request = Request {
        variant_id: variant,
        quantity,
    };
    let outcome = allocation::allocate(&mut write, &stock, &[request], None).await?;
    Ok((write, outcome))
}

async fn concurrent_allocations_never_oversell(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 2).await?;
    let db = server.app.app.db.clone();
    // 10 units over two warehouses, so some allocations must come from the second one.
    let variant = stocked_variant(&db, &[6, 4]).await?;

    let writer = server.app.app.writer();
    let attempts = (0..200).map(|_| {
        let writer = writer.clone();
        tokio::spawn(async move {
            let (write, outcome) = allocate(&writer, variant, 1).await?;
            if outcome.is_ok() {
                write.commit().await?;
            }
            anyhow::Ok(outcome)
        })
    });
    let outcomes = futures_util::future::join_all(attempts).await;
    let mut succeeded = 0;
    let mut out_of_stock = 0;
    for outcome in outcomes {
        match outcome?? {
            Ok(allocations) => {
                assert_eq!(allocations.len(), 1);
                succeeded += 1;
            }
            Err(shortages) => {
                assert_eq!(shortages[0].variant_id, variant);
                assert_eq!(shortages[0].available, 0);
                out_of_stock += 1;
            }
        }
    }
    assert_eq!((succeeded, out_of_stock), (10, 190));

    let levels = stock_level::Entity::find()
        .filter(stock_level::Column::VariantId.eq(variant))
        .all(&db)
        .await?;
    let on_hand: i32 = levels.iter().map(|l| l.on_hand).sum();
    let allocated: i32 = levels.iter().map(|l| l.allocated).sum();
    assert_eq!((on_hand, allocated), (10, 10));
    assert!(
        levels
            .iter()
            .all(|l| l.allocated <= l.on_hand && l.allocated >= 0)
    );

    // Exactly one event per success, each with the availability its allocation left.
    let events = events_for(&db, variant).await?;
    assert_eq!(events.len(), 10);
    let availabilities: HashSet<i64> = events
        .iter()
        .map(|e| e.payload["data"]["available"].as_i64().unwrap())
        .collect();
    assert_eq!(availabilities, (0..10).collect());
    server.stop().await
}
e2e!(concurrent_allocations_never_oversell);

async fn release_and_fulfilment_move_stock_and_emit_events(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 2).await?;
    let db = server.app.app.db.clone();
    let variant = stocked_variant(&db, &[2, 5]).await?;

    let writer = server.app.app.writer();
    let (write, taken) = allocate(&writer, variant, 4).await?;
    let taken = taken.unwrap();
    write.commit().await?;
    // The preferred warehouse is emptied first, the rest comes from the next one.
    let quantities: Vec<i32> = taken.iter().map(|a| a.quantity).collect();
    assert_eq!(quantities, vec![2, 2]);

    let (write, too_much) = allocate(&writer, variant, 4).await?;
    drop(write);
    assert_eq!(too_much.unwrap_err()[0].available, 3);

    let mut write = writer.begin().await?;
    allocation::fulfil(&mut write, &taken[..1]).await?;
    allocation::release(&mut write, &taken[1..]).await?;
    write.commit().await?;
    let levels = stock_level::Entity::find()
        .filter(stock_level::Column::VariantId.eq(variant))
        .all(&db)
        .await?;
    let on_hand: i32 = levels.iter().map(|l| l.on_hand).sum();
    let allocated: i32 = levels.iter().map(|l| l.allocated).sum();
    assert_eq!((on_hand, allocated), (5, 0), "2 shipped, 2 released");

    // Releasing what is not held is refused and changes nothing.
    let mut write = writer.begin().await?;
    assert!(allocation::release(&mut write, &taken[1..]).await.is_err());
    drop(write);
    // One event each for the allocation, the fulfilment and the release.
    assert_eq!(events_for(&db, variant).await?.len(), 3);
    server.stop().await
}
e2e!(release_and_fulfilment_move_stock_and_emit_events);
