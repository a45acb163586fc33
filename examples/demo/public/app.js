// The page side of the tsrtc echo demo: WebSocket signaling to the server, one RTCPeerConnection
// to the Node peer, a chat over the "chat" data channel. Plain JavaScript, no build step.
"use strict";

const CHAT_LABEL = "chat";
const offerer = new URLSearchParams(location.search).get("offer") === "node" ? "node" : "browser";

const $ = (id) => document.getElementById(id);
const ui = {
  signaling: $("signaling-state"),
  ice: $("ice-state"),
  connection: $("connection-state"),
  channel: $("channel-state"),
  offerer: $("offerer"),
  pair: $("pair"),
  error: $("error"),
  messages: $("messages"),
  empty: $("empty"),
  form: $("chat-form"),
  input: $("chat-input"),
  send: $("chat-send"),
};

ui.offerer.textContent = offerer === "node" ? "the Node peer" : "this browser";
$(offerer === "node" ? "mode-node" : "mode-browser").setAttribute("aria-current", "page");

function showState(el, state, text) {
  el.dataset.state = state;
  el.textContent = text ?? state;
}

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = false;
}

// ---- signaling ---------------------------------------------------------------------------------

const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws?offer=${offerer}`);
const signal = (msg) => {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
};

let pc = null;
let channel = null;
// Messages are applied in arrival order: a candidate must not overtake the description before it.
let queue = Promise.resolve();

ws.onopen = () => showState(ui.signaling, "open");
ws.onclose = () => showState(ui.signaling, "closed");
ws.onerror = () => showError("The signaling WebSocket failed. Is the demo server running?");
ws.onmessage = (e) => {
  const msg = JSON.parse(e.data);
  queue = queue.then(() => onSignal(msg)).catch((err) => showError(`${err.name}: ${err.message}`));
};

async function onSignal(msg) {
  switch (msg.type) {
    case "hello":
      start(msg.offerer);
      if (msg.offerer === "browser") {
        useChannel(pc.createDataChannel(CHAT_LABEL));
        await pc.setLocalDescription();
        signal({ type: "description", description: pc.localDescription });
      }
      return;
    case "description":
      await pc.setRemoteDescription(msg.description);
      if (msg.description.type === "offer") {
        await pc.setLocalDescription();
        signal({ type: "description", description: pc.localDescription });
      }
      return;
    case "candidate":
      await pc.addIceCandidate(msg.candidate ?? undefined);
      return;
    case "error":
      showError(`Node peer: ${msg.message}`);
      return;
  }
}

// ---- the peer connection -----------------------------------------------------------------------

function start() {
  pc = new RTCPeerConnection();
  pc.onicecandidate = (e) => signal({ type: "candidate", candidate: e.candidate ? e.candidate.toJSON() : null });
  pc.oniceconnectionstatechange = () => showState(ui.ice, pc.iceConnectionState);
  pc.onconnectionstatechange = () => {
    showState(ui.connection, pc.connectionState);
    if (pc.connectionState === "connected") void showSelectedPair();
  };
  pc.ondatachannel = (e) => useChannel(e.channel);
}

async function showSelectedPair() {
  const stats = await pc.getStats();
  let pair = null;
  stats.forEach((s) => {
    if (s.type === "transport" && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
  });
  if (!pair) return;
  const local = stats.get(pair.localCandidateId);
  const remote = stats.get(pair.remoteCandidateId);
  if (!local || !remote) return;
  // Chromium hides its own address in stats while it uses mDNS host names.
  const here = local.address ? `${local.address}:${local.port}` : `port ${local.port}`;
  ui.pair.textContent = `Selected pair: this browser ${here} (${local.candidateType}) ⇄ Node ${remote.address}:${remote.port} (${remote.candidateType})`;
  ui.pair.hidden = false;
}

function useChannel(ch) {
  channel = ch;
  showState(ui.channel, ch.readyState);
  ch.onopen = () => {
    showState(ui.channel, "open");
    ui.input.disabled = false;
    ui.send.disabled = false;
    ui.input.focus();
  };
  ch.onclose = () => {
    showState(ui.channel, "closed");
    ui.input.disabled = true;
    ui.send.disabled = true;
  };
  ch.onmessage = (e) => onEcho(typeof e.data === "string" ? e.data : "(binary message)");
}

// ---- chat --------------------------------------------------------------------------------------

// Sent messages waiting for their echo, oldest first (the channel is reliable and ordered).
const pending = [];

function addMessage(kind, who, text) {
  ui.empty.hidden = true;
  const li = document.createElement("li");
  li.className = `msg ${kind}`;
  const label = document.createElement("span");
  label.className = "who";
  label.textContent = who;
  const body = document.createElement("span");
  body.className = "text";
  body.textContent = text;
  li.append(label, body);
  ui.messages.append(li);
  ui.messages.scrollTop = ui.messages.scrollHeight;
  return li;
}

function onEcho(text) {
  const li = addMessage("echo", "echo from Node", text);
  const sent = pending.shift();
  if (!sent) return;
  const rtt = document.createElement("span");
  rtt.className = "rtt";
  rtt.textContent = `${(performance.now() - sent.at).toFixed(1)} ms`;
  li.querySelector(".who").append(rtt);
}

ui.form.addEventListener("submit", (e) => {
  e.preventDefault();
  const text = ui.input.value;
  if (!text || !channel || channel.readyState !== "open") return;
  channel.send(text);
  pending.push({ at: performance.now() });
  addMessage("sent", "you", text);
  ui.input.value = "";
  ui.input.focus();
});
