//! Strings that reads compare with stored text (slugs, brand filters, cursors, sign-in
//! emails): a NUL there must not reach PostgreSQL, which refuses it in text.

use super::{Battery, Expect, PRODUCTS, short};
use e2e::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, TestServer, e2e};
use serde_json::{Value, json};

async fn reads_with_hostile_strings_answer_cleanly(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let mut b = Battery::new(&server).await?;
    for (case, query) in [
        (
            "product by NUL slug",
            "query($s: String!) { product(slug: $s) { id } }",
        ),
        (
            "category by NUL slug",
            "query($s: String!) { category(slug: $s) { id } }",
        ),
    ] {
        let r = b.send(query, json!({ "s": "lamp\u{0}" })).await?;
        b.check_clean(case, &r);
        // No such slug: null, as for any unknown slug (or the input guard's refusal).
        let data = r.body["data"].as_object().and_then(|d| d.values().next());
        let null = r.body.get("errors").is_none() && data == Some(&Value::Null);
        if !null && Expect::guard_nul().problem(&r).is_some() {
            let answer = short(&r.body);
            b.fail(case, format!("expected null (no such slug), got {answer}"));
        }
    }
    let q = "query($b: [String!]) { products(filter: { brands: $b }) { totalCount } }";
    let error = Expect::GraphqlError("BAD_USER_INPUT", &["filter.brands", "NUL"]);
    b.refused(
        "NUL in a brand filter",
        q,
        json!({ "b": ["Acme\u{0}"] }),
        error,
    )
    .await?;

    // A forged cursor whose name value holds a NUL.
    let forged =
        base64url(r#"{"k":"NAME:ASC","v":"\u0000","i":"00000000-0000-0000-0000-000000000000"}"#);
    let q = "query($c: String) { products(first: 2, after: $c, sortKey: NAME) { nodes { id } } }";
    // Base64 hides the NUL from the input guard: the cursor check itself must refuse it.
    let error = Expect::GraphqlError("BAD_USER_INPUT", &["cursor"]);
    b.refused("NUL in a cursor", q, json!({ "c": forged }), error)
        .await?;

    // Sign-in with an email that is no address: refused as such, before any account is
    // looked up (which tells nothing about which accounts exist).
    let q = "mutation($e: String!, $p: String!) { tokenCreate(email: $e, password: $p) { accessToken userErrors { field code message } } }";
    for (case, email) in [
        ("sign-in with NUL email", format!("{ADMIN_EMAIL}\u{0}")),
        ("sign-in with 100,000-character email", "e".repeat(100_000)),
    ] {
        let vars = json!({ "e": email, "p": ADMIN_PASSWORD });
        let error = Expect::UserError("INVALID", &["email"]).or_guard_when_nul(&email);
        b.refused(case, q, vars, error).await?;
    }
    b.finish()?;
    server.stop().await
}
e2e!(reads_with_hostile_strings_answer_cleanly);

/// Unpadded base64url, as cursors are encoded.
fn base64url(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
        }
    }
    out
}
