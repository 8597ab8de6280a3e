//! The address book: the owner alone sees and changes it, the first address is the default,
//! deleting the default promotes the newest remaining one, a new cart starts with the
//! default; and `customerUpdate` reports every bad field at once.

use super::{address, finish, open_shop};
use e2e::{Backend, Client, e2e};
use serde_json::{Value, json};

const CREATE: &str = "mutation($a: MailingAddressInput!, $d: Boolean) { customerAddressCreate(address: $a, setAsDefault: $d) { address { id address1 isDefault } userErrors { field code } } }";
const UPDATE: &str = "mutation($id: ID!, $a: MailingAddressInput!) { customerAddressUpdate(id: $id, address: $a) { address { id address1 } userErrors { field code } } }";
const DELETE: &str = "mutation($id: ID!) { customerAddressDelete(id: $id) { deletedAddressId userErrors { field code } } }";
const SET_DEFAULT: &str = "mutation($id: ID!) { customerDefaultAddressUpdate(addressId: $id) { address { id isDefault } userErrors { field code } } }";
const BOOK: &str =
    "{ me { addresses { id address1 isDefault } defaultAddress { id address1 } cart { id } } }";
const CART_CREATE: &str = "mutation($input: CartCreateInput) { cartCreate(input: $input) { cart { id buyerIdentity { email shippingAddress { address1 firstName } } } userErrors { field code } } }";
const UPDATE_PROFILE: &str = "mutation($input: CustomerUpdateInput!) { customerUpdate(input: $input) { customer { firstName lastName phone acceptsMarketing } userErrors { field code } } }";
const PROFILE: &str = "{ me { firstName lastName phone acceptsMarketing } }";

async fn create(who: &Client, tag: &str, default: Option<bool>) -> anyhow::Result<Value> {
    let created = who
        .graphql(CREATE, json!({ "a": address(tag), "d": default }))
        .await?;
    let payload = created.data()["customerAddressCreate"].clone();
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    Ok(payload["address"].clone())
}

async fn book(who: &Client) -> anyhow::Result<Value> {
    Ok(who.graphql(BOOK, json!({})).await?.data()["me"].clone())
}

fn defaults(book: &Value) -> Vec<String> {
    book["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["isDefault"] == true)
        .map(|a| a["address1"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_address_book_belongs_to_its_owner_and_keeps_one_default(
    backend: Backend,
) -> anyhow::Result<()> {
    let (shop, redis) = open_shop(backend, |_| {}).await?;
    let ann = shop.server.customer("ann@example.com").await?;
    let bob = shop.server.customer("bob@example.com").await?;

    // The first address becomes the default; a later one only when asked.
    let first = create(&ann, "First", None).await?;
    assert_eq!(first["isDefault"], true);
    let second = create(&ann, "Second", Some(false)).await?;
    assert_eq!(second["isDefault"], false);
    let third = create(&ann, "Third", Some(true)).await?;
    assert_eq!(third["isDefault"], true);
    let mine = book(&ann).await?;
    assert_eq!(defaults(&mine), vec!["Third Road 1"], "{mine}");
    assert_eq!(mine["defaultAddress"]["id"], third["id"]);

    // A bad address is refused field by field, and nothing is saved.
    let mut bad = address("Bad");
    bad["address1"] = json!("  ");
    bad["countryCode"] = json!("USA");
    let refused = ann.graphql(CREATE, json!({ "a": bad })).await?;
    let errors = &refused.data()["customerAddressCreate"]["userErrors"];
    assert_eq!(
        errors,
        &json!([
            { "field": ["address", "address1"], "code": "INVALID" },
            { "field": ["address", "countryCode"], "code": "INVALID" },
        ])
    );
    assert_eq!(book(&ann).await?["addresses"].as_array().unwrap().len(), 3);

    // Another customer's id is answered like an unknown one and changes nothing.
    let id = &first["id"];
    for (query, variables, name) in [
        (
            UPDATE,
            json!({ "id": id, "a": address("Bob") }),
            "customerAddressUpdate",
        ),
        (DELETE, json!({ "id": id }), "customerAddressDelete"),
        (
            SET_DEFAULT,
            json!({ "id": id }),
            "customerDefaultAddressUpdate",
        ),
    ] {
        let answer = bob.graphql(query, variables).await?;
        let payload = &answer.data()[name];
        assert_eq!(payload["userErrors"][0]["code"], "NOT_FOUND", "{payload}");
    }
    assert_eq!(book(&ann).await?, mine, "Bob changed nothing");
    assert_eq!(book(&bob).await?["addresses"], json!([]));
    // Nobody reads an address book anonymously.
    let anonymous = shop
        .guest
        .graphql(CREATE, json!({ "a": address("X") }))
        .await?;
    assert_eq!(
        anonymous.body["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );

    // The owner edits; deleting the default promotes the newest remaining address.
    let edited = ann
        .graphql(UPDATE, json!({ "id": id, "a": address("Edited") }))
        .await?;
    assert_eq!(
        edited.data()["customerAddressUpdate"]["address"]["address1"],
        "Edited Road 1"
    );
    let deleted = ann.graphql(DELETE, json!({ "id": third["id"] })).await?;
    assert_eq!(
        deleted.data()["customerAddressDelete"]["deletedAddressId"],
        third["id"]
    );
    assert_eq!(defaults(&book(&ann).await?), vec!["Second Road 1"]);
    let chosen = ann.graphql(SET_DEFAULT, json!({ "id": id })).await?;
    assert_eq!(
        chosen.data()["customerDefaultAddressUpdate"]["address"]["isDefault"],
        true
    );
    assert_eq!(defaults(&book(&ann).await?), vec!["Edited Road 1"]);

    // A new cart without a shipping address starts with the default and the account email;
    // one given in the input wins.
    let cart = ann.graphql(CART_CREATE, json!({})).await?;
    let buyer = &cart.data()["cartCreate"]["cart"]["buyerIdentity"];
    assert_eq!(buyer["email"], "ann@example.com");
    assert_eq!(buyer["shippingAddress"]["address1"], "Edited Road 1");
    assert_eq!(buyer["shippingAddress"]["firstName"], "Editedfirst");
    let cart_id = cart.data()["cartCreate"]["cart"]["id"].clone();
    assert_eq!(
        book(&ann).await?["cart"]["id"],
        cart_id,
        "me.cart is the open cart"
    );
    let given = json!({ "buyerIdentity": { "shippingAddress": address("Given") } });
    let cart = ann.graphql(CART_CREATE, json!({ "input": given })).await?;
    let buyer = &cart.data()["cartCreate"]["cart"]["buyerIdentity"];
    assert_eq!(buyer["shippingAddress"]["address1"], "Given Road 1");
    assert_eq!(buyer["email"], Value::Null);
    // Bob has no address book: his cart starts empty, as before.
    let cart = bob.graphql(CART_CREATE, json!({})).await?;
    let buyer = &cart.data()["cartCreate"]["cart"]["buyerIdentity"];
    assert_eq!(buyer["shippingAddress"], Value::Null);
    assert_eq!(buyer["email"], Value::Null);
    finish(shop, redis).await
}
e2e!(the_address_book_belongs_to_its_owner_and_keeps_one_default);

async fn a_profile_update_reports_every_bad_field_and_saves_nothing(
    backend: Backend,
) -> anyhow::Result<()> {
    let (shop, redis) = open_shop(backend, |_| {}).await?;
    let ann = shop.server.customer("ann@example.com").await?;
    let bad =
        json!({ "firstName": "x".repeat(200), "phone": "call me maybe", "acceptsMarketing": true });
    let refused = ann.graphql(UPDATE_PROFILE, json!({ "input": bad })).await?;
    assert_eq!(
        refused.data()["customerUpdate"]["userErrors"],
        json!([
            { "field": ["input", "firstName"], "code": "INVALID" },
            { "field": ["input", "phone"], "code": "INVALID" },
        ])
    );
    let unchanged =
        json!({ "firstName": null, "lastName": null, "phone": null, "acceptsMarketing": false });
    assert_eq!(
        ann.graphql(PROFILE, json!({})).await?.data()["me"],
        unchanged
    );

    let good = json!({ "firstName": " Ann ", "lastName": "Lee", "phone": "+44 20 7946 0958", "acceptsMarketing": true });
    let saved = ann
        .graphql(UPDATE_PROFILE, json!({ "input": good }))
        .await?;
    let expected = json!({ "firstName": "Ann", "lastName": "Lee", "phone": "+44 20 7946 0958", "acceptsMarketing": true });
    assert_eq!(saved.data()["customerUpdate"]["customer"], expected);
    // Left out: unchanged; null: cleared.
    let partial = json!({ "phone": null });
    ann.graphql(UPDATE_PROFILE, json!({ "input": partial }))
        .await?;
    let now = ann.graphql(PROFILE, json!({})).await?;
    assert_eq!(now.data()["me"]["firstName"], "Ann");
    assert_eq!(now.data()["me"]["phone"], Value::Null);
    finish(shop, redis).await
}
e2e!(a_profile_update_reports_every_bad_field_and_saves_nothing);

/// An address book holds at most 50 addresses: the 51st is refused (LIMIT_REACHED) and not
/// stored; deleting one makes room again.
async fn an_address_book_holds_fifty_addresses(backend: Backend) -> anyhow::Result<()> {
    let (shop, redis) = open_shop(backend, |_| {}).await?;
    let ann = shop.server.customer("ann@example.com").await?;
    let mut first = Value::Null;
    for n in 0..50 {
        let created = create(&ann, &format!("Street{n}"), None).await?;
        if n == 0 {
            first = created["id"].clone();
        }
    }
    let refused = ann
        .mutate(CREATE, json!({ "a": address("Onetoomany") }))
        .await?;
    assert_eq!(
        refused["userErrors"][0]["code"], "LIMIT_REACHED",
        "{refused}"
    );
    assert!(refused["address"].is_null());
    let count = |book: &Value| book["addresses"].as_array().map(Vec::len);
    assert_eq!(count(&book(&ann).await?), Some(50));
    let deleted = ann.mutate_ok(DELETE, json!({ "id": first })).await?;
    assert_eq!(deleted["deletedAddressId"], first);
    create(&ann, "Fitsnow", None).await?;
    assert_eq!(count(&book(&ann).await?), Some(50));
    finish(shop, redis).await
}
e2e!(an_address_book_holds_fifty_addresses);
