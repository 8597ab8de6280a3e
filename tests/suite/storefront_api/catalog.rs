//! Catalog pages through the Shopify-shaped endpoint: product and collection pages (with
//! their statement counts pinned), listings in Shopify's sort keys, search syntax, menus,
//! pages, recommendations, global ids and `@inContext`.

use super::{PRODUCT_FIELDS, Storefront, nodes};
use e2e::{Backend, TestServer, e2e};
use serde_json::{Value, json};

const PRODUCTS: usize = 40;

fn product_query() -> String {
    format!(
        "query($handle: String!) {{ product(handle: $handle) {{ ...productFields }} }} {PRODUCT_FIELDS}"
    )
}

fn amount(money: &Value) -> f64 {
    money["amount"].as_str().unwrap().parse().unwrap()
}

async fn a_product_page_reads_like_shopify(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, PRODUCTS).await?;
    let shop = Storefront::new(&server);
    let listed = shop
        .data(
            "{ products(first: 1) { edges { node { handle } } } }",
            json!({}),
        )
        .await?;
    let handle = nodes(&listed["products"])[0]["handle"]
        .as_str()
        .unwrap()
        .to_owned();

    let page = shop
        .query(&product_query(), json!({ "handle": handle }))
        .await?;
    let product = &page.data()["product"];
    assert_eq!(product["handle"], handle.as_str());
    let id = product["id"].as_str().unwrap();
    assert!(id.starts_with("gid://shopgraph/Product/"), "{id}");
    assert!(
        product["description"]
            .as_str()
            .unwrap()
            .contains("made to last")
    );
    assert_eq!(product["seo"]["title"], product["title"]);
    assert!(!product["tags"].as_array().unwrap().is_empty());
    let variants = nodes(&product["variants"]);
    assert!(!variants.is_empty());
    for variant in &variants {
        assert!(
            variant["id"]
                .as_str()
                .unwrap()
                .starts_with("gid://shopgraph/ProductVariant/")
        );
        assert_eq!(variant["price"]["currencyCode"], "USD");
        assert!(amount(&variant["price"]) > 0.0);
    }
    // The range spans the variants' prices; the options are what the variants differ in.
    let prices: Vec<f64> = variants.iter().map(|v| amount(&v["price"])).collect();
    let min = prices.iter().cloned().fold(f64::MAX, f64::min);
    let max = prices.iter().cloned().fold(f64::MIN, f64::max);
    assert_eq!(amount(&product["priceRange"]["minVariantPrice"]), min);
    assert_eq!(amount(&product["priceRange"]["maxVariantPrice"]), max);
    let option_names: Vec<&str> = product["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    let first_selected = variants[0]["selectedOptions"].as_array().unwrap();
    for selected in first_selected {
        assert!(option_names.contains(&selected["name"].as_str().unwrap()));
    }
    let available = variants.iter().any(|v| v["availableForSale"] == true);
    assert_eq!(product["availableForSale"], available);
    let images = nodes(&product["images"]);
    assert_eq!(
        images.len(),
        2,
        "the demo seed gives each product two images"
    );
    assert_eq!(product["featuredImage"], images[0]);
    // Product, its offers (variants, prices, stock) and its images: batched reads.
    let statements = page.sql_statements.unwrap();
    eprintln!("compat product page: {statements} statements");
    assert!(
        statements <= 6,
        "the product page took {statements} statements"
    );

    // The same product by global id; ids of another type or malformed are refused.
    let by_id = shop
        .data(
            "query($id: ID!) { product(id: $id) { handle } }",
            json!({ "id": id }),
        )
        .await?;
    assert_eq!(by_id["product"]["handle"], handle.as_str());
    let wrong = shop
        .query(
            "query($id: ID!) { product(id: $id) { handle } }",
            json!({ "id": variants[0]["id"] }),
        )
        .await?;
    assert_eq!(wrong.error_code(), Some("BAD_USER_INPUT"));
    assert!(
        wrong.error_message().contains("ProductVariant"),
        "{}",
        wrong.body
    );
    let unknown = shop
        .data(&product_query(), json!({ "handle": "no-such-product" }))
        .await?;
    assert_eq!(unknown["product"], Value::Null);

    // Recommendations: other products, never the product itself.
    let recommended = shop
        .data(
            "query($id: ID!) { productRecommendations(productId: $id) { id handle } }",
            json!({ "id": id }),
        )
        .await?;
    let recommended = recommended["productRecommendations"].as_array().unwrap();
    assert!(!recommended.is_empty());
    assert!(recommended.iter().all(|p| p["id"] != id));
    server.stop().await
}
e2e!(a_product_page_reads_like_shopify);

async fn listings_follow_shopify_sort_keys_and_search_syntax(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, PRODUCTS).await?;
    server.index_catalog().await?;
    let shop = Storefront::new(&server);
    const LIST: &str = "query($sortKey: ProductSortKeys, $reverse: Boolean, $query: String) {
      products(first: 100, sortKey: $sortKey, reverse: $reverse, query: $query) {
        edges { node { id title tags vendor availableForSale
          priceRange { minVariantPrice { amount } } } }
        pageInfo { hasNextPage }
      } }";
    let list = |sort: &str, reverse: bool, query: Option<&str>| {
        let variables = json!({ "sortKey": sort, "reverse": reverse, "query": query });
        let shop = &shop;
        async move {
            let data = shop.data(LIST, variables).await?;
            anyhow::Ok(nodes(&data["products"]))
        }
    };
    let by_title = list("TITLE", false, None).await?;
    let titles: Vec<String> = by_title
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_owned())
        .collect();
    let mut sorted = titles.clone();
    sorted.sort();
    assert_eq!(titles, sorted);
    let reversed: Vec<String> = list("TITLE", true, None)
        .await?
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_owned())
        .collect();
    sorted.reverse();
    assert_eq!(reversed, sorted);
    let by_price: Vec<f64> = list("PRICE", false, None)
        .await?
        .iter()
        .map(|p| amount(&p["priceRange"]["minVariantPrice"]))
        .collect();
    assert!(by_price.windows(2).all(|w| w[0] <= w[1]), "{by_price:?}");
    assert!(by_price.len() > 10);

    // Search syntax: a tag, a vendor, free text; each answer is exactly what matches.
    let tag = by_title[0]["tags"][0].as_str().unwrap().to_owned();
    let tagged = list("RELEVANCE", false, Some(&format!("tag:{tag}"))).await?;
    let expected = by_title
        .iter()
        .filter(|p| p["tags"].as_array().unwrap().contains(&json!(tag)))
        .count();
    assert_eq!(tagged.len(), expected, "tag:{tag}");
    assert!(
        tagged
            .iter()
            .all(|p| p["tags"].as_array().unwrap().contains(&json!(tag)))
    );
    let vendor = by_title[0]["vendor"].as_str().unwrap().to_owned();
    let by_vendor = list("RELEVANCE", false, Some(&format!("vendor:\"{vendor}\""))).await?;
    assert!(!by_vendor.is_empty());
    assert!(by_vendor.iter().all(|p| p["vendor"] == vendor.as_str()));
    let word = titles[0].split_whitespace().last().unwrap().to_owned();
    let found = list("RELEVANCE", false, Some(&word)).await?;
    assert!(
        found.iter().any(|p| p["title"] == titles[0].as_str()),
        "{word}"
    );
    let in_stock = list("RELEVANCE", false, Some("available_for_sale:true")).await?;
    assert!(!in_stock.is_empty());
    assert!(in_stock.iter().all(|p| p["availableForSale"] == true));

    let refused = shop.query(LIST, json!({ "query": "shoe OR boot" })).await?;
    assert_eq!(refused.error_code(), Some("BAD_USER_INPUT"));
    assert!(refused.error_message().contains("OR"), "{}", refused.body);
    server.stop().await
}
e2e!(listings_follow_shopify_sort_keys_and_search_syntax);

async fn a_collection_page_menus_and_pages(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, PRODUCTS).await?;
    let shop = Storefront::new(&server);
    let query = format!(
        "query($handle: String!, $sortKey: ProductCollectionSortKeys, $reverse: Boolean) {{
          collection(handle: $handle) {{ id handle title description seo {{ title description }} updatedAt
            products(first: 100, sortKey: $sortKey, reverse: $reverse) {{ edges {{ node {{ ...productFields }} }} }} }} }}
        {PRODUCT_FIELDS}"
    );
    let page = shop
        .query(
            &query,
            json!({ "handle": "hidden-homepage-featured-items" }),
        )
        .await?;
    let collection = &page.data()["collection"];
    assert!(
        collection["id"]
            .as_str()
            .unwrap()
            .starts_with("gid://shopgraph/Collection/")
    );
    let members = nodes(&collection["products"]);
    assert_eq!(
        members.len(),
        3,
        "the seeded home page collection holds three products"
    );
    let statements = page.sql_statements.unwrap();
    eprintln!("compat collection page: {statements} statements");
    assert!(
        statements <= 6,
        "the collection page took {statements} statements"
    );

    let by_price = shop
        .data(
            &query,
            json!({ "handle": "footwear-edit", "sortKey": "PRICE", "reverse": true }),
        )
        .await?;
    let prices: Vec<f64> = nodes(&by_price["collection"]["products"])
        .iter()
        .map(|p| amount(&p["priceRange"]["minVariantPrice"]))
        .collect();
    assert!(prices.len() > 1);
    assert!(prices.windows(2).all(|w| w[0] >= w[1]), "{prices:?}");

    let all = shop
        .data(
            "{ collections(first: 100, sortKey: TITLE) { edges { node { handle title } } } }",
            json!({}),
        )
        .await?;
    let handles: Vec<Value> = nodes(&all["collections"])
        .iter()
        .map(|c| c["handle"].clone())
        .collect();
    for handle in [
        "hidden-homepage-carousel",
        "hidden-homepage-featured-items",
        "footwear-edit",
    ] {
        assert!(handles.contains(&json!(handle)), "{handle}");
    }

    let menu = shop
        .data(
            "query($handle: String!) { menu(handle: $handle) { id items { title url items { title url } } } }",
            json!({ "handle": "next-js-frontend-header-menu" }),
        )
        .await?;
    let items = menu["menu"]["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|i| i["url"].is_string() && i["title"].is_string())
    );
    const PAGE: &str = "fragment p on Page { id title handle body bodySummary seo { title description } createdAt updatedAt }";
    let about = shop
        .data(
            &format!("query($h: String!) {{ a: pageByHandle(handle: $h) {{ ...p }} b: page(handle: $h) {{ ...p }} }} {PAGE}"),
            json!({ "h": "about" }),
        )
        .await?;
    assert_eq!(about["a"], about["b"]);
    assert!(
        about["a"]["id"]
            .as_str()
            .unwrap()
            .starts_with("gid://shopgraph/Page/")
    );
    assert!(
        about["a"]["body"].as_str().unwrap().contains('<'),
        "HTML body"
    );
    let pages = shop
        .data(
            &format!("{{ pages(first: 100) {{ edges {{ node {{ ...p }} }} }} }} {PAGE}"),
            json!({}),
        )
        .await?;
    let page_handles: Vec<Value> = nodes(&pages["pages"])
        .iter()
        .map(|p| p["handle"].clone())
        .collect();
    assert!(page_handles.contains(&json!("about")));
    assert!(page_handles.contains(&json!("shipping-returns")));
    server.stop().await
}
e2e!(a_collection_page_menus_and_pages);

async fn in_context_country_picks_the_currency(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 5).await?;
    let shop = Storefront::new(&server);
    const PRICES: &str = "query($country: CountryCode, $language: LanguageCode) @inContext(country: $country, language: $language) {
      products(first: 1) { edges { node { priceRange { minVariantPrice { amount currencyCode } }
        variants(first: 1) { edges { node { price { currencyCode } } } } } } } }";
    let price_of =
        |data: &Value| nodes(&data["products"])[0]["priceRange"]["minVariantPrice"].clone();
    let german = shop
        .data(PRICES, json!({ "country": "DE", "language": "DE" }))
        .await?;
    assert_eq!(price_of(&german)["currencyCode"], "EUR");
    assert_eq!(
        nodes(&nodes(&german["products"])[0]["variants"])[0]["price"]["currencyCode"],
        "EUR"
    );
    // A country whose currency the store does not price in: the store's default.
    let brazilian = shop.data(PRICES, json!({ "country": "BR" })).await?;
    assert_eq!(price_of(&brazilian)["currencyCode"], "USD");
    let none = shop.data(PRICES, json!({})).await?;
    assert_eq!(price_of(&none)["currencyCode"], "USD");
    assert_ne!(price_of(&german)["amount"], Value::Null);
    server.stop().await
}
e2e!(in_context_country_picks_the_currency);
