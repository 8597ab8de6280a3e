//! Shared by the capture and refund tests: orders paid through the `test` provider, and the
//! staff mutations that move their money.

use super::*;

pub(super) const MONEY_FIELDS: &str = r#"
  id status paymentStatus
  total { amount } shippingTotal { amount }
  lines { id quantity refundedQuantity shippedQuantity total { amount } }
  payments { id status amount { amount } capturedAmount { amount } refundedAmount { amount } reference }
  refunds { id amount { amount } status reason restock lines { orderLine { id } quantity amount { amount } } }
  events { kind message }
"#;

impl Shop {
    /// An order for `lines` paid (or authorized) with the `test` provider's `token`.
    pub(super) async fn order_paid_with(
        &self,
        lines: &[(usize, i32)],
        token: &str,
    ) -> anyhow::Result<OrderId> {
        let cart = self.ready_cart(lines).await?;
        let payment = json!({ "provider": "test", "token": token });
        let response = self.checkout(&self.guest, cart, "k", payment).await?;
        Ok(order_id(placed(&response)))
    }

    /// The order's money as staff see it.
    pub(super) async fn money_of(&self, order: OrderId) -> anyhow::Result<Value> {
        let query = format!("query($id: ID!) {{ order(id: $id) {{ {MONEY_FIELDS} }} }}");
        let response = self
            .admin
            .graphql(&query, json!({ "id": order.to_string() }))
            .await?;
        Ok(response.data()["order"].clone())
    }

    pub(super) async fn capture(
        &self,
        order: OrderId,
        amount: Option<&str>,
    ) -> anyhow::Result<Value> {
        let query = format!(
            "mutation($id: ID!, $amount: Decimal) {{ orderPaymentCapture(orderId: $id, amount: $amount) {{ order {{ {MONEY_FIELDS} }} userErrors {{ field code message }} }} }}"
        );
        self.admin
            .mutate(&query, json!({ "id": order.to_string(), "amount": amount }))
            .await
    }

    pub(super) async fn void(&self, order: OrderId) -> anyhow::Result<Value> {
        let query = format!(
            "mutation($id: ID!) {{ orderPaymentVoid(orderId: $id) {{ order {{ {MONEY_FIELDS} }} userErrors {{ field code message }} }} }}"
        );
        self.admin
            .mutate(&query, json!({ "id": order.to_string() }))
            .await
    }

    /// `orderRefundCreate` as `viewer`.
    pub(super) async fn refund_as(
        &self,
        viewer: &Client,
        order: OrderId,
        input: Value,
        key: &str,
    ) -> anyhow::Result<GraphqlResponse> {
        let query = format!(
            "mutation($id: ID!, $input: OrderRefundInput!, $key: String!) {{ orderRefundCreate(orderId: $id, input: $input, idempotencyKey: $key) {{ refund {{ id amount {{ amount }} status reason restock lines {{ orderLine {{ id }} quantity amount {{ amount }} }} }} order {{ {MONEY_FIELDS} }} userErrors {{ field code message }} }} }}"
        );
        viewer
            .graphql(
                &query,
                json!({ "id": order.to_string(), "input": input, "key": key }),
            )
            .await
    }

    pub(super) async fn refund(
        &self,
        order: OrderId,
        input: Value,
        key: &str,
    ) -> anyhow::Result<Value> {
        let response = self.refund_as(&self.admin, order, input, key).await?;
        Ok(response.data()["orderRefundCreate"].clone())
    }
}

/// The kinds of the order's history entries, in order.
pub(super) fn history(order: &Value) -> Vec<String> {
    order["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

pub(super) fn user_error_code(payload: &Value) -> &str {
    payload["userErrors"][0]["code"].as_str().unwrap_or("none")
}
