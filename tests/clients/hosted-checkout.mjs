// Buys through the hosted checkout in a real browser (Chromium through playwright-core), as
// a shopper with JavaScript on: opens the cart's checkoutUrl, fills and submits each form,
// pays with the chosen provider, and reads the order status page. Then it waits for the page
// to show `wantedPayment` by itself (the test changes the order meanwhile).
//
// Usage: node hosted-checkout.mjs <checkoutUrl> <provider> <wantedPayment>
// Prints one JSON object per line: {"placed": …} once on the status page with its live
// updates running, then {"updated": …} when the payment status reads `wantedPayment`, or
// {"error": "…"}.
import { chromium } from 'playwright-core';

const [checkoutUrl, provider, wantedPayment] = process.argv.slice(2);
const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(15000);
  // Anything the page logs as an error (a CSP violation, a script failure) fails the test.
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
  page.on('pageerror', (error) => problems.push(String(error)));

  await page.goto(checkoutUrl);
  const lang = await page.getAttribute('html', 'lang');
  await page.getByLabel('Email').fill('browser@example.com');
  await page.getByLabel('Address', { exact: true }).fill('1 Browser Way');
  await page.getByLabel('City').fill('Springfield');
  await page.getByLabel('Postal code').fill('12345');
  await page.getByLabel('Country code').fill('US');
  await page.locator('#details-form button[type=submit]').click();
  await page.waitForURL(/done=details/);
  const saved = await page.getByRole('status').textContent();

  await page.locator('#shipping-form input[name=shippingMethod]').first().check();
  await page.locator('#shipping-form button[type=submit]').click();
  await page.waitForURL(/done=shipping/);

  await page.locator(`#provider-${provider}`).check();
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.waitForURL(/\/orders\/\d+\?key=/);
  const number = (await page.locator('#order-number').textContent()).trim();
  const paymentStatus = (await page.locator('#payment-status').textContent()).trim();
  // The script has subscribed once it shows this note.
  await page.locator('#live-note').waitFor({ state: 'visible' });
  print({ placed: { lang, saved, number, paymentStatus, path: new URL(page.url()).pathname } });

  await page.waitForFunction(
    (wanted) => document.getElementById('payment-status')?.textContent.trim() === wanted,
    wantedPayment,
    { timeout: 20000 },
  );
  const status = (await page.locator('#status').textContent()).trim();
  print({ updated: { paymentStatus: wantedPayment, status, problems } });
} catch (error) {
  print({ error: String(error?.stack ?? error) });
} finally {
  await browser.close();
}
