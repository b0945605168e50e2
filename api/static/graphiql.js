// GraphiQL from the server's own files; every request carries this tab's API key (unless the headers
// editor names another Authorization).
"use strict";

const $ = (sel) => document.querySelector(sel);
const EXAMPLE = `# This tab's API key goes with every request.
# Ctrl-Enter runs, Ctrl-Space completes; the book (left) lists every type.
{
  viewer { organizationName role }
  inbound: tlsBreakdown(direction: INBOUND) {
    from to total
    versions { tlsVersion messages share }
  }
  insights { title connector { name } share messages }
}
`;

function fetcher(params, options = {}) {
  const headers = { ...(options.headers || {}) };
  const named = Object.keys(headers).some((name) => name.toLowerCase() === "authorization");
  const request = fetcher.base || (fetcher.base = GraphiQL.createFetcher({ url: "/graphql" }));
  return request(params, { ...options, headers: named ? headers : { ...session.headers(), ...headers } });
}

function askForKey(reason) {
  $("#key-reason").textContent = reason;
  $("#key-form").hidden = false;
  $("#graphiql").hidden = true;
  $("#key").focus();
}

let rendered = false;
async function start() {
  if (typeof GraphiQL === "undefined") {
    askForKey("GraphiQL's files are missing from this installation: reinstall mailflow (pip install) to fetch them.");
    return;
  }
  const viewer = await session.whoami();
  if (!viewer) {
    askForKey(session.key()
      ? "That key was not accepted: it may be mistyped or revoked. Paste a valid key."
      : "GraphiQL sends your API key with every request; it stays in this browser tab only.");
    return;
  }
  $("#who").textContent = `${viewer.organizationName} · ${viewer.role} key`;
  $("#switch-key").hidden = false;
  $("#key-form").hidden = true;
  $("#graphiql").hidden = false;
  if (!rendered) {
    rendered = true;
    ReactDOM.createRoot($("#graphiql")).render(React.createElement(GraphiQL, {
      fetcher, defaultQuery: EXAMPLE, shouldPersistHeaders: false,
    }));
  }
}

$("#key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  session.use($("#key").value);
  $("#key").value = "";
  location.reload(); // GraphiQL loads the schema again, with the new key
});
$("#switch-key").addEventListener("click", () => { session.forget(); location.reload(); });
start().catch((error) => askForKey(error.message));
