// The API key of this browser tab, shared by the dashboard, GraphiQL (/graphql) and the API reference (/docs):
// taken from a link (#key=…, as `mailflow serve --demo` prints), kept in sessionStorage, never in the address bar.
"use strict";

const session = (() => {
  const NAME = "mailflow-key";
  const fromLink = new URLSearchParams(location.hash.slice(1)).get("key");
  if (fromLink) {
    sessionStorage.setItem(NAME, fromLink);
    history.replaceState(null, "", location.pathname + location.search);
  }
  return {
    key: () => sessionStorage.getItem(NAME) || "",
    use: (key) => sessionStorage.setItem(NAME, key.trim()),
    forget: () => sessionStorage.removeItem(NAME),
    headers: () => (sessionStorage.getItem(NAME) ? { authorization: `Bearer ${sessionStorage.getItem(NAME)}` } : {}),
    // who the key is: { organizationName, role }, null for no key or a key the server refuses
    async whoami() {
      if (!sessionStorage.getItem(NAME)) return null;
      const response = await fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", ...session.headers() },
        body: JSON.stringify({ query: "{ viewer { organizationName role } }" }),
      });
      if (response.status === 401) return null;
      const body = await response.json();
      if (!body.data) throw new Error("the server could not say whose key this is; try again shortly");
      return body.data.viewer;
    },
  };
})();
