// Subscribes to stockChanged with the graphql-ws npm client (graphql-transport-ws), as a
// storefront would, and prints one JSON line per message:
//   node watch-stock.mjs ws://127.0.0.1:8000/graphql <variantId> <events to wait for>
// First line: {"connected":true} once the server acknowledged connection_init.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, variantId, wanted] = process.argv.slice(2);
const query = `subscription($v: [ID!]) {
  stockChanged(variantIds: $v) { eventId variantId available inStock resync }
}`;
const print = (value) => process.stdout.write(JSON.stringify(value) + "\n");

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  retryAttempts: 0,
  on: { connected: () => print({ connected: true }) },
});
let seen = 0;
client.subscribe(
  { query, variables: { v: [variantId] } },
  {
    next: (result) => {
      print(result);
      seen += 1;
      if (seen >= Number(wanted)) {
        client.dispose();
        process.exit(0);
      }
    },
    error: (error) => {
      print({ error: String(error?.message ?? JSON.stringify(error)) });
      process.exit(2);
    },
    complete: () => process.exit(3),
  },
);
