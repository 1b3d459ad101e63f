// The sandbox's web chat: one person at a time, their chats with the bot, live over server-sent
// events. Everything shown comes from the sandbox's own record of each chat.

const $ = (selector) => document.querySelector(selector);

const view = {
  state: null,
  personId: null,
  chatId: null,
  stream: null,
  next: 0, // index of the next chat event expected
  replyKeyboard: null,
  city: null,
  // Telegram's exponent for each currency an invoice in this page has shown, from the
  // sandbox's chat events: amounts count units of 10**-exp, and Telegram's exp is not always
  // the ISO one Intl knows (hundredths of a forint, a rupiah or a rial).
  exponents: {},
  // Invoices of this chat already paid: Telegram shows their receipt, not a Pay button.
  paidInvoices: new Set(),
};

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok || body.ok === false) {
    throw new Error(body.description || `${response.status} ${response.statusText}`);
  }
  return body;
}

const post = (path, body) =>
  api(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

const personPath = (action) => `/sandbox/api/people/${view.personId}/${action}`;

// --- people and chats -------------------------------------------------------------------------

async function loadState() {
  view.state = await api("/sandbox/api/state");
  view.city = view.state.city;
  $("#bot-name").textContent = `Bot: @${view.state.bot.username}`;
  const select = $("#person-select");
  select.replaceChildren(
    ...view.state.people.map((person) => new Option(person.first_name, person.id)),
  );
}

function chatsOf(personId) {
  const bot = { id: personId, title: `${view.state.bot.first_name} (bot)`, type: "private" };
  const groups = view.state.groups.filter((group) => group.members.includes(personId));
  return [bot, ...groups];
}

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  return { person: Number(params.get("person")), chat: Number(params.get("chat")) };
}

function writeHash() {
  history.replaceState(null, "", `#person=${view.personId}&chat=${view.chatId}`);
}

async function choosePerson(personId, chatId) {
  view.personId = personId;
  $("#person-select").value = String(personId);
  const chats = chatsOf(personId);
  const list = $("#chat-list");
  list.replaceChildren(
    ...chats.map((chat) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.textContent = chat.type === "private" ? `💬 ${chat.title}` : `👥 ${chat.title}`;
      button.dataset.chatId = chat.id;
      button.addEventListener("click", () => openChat(chat.id));
      item.append(button);
      return item;
    }),
  );
  const chosen = chats.find((chat) => chat.id === chatId) || chats[0];
  await openChat(chosen.id);
}

function currentChat() {
  return chatsOf(view.personId).find((chat) => chat.id === view.chatId);
}

async function openChat(chatId) {
  view.stream?.close();
  view.chatId = chatId;
  view.next = 0;
  view.paidInvoices = new Set();
  writeHash();
  for (const button of document.querySelectorAll("#chat-list button")) {
    button.setAttribute("aria-current", String(Number(button.dataset.chatId) === chatId));
  }
  const chat = currentChat();
  $("#chat-title").textContent = chat.title;
  const isPrivate = chat.type === "private";
  $("#location-button").disabled = !isPrivate;
  $("#photo-input").disabled = !isPrivate;
  $("#document-input").disabled = !isPrivate;
  $("#messages").replaceChildren();
  const { events, reply_keyboard: keyboard } = await api(`/sandbox/api/chats/${chatId}/events`);
  for (const event of events) apply(event, false);
  showReplyKeyboard(keyboard);
  listen(chatId);
}

function listen(chatId) {
  const stream = new EventSource(`/sandbox/api/chats/${chatId}/stream?after=${view.next}`);
  view.stream = stream;
  stream.onmessage = (message) => apply(JSON.parse(message.data), true);
  stream.onerror = () => {
    stream.close();
    // Reconnect from where this view stopped, so nothing is shown twice or lost.
    setTimeout(() => view.chatId === chatId && view.stream === stream && listen(chatId), 1000);
  };
}

// --- chat events --------------------------------------------------------------------------------

function apply(event, live) {
  if (event.index < view.next) return;
  view.next = event.index + 1;
  Object.assign(view.exponents, event.currency_exponents);
  switch (event.kind) {
    case "message":
      showAction(null);
    // falls through
    case "sent":
      $("#messages").append(renderMessage(event.message));
      if (event.kind === "message" && live) showReplyKeyboard(event.reply_keyboard);
      scrollDown();
      break;
    case "edited": {
      const old = messageElement(event.message.message_id);
      if (old) old.replaceWith(renderMessage(event.message));
      break;
    }
    case "deleted":
      messageElement(event.message_id)?.remove();
      break;
    case "callback_answer":
      if (live && event.text) toast(event.text, event.show_alert);
      break;
    case "invoice_paid": {
      view.paidInvoices.add(event.message_id);
      const invoice = messageElement(event.message_id);
      if (invoice) invoice.replaceWith(renderMessage(invoice.message));
      break;
    }
    case "payment_failed":
      if (live) toast(event.error_message, true);
      break;
    case "chat_action":
      if (live) showAction(event.action);
      break;
  }
}

// What Telegram shows under the chat's name while the bot works: until its next message, or
// for five seconds at most.
const ACTIONS = {
  typing: "typing…", find_location: "finding location…", upload_photo: "sending a photo…",
  upload_document: "sending a file…", choose_sticker: "choosing a sticker…",
};
let actionTimer = null;

function showAction(action) {
  const line = $("#chat-action");
  clearTimeout(actionTimer);
  const bot = view.state?.bot?.first_name || "The bot";
  line.textContent = action ? `${bot} is ${ACTIONS[action] || "busy…"}` : "";
  line.hidden = !action;
  if (action) actionTimer = setTimeout(() => showAction(null), 5000);
}

const messageElement = (id) => $(`#messages [data-message-id="${id}"]`);

function scrollDown() {
  const list = $("#messages");
  list.scrollTop = list.scrollHeight;
}

function renderMessage(message) {
  const item = document.createElement("li");
  item.dataset.messageId = message.message_id;
  item.message = message;
  if (message.successful_payment) {
    const paid = message.successful_payment;
    item.className = "service";
    item.textContent = `You paid ${money(paid.total_amount, paid.currency)}`;
    return item;
  }
  const mine = message.from?.id === view.personId;
  item.className = mine ? "message mine" : "message";
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  if (!mine && message.chat.type !== "private") {
    const sender = document.createElement("div");
    sender.className = "sender";
    sender.textContent = message.from.first_name;
    bubble.append(sender);
  }
  if (message.photo) {
    const image = document.createElement("img");
    image.src = `/sandbox/api/files/${encodeURIComponent(message.photo.at(-1).file_id)}`;
    image.alt = "Photo";
    bubble.append(image);
  }
  if (message.document) {
    const file = document.createElement("div");
    file.className = "document";
    file.textContent = `📄 ${message.document.file_name ?? "file"}`;
    bubble.append(file);
  }
  if (message.venue || message.location) bubble.append(renderPlace(message));
  if (message.invoice) bubble.append(renderInvoice(message));
  const text = message.text ?? message.caption;
  if (text) {
    const body = document.createElement("div");
    body.className = "text";
    body.append(formatted(text, message.entities ?? message.caption_entities));
    bubble.append(body);
  }
  const meta = document.createElement("div");
  meta.className = "meta";
  const time = new Date(message.date * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  meta.textContent = message.edit_date ? `edited ${time}` : time;
  bubble.append(meta);
  item.append(bubble);
  const keyboard = message.reply_markup?.inline_keyboard;
  if (keyboard) item.append(renderInlineKeyboard(message, keyboard));
  return item;
}

function renderPlace(message) {
  const place = document.createElement("div");
  place.className = "place";
  const location = message.venue?.location ?? message.location;
  const pin = document.createElement("span");
  pin.className = "pin";
  pin.textContent = "📍";
  const words = document.createElement("div");
  if (message.venue) {
    const title = document.createElement("div");
    title.className = "strong";
    title.textContent = message.venue.title;
    words.append(title, message.venue.address);
  } else {
    words.textContent = location.live_period ? "Live location" : "Location";
  }
  const where = document.createElement("div");
  where.className = "muted";
  where.textContent = `${location.latitude.toFixed(5)}, ${location.longitude.toFixed(5)}`;
  words.append(where);
  place.append(pin, words);
  return place;
}

function renderInvoice(message) {
  const { invoice } = message;
  const block = document.createElement("div");
  block.className = "invoice";
  const title = document.createElement("div");
  title.className = "strong";
  title.textContent = invoice.title;
  const description = document.createElement("div");
  description.textContent = invoice.description;
  const amount = document.createElement("div");
  amount.className = "amount";
  amount.textContent = money(invoice.total_amount, invoice.currency);
  block.append(title, description, amount);
  if (view.paidInvoices.has(message.message_id)) {
    block.classList.add("paid");
    const receipt = document.createElement("div");
    receipt.className = "receipt";
    receipt.textContent = "✓ Paid · Receipt";
    block.append(receipt);
  } else if (!message.reply_markup && message.chat.type === "private") {
    const pay = document.createElement("button");
    pay.textContent = `Pay ${amount.textContent}`;
    pay.addEventListener("click", () => openPayment(message));
    block.append(pay);
  }
  return block;
}

function renderInlineKeyboard(message, rows) {
  const keyboard = document.createElement("div");
  keyboard.className = "inline-keyboard";
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "row";
    for (const button of row) line.append(renderInlineButton(message, button));
    keyboard.append(line);
  }
  return keyboard;
}

function renderInlineButton(message, button) {
  if (button.url) {
    const link = safeLink(button.url);
    link.textContent = button.text;
    link.addEventListener("click", (event) => {
      if (openBotLink(button.url)) event.preventDefault();
    });
    return link;
  }
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = button.text;
  if (button.pay) {
    element.addEventListener("click", () => openPayment(message));
  } else if (button.callback_data !== undefined) {
    element.addEventListener("click", () => press(message, button.callback_data, element));
  } else {
    element.disabled = true;
  }
  return element;
}

async function press(message, data, element) {
  element.disabled = true;
  try {
    await post(personPath("press"), { chat_id: view.chatId, message_id: message.message_id, data });
  } catch (error) {
    toast(error.message, true);
  } finally {
    element.disabled = false;
  }
}

// Telegram's entities, offsets in UTF-16 code units as JavaScript strings count them.
const ENTITY_TAGS = { bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "code" };

function formatted(text, entities = []) {
  const fragment = document.createDocumentFragment();
  const cuts = new Set([0, text.length]);
  for (const entity of entities) {
    cuts.add(entity.offset);
    cuts.add(Math.min(entity.offset + entity.length, text.length));
  }
  const points = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i < points.length - 1; i += 1) {
    const [start, end] = [points[i], points[i + 1]];
    let node = document.createTextNode(text.slice(start, end));
    for (const entity of entities) {
      if (entity.offset <= start && end <= entity.offset + entity.length) {
        node = wrapInEntity(node, entity, text);
      }
    }
    fragment.append(node);
  }
  return fragment;
}

function wrapInEntity(node, entity, text) {
  let element;
  if (entity.type === "text_link") element = safeLink(entity.url);
  else if (entity.type === "url") element = safeLink(text.slice(entity.offset, entity.offset + entity.length));
  else if (entity.type === "spoiler") element = Object.assign(document.createElement("span"), { className: "spoiler" });
  else if (entity.type.endsWith("blockquote")) element = Object.assign(document.createElement("span"), { className: "quote" });
  else if (ENTITY_TAGS[entity.type]) element = document.createElement(ENTITY_TAGS[entity.type]);
  else return node;
  element.append(node);
  return element;
}

function safeLink(url) {
  const link = document.createElement("a");
  if (/^(https?|tg):/i.test(url)) link.href = url;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  return link;
}

// An amount as Telegram counts it (total_amount, a price), in units of 10**-exp of the currency.
function money(amount, currency) {
  const usual = new Intl.NumberFormat(undefined, { style: "currency", currency }).resolvedOptions();
  const exp = view.exponents[currency] ?? usual.maximumFractionDigits;
  const format = new Intl.NumberFormat(undefined, {
    style: "currency",
    currency,
    minimumFractionDigits: Math.min(usual.minimumFractionDigits, exp),
    maximumFractionDigits: exp,
  });
  return format.format(amount / 10 ** exp);
}

// --- the reply keyboard and the composer --------------------------------------------------------

function showReplyKeyboard(markup) {
  view.replyKeyboard = markup?.keyboard ? markup : null;
  const box = $("#reply-keyboard");
  box.hidden = !view.replyKeyboard;
  $("#text-input").placeholder = view.replyKeyboard?.input_field_placeholder || "Message";
  if (!view.replyKeyboard) return box.replaceChildren();
  box.replaceChildren(
    ...view.replyKeyboard.keyboard.map((row) => {
      const line = document.createElement("div");
      line.className = "row";
      for (const button of row) {
        const element = document.createElement("button");
        element.type = "button";
        element.textContent = button.text;
        element.addEventListener("click", () => pressReplyButton(button));
        line.append(element);
      }
      return line;
    }),
  );
}

async function pressReplyButton(button) {
  if (view.replyKeyboard?.one_time_keyboard) $("#reply-keyboard").hidden = true;
  if (button.request_location) return openMap();
  await sendText(button.text);
}

async function sendText(text) {
  if (!text.trim()) return;
  try {
    await post(personPath("send"), { chat_id: view.chatId, text });
  } catch (error) {
    toast(error.message, true);
  }
}

// --- inline mode: "@bot place" in any chat offers the bot's cards to send there ---------------

async function inlineQuery(query) {
  const list = $("#inline-results");
  list.replaceChildren();
  try {
    const answer = await post(personPath("inline"), { query, location: view.lastLocation || null });
    for (const result of answer.results) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = `${result.title || ""} — ${result.description || ""}`;
      button.addEventListener("click", async () => {
        list.hidden = true;
        try {
          await post(personPath("choose"), { chat_id: view.chatId, query, result });
        } catch (error) {
          toast(error.message, true);
        }
      });
      item.append(button);
      list.append(item);
    }
    if (!answer.results.length) toast(answer.button?.text || "No results");
    list.hidden = !answer.results.length;
  } catch (error) {
    toast(error.message, true);
  }
}

// A link to the bot opens its chat with /start and the link's parameter, as Telegram's apps do.
function openBotLink(url) {
  const match = new RegExp(`^https://t\\.me/${view.state.bot.username}\\?start=([\\w-]{1,64})$`).exec(url);
  if (!match) return false;
  openChat(view.personId).then(() => sendText(`/start ${match[1]}`));
  return true;
}

async function sendDocument(file) {
  const form = new FormData();
  form.append("document", file);
  try {
    await api(personPath("document"), { method: "POST", body: form });
  } catch (error) {
    toast(error.message, true);
  }
}

async function sendPhoto(file) {
  const form = new FormData();
  form.append("photo", file);
  try {
    await api(personPath("photo"), { method: "POST", body: form });
  } catch (error) {
    toast(error.message, true);
  }
}

// --- the offline map --------------------------------------------------------------------------

const SVG = "http://www.w3.org/2000/svg";
const MAP_WIDTH = 1000;

function mapShape() {
  const { south, west, north, east } = view.city.bounds;
  const squeeze = Math.cos(((south + north) / 2) * (Math.PI / 180));
  return { south, west, north, east, height: Math.round((MAP_WIDTH * (north - south)) / ((east - west) * squeeze)) };
}

function svg(name, attributes) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

function drawMap() {
  const map = $("#map");
  if (!view.city) {
    map.hidden = true;
    return;
  }
  const { height } = mapShape();
  map.setAttribute("viewBox", `0 0 ${MAP_WIDTH} ${height}`);
  const parts = [];
  for (let x = 100; x < MAP_WIDTH; x += 100) parts.push(svg("line", { class: "grid", x1: x, y1: 0, x2: x, y2: height }));
  for (let y = 100; y < height; y += 100) parts.push(svg("line", { class: "grid", x1: 0, y1: y, x2: MAP_WIDTH, y2: y }));
  const [x, y] = toMap(...view.city.centre);
  parts.push(svg("line", { class: "road", x1: 0, y1: y, x2: MAP_WIDTH, y2: y }));
  parts.push(svg("line", { class: "road", x1: x, y1: 0, x2: x, y2: height }));
  const label = svg("text", { class: "label", x: x + 12, y: y - 12 });
  label.textContent = `${view.city.name} centre`;
  parts.push(label, svg("circle", { class: "marker", id: "map-marker", r: 10, cx: x, cy: y }));
  map.replaceChildren(...parts);
  $("#map-city").textContent = view.city.name;
}

function toMap(latitude, longitude) {
  const { south, west, north, east, height } = mapShape();
  return [((longitude - west) / (east - west)) * MAP_WIDTH, ((north - latitude) / (north - south)) * height];
}

function fromMap(x, y) {
  const { south, west, north, east, height } = mapShape();
  return [north - (y / height) * (north - south), west + (x / MAP_WIDTH) * (east - west)];
}

function openMap() {
  drawMap();
  const centre = view.city?.centre ?? ["", ""];
  $("#map-lat").value = centre[0];
  $("#map-lon").value = centre[1];
  $("#map-error").hidden = true;
  $("#map-dialog").showModal();
}

function pickOnMap(event) {
  const map = $("#map");
  const point = map.createSVGPoint();
  point.x = event.clientX;
  point.y = event.clientY;
  const { x, y } = point.matrixTransform(map.getScreenCTM().inverse());
  const [latitude, longitude] = fromMap(x, y);
  $("#map-lat").value = latitude.toFixed(5);
  $("#map-lon").value = longitude.toFixed(5);
  const marker = $("#map-marker");
  marker.setAttribute("cx", x);
  marker.setAttribute("cy", y);
}

function typedCoordinates() {
  let [latitude, longitude] = [$("#map-lat").value, $("#map-lon").value];
  // "52.52, 13.40" pasted into one field is split across both.
  if (latitude.includes(",")) [latitude, longitude] = latitude.split(",");
  const [lat, lon] = [Number(latitude), Number(longitude)];
  const valid = latitude.trim() && longitude?.trim() && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
  return valid ? [lat, lon] : null;
}

async function shareLocation(event) {
  if (event.submitter?.value !== "share") return;
  event.preventDefault();
  const coordinates = typedCoordinates();
  if (!coordinates) {
    $("#map-error").textContent = "Latitude is between -90 and 90, longitude between -180 and 180.";
    $("#map-error").hidden = false;
    return;
  }
  $("#map-dialog").close();
  // Inline queries send it too, as a phone shares its location with inline bots.
  view.lastLocation = { latitude: coordinates[0], longitude: coordinates[1] };
  try {
    await post(personPath("location"), { latitude: coordinates[0], longitude: coordinates[1] });
  } catch (error) {
    toast(error.message, true);
  }
}

// --- the payment form ---------------------------------------------------------------------------

let invoiceToPay = null;

function openPayment(message) {
  invoiceToPay = message;
  const { invoice } = message;
  $("#pay-title").textContent = invoice.title;
  $("#pay-description").textContent = invoice.description;
  $("#pay-button").textContent = `Pay ${money(invoice.total_amount, invoice.currency)}`;
  $("#pay-button").disabled = false;
  $("#pay-result").textContent = "";
  $("#pay-dialog").showModal();
}

async function pay(event) {
  if (event.submitter?.value !== "pay") return;
  event.preventDefault();
  const button = $("#pay-button");
  button.disabled = true;
  $("#pay-result").textContent = "Waiting for the bot to confirm…";
  try {
    const outcome = await post(personPath("pay"), { message_id: invoiceToPay.message_id });
    if (outcome.kind === "paid") {
      $("#pay-dialog").close();
      return;
    }
    $("#pay-result").textContent = outcome.error_message;
  } catch (error) {
    $("#pay-result").textContent = error.message;
  }
  button.disabled = false;
}

// --- small things -------------------------------------------------------------------------------

let toastTimer = null;

function toast(text, alert = false) {
  const box = $("#toast");
  box.textContent = text;
  box.className = alert ? "alert" : "";
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (box.hidden = true), alert ? 6000 : 3500);
}

async function createPerson(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    const person = await post("/sandbox/api/people/new/create", Object.fromEntries(form));
    await loadState();
    await choosePerson(person.id, person.id);
    event.target.reset();
    $("#new-person").open = false;
    $("#text-input").focus();
  } catch (error) {
    toast(error.message, true);
  }
}

async function main() {
  $("#new-person-form").addEventListener("submit", createPerson);
  $("#person-select").addEventListener("change", (event) => choosePerson(Number(event.target.value)));
  $("#composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("#text-input");
    const text = input.value;
    input.value = "";
    const mention = `@${view.state.bot.username}`;
    if (text === mention || text.startsWith(`${mention} `)) return inlineQuery(text.slice(mention.length).trim());
    await sendText(text);
  });
  $("#location-button").addEventListener("click", openMap);
  $("#photo-input").addEventListener("change", async (event) => {
    const [file] = event.target.files;
    event.target.value = "";
    if (file) await sendPhoto(file);
  });
  $("#document-input").addEventListener("change", async (event) => {
    const [file] = event.target.files;
    event.target.value = "";
    if (file) await sendDocument(file);
  });
  $("#map").addEventListener("click", pickOnMap);
  $("#map-form").addEventListener("submit", shareLocation);
  $("#pay-form").addEventListener("submit", pay);

  await loadState();
  const wanted = readHash();
  const people = view.state.people.map((person) => person.id);
  const personId = people.includes(wanted.person) ? wanted.person : people[0];
  if (personId === undefined) {
    $("#new-person").open = true;
    return;
  }
  await choosePerson(personId, wanted.chat);
}

main().catch((error) => toast(error.message, true));
