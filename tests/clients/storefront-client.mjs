// Shopify's official Storefront API client (@shopify/storefront-api-client) pointed at
// shopgraph's Shopify-shaped endpoint: a product page, a collection page, add to cart,
// change a quantity, remove the line. Prints one JSON line per step for the Rust test.
//
//   node storefront-client.mjs <http://host:port> <api version> <storefront token>
//
// The client only speaks https (it rewrites any store domain to https://); in production
// shopgraph sits behind TLS. The tests serve plain http on a loopback port, so the client's
// own `customFetchApi` hook sends its requests there over http, unchanged otherwise.
import { createStorefrontApiClient } from '@shopify/storefront-api-client';

const [base, apiVersion, publicAccessToken] = process.argv.slice(2);
const origin = new URL(base);
const client = createStorefrontApiClient({
  storeDomain: origin.host,
  apiVersion,
  publicAccessToken,
  customFetchApi: (url, init) => fetch(url.replace(/^https:/, 'http:'), init),
});

const print = (step, value) => console.log(JSON.stringify({ step, ...value }));

async function run(operation, variables) {
  const { data, errors } = await client.request(operation, { variables });
  if (errors) throw new Error(JSON.stringify(errors));
  return data;
}

const listing = await run(`query Listing {
  products(first: 3, sortKey: TITLE) { edges { node { handle } } }
}`);
const handle = listing.products.edges[0].node.handle;

const productPage = await run(`query ProductPage($handle: String!) {
  product(handle: $handle) {
    id handle title descriptionHtml availableForSale tags
    options { name values }
    priceRange { minVariantPrice { amount currencyCode } }
    featuredImage { url altText }
    variants(first: 10) { edges { node { id title availableForSale price { amount currencyCode } } } }
    seo { title description }
  }
}`, { handle });
const variant = productPage.product.variants.edges.map((e) => e.node).find((v) => v.availableForSale);
print('product', {
  handle: productPage.product.handle,
  title: productPage.product.title,
  variants: productPage.product.variants.edges.length,
  currency: productPage.product.priceRange.minVariantPrice.currencyCode,
});

const collectionPage = await run(`query CollectionPage($handle: String!) {
  collection(handle: $handle) {
    title
    products(first: 20, sortKey: COLLECTION_DEFAULT) { edges { node { handle title } } }
  }
}`, { handle: 'hidden-homepage-featured-items' });
print('collection', {
  title: collectionPage.collection.title,
  products: collectionPage.collection.products.edges.length,
});

const CART = `fragment CartView on Cart {
  id checkoutUrl totalQuantity
  cost { subtotalAmount { amount currencyCode } totalAmount { amount } }
  lines(first: 10) { edges { node { id quantity merchandise { ... on ProductVariant { id } } } } }
}`;
const created = await run(`mutation Add($lines: [CartLineInput!]) {
  cartCreate(input: { lines: $lines }) { cart { ...CartView } userErrors { code message } }
} ${CART}`, { lines: [{ merchandiseId: variant.id, quantity: 1 }] });
const cart = created.cartCreate.cart;
print('added', {
  checkoutUrl: cart.checkoutUrl,
  quantity: cart.totalQuantity,
  merchandise: cart.lines.edges[0].node.merchandise.id === variant.id,
  userErrors: created.cartCreate.userErrors.length,
});

const line = cart.lines.edges[0].node;
const updated = await run(`mutation Update($cartId: ID!, $lines: [CartLineUpdateInput!]!) {
  cartLinesUpdate(cartId: $cartId, lines: $lines) { cart { ...CartView } userErrors { code message } }
} ${CART}`, { cartId: cart.id, lines: [{ id: line.id, quantity: 2 }] });
print('updated', {
  quantity: updated.cartLinesUpdate.cart.totalQuantity,
  subtotal: updated.cartLinesUpdate.cart.cost.subtotalAmount.amount,
  unit: variant.price.amount,
});

const removed = await run(`mutation Remove($cartId: ID!, $lineIds: [ID!]!) {
  cartLinesRemove(cartId: $cartId, lineIds: $lineIds) { cart { ...CartView } userErrors { code message } }
} ${CART}`, { cartId: cart.id, lineIds: [line.id] });
print('removed', {
  quantity: removed.cartLinesRemove.cart.totalQuantity,
  lines: removed.cartLinesRemove.cart.lines.edges.length,
});
