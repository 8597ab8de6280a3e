//! `GET /orders/{number or id}?key=…`: a guest's order status page — where the hosted
//! checkout lands, and the address the order mails link to when `STOREFRONT_URL` is this
//! server. The access key opens the order (`orders::service::tracking`); anything else is
//! the same "not found" as no order at all. Without JavaScript the page is complete; with
//! it, `assets/order-status.js` follows `orderUpdated` and updates the status in place.

use super::checkout_view::money;
use super::pages;
use crate::state::ServerState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use schema::common::money::CurrencyCode;
use schema::error::ApiError;
use schema::orders::service::tracking::{self, TrackedOrder};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
pub struct Key {
    key: Option<String>,
}

pub async fn show(
    State(state): State<ServerState>,
    Path(reference): Path<String>,
    key: Result<Query<Key>, QueryRejection>,
) -> Response {
    let shop = &state.app.settings.mail.shop_name;
    let key = key.ok().and_then(|Query(k)| k.key).unwrap_or_default();
    let found = tracking::order_for_key(&state.app.db, &reference, &key).await;
    let context = match found.and_then(|found| found.map(context).transpose()) {
        Ok(Some(context)) => context,
        Ok(None) => {
            return pages::message(
                StatusCode::NOT_FOUND,
                shop,
                "Order not found",
                &["No order matches this link. Use the whole link from your confirmation email."],
                None,
            );
        }
        Err(err) => {
            tracing::error!(error = %err, "the order status page failed");
            return pages::internal_error();
        }
    };
    pages::page(StatusCode::OK, "order.html", shop, context)
}

/// The status names as GraphQL spells them (`PARTIALLY_FULFILLED`), which the script gets too.
fn spelled(status: impl serde::Serialize) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn context(tracked: TrackedOrder) -> Result<Value, ApiError> {
    let TrackedOrder { order, lines } = tracked;
    let currency = CurrencyCode::stored(&order.currency_code)?;
    let status = spelled(order.status);
    let payment = spelled(order.payment_status);
    let fulfillment = spelled(order.fulfillment_status);
    let lines: Vec<Value> = lines
        .iter()
        .map(|line| {
            json!({
                "product": line.product_name,
                "variant": line.variant_name,
                "sku": line.sku,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price, currency),
                "total": money(line.total, currency),
            })
        })
        .collect();
    let address: Vec<String> = order
        .shipping_address
        .as_ref()
        .map(|a| {
            let name = [a.first_name.as_deref(), a.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            let city = [
                Some(a.zip.as_str()),
                Some(a.city.as_str()),
                a.province.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
            [
                Some(name),
                Some(a.address1.clone()),
                a.address2.clone(),
                Some(city),
                Some(a.country_code.clone()),
            ]
            .into_iter()
            .flatten()
            .filter(|line| !line.trim().is_empty())
            .collect()
        })
        .unwrap_or_default();
    Ok(json!({
        "order": {
            "id": order.id.to_string(),
            "number": order.number,
            "email": order.email,
            "status_label": pages::label(&status),
            "payment_status_label": pages::label(&payment),
            "fulfillment_status_label": pages::label(&fulfillment),
            "status": status,
            "payment_status": payment,
            "fulfillment_status": fulfillment,
            "subtotal": money(order.subtotal, currency),
            "has_discount": order.discount_total > 0,
            "discount_total": money(order.discount_total, currency),
            "shipping_total": money(order.shipping_total, currency),
            "shipping_method": order.shipping_method_name,
            "tax_total": money(order.tax_total, currency),
            "total": money(order.total, currency),
        },
        "lines": lines,
        "address": address,
    }))
}
