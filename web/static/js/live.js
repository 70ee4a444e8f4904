// The live websocket (/api/v1/live) with automatic reconnect. The server sends the current state on every
// connect, so a page only has to render what it is sent; onConnect lets teacher pages refetch what they
// may have missed while the link was down (responses are not replayed).

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;

export function connectLive({onEvent, onConnect = () => {}, onDisconnect = () => {}}) {
  let socket = null;
  let delay = FIRST_DELAY_MS;
  let timer = null;
  let stopped = false;

  function url() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/v1/live";
  }

  function scheduleReconnect() {
    if (stopped || timer) return;
    // Jitter spreads thirty phones out so they do not all knock at the same instant after a Wi-Fi blip.
    const wait = delay * (0.75 + Math.random() * 0.5);
    delay = Math.min(delay * 2, MAX_DELAY_MS);
    timer = setTimeout(() => { timer = null; open(); }, wait);
  }

  function open() {
    let opened = false;
    try {
      socket = new WebSocket(url());
    } catch {
      scheduleReconnect();
      return;
    }
    socket.addEventListener("open", () => {
      opened = true;
      delay = FIRST_DELAY_MS;
      onConnect();
    });
    socket.addEventListener("message", (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;  // not ours; ignore rather than break the page
      }
      onEvent(event);
    });
    socket.addEventListener("close", () => {
      if (opened) onDisconnect();
      scheduleReconnect();
    });
  }

  // A laptop waking from sleep: reconnect now instead of after the backoff.
  window.addEventListener("online", () => {
    if (socket && socket.readyState === WebSocket.CLOSED && timer) {
      clearTimeout(timer);
      timer = null;
      delay = FIRST_DELAY_MS;
      open();
    }
  });

  open();
  return {
    close() {
      stopped = true;
      clearTimeout(timer);
      if (socket) socket.close();
    },
  };
}
