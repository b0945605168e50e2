// Swagger UI over /api/v1/openapi.json, read with this tab's API key, which "Try it out" uses too.
"use strict";

const $ = (sel) => document.querySelector(sel);

function askForKey(reason) {
  $("#key-reason").textContent = reason;
  $("#key-form").hidden = false;
  $("#key").focus();
}

async function start() {
  const viewer = await session.whoami();
  if (!viewer) {
    askForKey(session.key()
      ? "That key was not accepted: it may be mistyped or revoked. Paste a valid key."
      : "The reference is read from the server with your API key; it stays in this browser tab only.");
    return;
  }
  $("#who").textContent = `${viewer.organizationName} · ${viewer.role} key`;
  $("#switch-key").hidden = false;
  $("#key-form").hidden = true;
  const response = await fetch("/api/v1/openapi.json", { headers: session.headers() });
  if (!response.ok) throw new Error(`the OpenAPI document could not be read (HTTP ${response.status}); try again shortly`);
  const ui = SwaggerUIBundle({
    spec: await response.json(),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    onComplete: () => ui.preauthorizeApiKey("apiKey", session.key()),
  });
}

$("#key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  session.use($("#key").value);
  $("#key").value = "";
  start().catch((error) => askForKey(error.message));
});
$("#switch-key").addEventListener("click", () => { session.forget(); location.reload(); });
start().catch((error) => askForKey(error.message));
