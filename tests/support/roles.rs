//! Clients per role: a guest, a signed-in customer, the administrator. Each holds its
//! access token, so a test says who asks (`alice.graphql(..)`) instead of threading tokens.

use super::accounts::{ADMIN_EMAIL, ADMIN_PASSWORD};
use super::endpoint::{Endpoint, GraphqlResponse};
use super::ids::{OrderId, VariantId, WarehouseId};
use serde_json::{Value, json};

/// Requests as one viewer: anonymous (a guest) or the holder of an access token.
#[derive(Clone)]
pub struct Client {
    endpoint: Endpoint,
    token: Option<String>,
}

impl Client {
    pub fn new(endpoint: Endpoint, token: Option<String>) -> Self {
        Self { endpoint, token }
    }

    /// The access token; `None` for a guest.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// POSTs a query as this viewer.
    pub async fn graphql(&self, query: &str, variables: Value) -> anyhow::Result<GraphqlResponse> {
        self.endpoint
            .graphql_as(self.token(), query, variables)
            .await
    }

    /// Like `graphql`, returning the raw HTTP answer (for tests that read its headers).
    pub async fn post(&self, query: &str, variables: Value) -> anyhow::Result<reqwest::Response> {
        self.endpoint.post_as(self.token(), query, variables).await
    }

    /// Runs a mutation of one field and returns its payload, failing the test on GraphQL
    /// errors (user errors are the payload's to report).
    pub async fn mutate(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let response = self.graphql(query, variables).await?;
        let data = response.data().as_object().cloned().unwrap_or_default();
        let mut fields = data.into_iter();
        match (fields.next(), fields.next()) {
            (Some((_, payload)), None) => Ok(payload),
            _ => anyhow::bail!("{query}: not one mutation field in {}", response.body),
        }
    }

    /// Like `mutate`, failing the test when the payload reports user errors.
    pub async fn mutate_ok(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let payload = self.mutate(query, variables).await?;
        assert_eq!(payload["userErrors"], json!([]), "{query}: {payload}");
        Ok(payload)
    }
}

/// A signed-in customer.
#[derive(Clone)]
pub struct Customer {
    pub email: String,
    client: Client,
}

impl std::ops::Deref for Customer {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

/// The administrator (every staff permission).
#[derive(Clone)]
pub struct Admin {
    client: Client,
}

impl std::ops::Deref for Admin {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

/// A staff transition of an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderAction {
    MarkPaid,
    Fulfill,
    Cancel,
    Refund,
}

impl OrderAction {
    /// The mutation field.
    pub fn field(self) -> &'static str {
        match self {
            OrderAction::MarkPaid => "orderMarkPaid",
            OrderAction::Fulfill => "orderFulfill",
            OrderAction::Cancel => "orderCancel",
            OrderAction::Refund => "orderRefund",
        }
    }
}

/// A warehouse as staff list them.
#[derive(Clone, Debug)]
pub struct Warehouse {
    pub id: WarehouseId,
    pub code: String,
}

impl Admin {
    /// Creates a warehouse (allocated from after the existing ones).
    pub async fn create_warehouse(&self, code: &str) -> anyhow::Result<WarehouseId> {
        let created = self
            .mutate_ok(
                "mutation($input: WarehouseCreateInput!) { warehouseCreate(input: $input) { warehouse { id } userErrors { field code message } } }",
                json!({ "input": { "code": code, "name": format!("Warehouse {code}") } }),
            )
            .await?;
        Ok(WarehouseId::of(&created["warehouse"]["id"]))
    }

    /// Every warehouse, in allocation order.
    pub async fn warehouses(&self) -> anyhow::Result<Vec<Warehouse>> {
        let response = self
            .graphql("{ warehouses { id code } }", json!({}))
            .await?;
        let listed = response.data()["warehouses"].as_array().cloned();
        Ok(listed
            .unwrap_or_default()
            .iter()
            .map(|w| Warehouse {
                id: WarehouseId::of(&w["id"]),
                code: w["code"].as_str().unwrap_or_default().to_owned(),
            })
            .collect())
    }

    /// Sets a variant's units on hand in one warehouse (`stockSet`).
    pub async fn set_stock(
        &self,
        variant: VariantId,
        warehouse: WarehouseId,
        on_hand: i32,
    ) -> anyhow::Result<()> {
        self.mutate_ok(
            "mutation($v: ID!, $w: ID!, $n: Int!) { stockSet(variantId: $v, warehouseId: $w, onHand: $n) { userErrors { field code message } } }",
            json!({ "v": variant.to_string(), "w": warehouse.to_string(), "n": on_hand }),
        )
        .await?;
        Ok(())
    }

    /// Moves an order (with a note); returns the payload: `order { status events { kind
    /// fromStatus toStatus } }` and `userErrors { code message }`, refusals included.
    pub async fn order_action(&self, action: OrderAction, order: OrderId) -> anyhow::Result<Value> {
        let field = action.field();
        let query = format!(
            "mutation($id: ID!) {{ {field}(id: $id, note: \"by test\") {{ order {{ status events {{ kind fromStatus toStatus }} }} userErrors {{ code message }} }} }}"
        );
        self.mutate(&query, json!({ "id": order.to_string() }))
            .await
    }
}

impl Endpoint {
    /// An anonymous client.
    pub fn guest(&self) -> Client {
        Client::new(self.clone(), None)
    }

    /// A client holding `token`.
    pub fn viewer(&self, token: &str) -> Client {
        Client::new(self.clone(), Some(token.to_owned()))
    }

    /// The customer `email` (registered if new), signed in.
    pub async fn customer(&self, email: &str) -> anyhow::Result<Customer> {
        let token = self.customer_token(email).await?;
        anyhow::ensure!(!token.is_empty(), "{email} could not sign in");
        Ok(Customer {
            email: email.to_owned(),
            client: self.viewer(&token),
        })
    }

    /// The administrator, signed in (the server must be configured with `ADMIN_EMAIL`, as
    /// `TestServer::with_admin` does).
    pub async fn admin(&self) -> anyhow::Result<Admin> {
        let token = self.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        anyhow::ensure!(
            !token.is_empty(),
            "the administrator could not sign in: is the server configured with one?"
        );
        Ok(Admin {
            client: self.viewer(&token),
        })
    }
}
