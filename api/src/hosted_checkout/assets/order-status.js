// Live status for the order status page. The page is complete without this script; with it,
// the page follows the order over the server's own /graphql websocket (graphql-transport-ws,
// the `orderUpdated` subscription a guest opens with the order's access key from the page's
// address) and writes each change into the aria-live region, so screen readers hear it.
(() => {
  'use strict';
  const section = document.getElementById('order-status');
  const key = new URLSearchParams(window.location.search).get('key');
  if (!section || !key || !('WebSocket' in window)) return;
  const orderId = section.dataset.orderId;
  const query = 'subscription($id: ID!, $key: String) { orderUpdated(orderId: $id, accessKey: $key) { status paymentStatus fulfillmentStatus } }';
  const fields = { status: 'status', paymentStatus: 'payment-status', fulfillmentStatus: 'fulfillment-status' };
  // Same wording as the server's: PARTIALLY_FULFILLED reads "Partially fulfilled".
  const label = (value) => {
    const words = String(value).toLowerCase().replace(/_/g, ' ');
    return words.charAt(0).toUpperCase() + words.slice(1);
  };
  const show = (order) => {
    for (const [field, id] of Object.entries(fields)) {
      const element = document.getElementById(id);
      const value = order[field];
      if (element && value && element.dataset.value !== value) {
        element.dataset.value = value;
        element.textContent = label(value);
      }
    }
  };
  let attempts = 0;
  const connect = () => {
    const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${window.location.host}/graphql`, 'graphql-transport-ws');
    let finished = false;
    socket.addEventListener('open', () => {
      socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    });
    socket.addEventListener('message', (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      switch (message.type) {
        case 'connection_ack':
          attempts = 0;
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables: { id: orderId, key } } }));
          document.getElementById('live-note')?.removeAttribute('hidden');
          break;
        case 'ping':
          socket.send(JSON.stringify({ type: 'pong' }));
          break;
        case 'next':
          if (message.payload?.data?.orderUpdated) show(message.payload.data.orderUpdated);
          break;
        case 'error':
        case 'complete':
          // Refused (a key that no longer opens the order) or ended: the page stays as it is.
          finished = true;
          socket.close(1000);
          break;
        default:
          break;
      }
    });
    socket.addEventListener('close', () => {
      document.getElementById('live-note')?.setAttribute('hidden', '');
      if (finished || attempts >= 5) return;
      attempts += 1;
      // The server restarted or the network blinked: try again, a little later each time.
      window.setTimeout(connect, 1000 * 2 ** attempts);
    });
  };
  connect();
})();
