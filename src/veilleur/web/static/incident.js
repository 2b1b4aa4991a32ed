// The actions of an incident page: take in hand, add a note, restore, close.
//
// Each form posts JSON to the API (/api/v1/incidents/{id}/{action}) with the access
// token as "Authorization: Bearer …". The person types the token once; it is kept in
// this browser's localStorage and goes nowhere else: never to a page, never in a URL
// (the token field has no name and sits in no form, and the forms never submit
// natively). The name typed in « Votre nom » is kept the same way.
//
// On success the page reloads, showing the incident as it now stands. On a refusal
// the API's French reason is shown under the form, and what was typed stays.
//
// The live refresh (veilleur.js) may replace the whole section: listeners are
// delegated from the document, and the kept values are filled in again after it.
(function () {
  const TOKEN_KEY = "veilleur.jeton";
  const NAME_KEY = "veilleur.nom";

  function remember(key, value) {
    try {
      if (value) localStorage.setItem(key, value);
      else localStorage.removeItem(key);
    } catch (err) {
      // Storage disabled (private mode, policy): the field still works for this page.
    }
  }

  function recall(key) {
    try {
      return localStorage.getItem(key) || "";
    } catch (err) {
      return "";
    }
  }

  function fillKeptValues() {
    const token = document.getElementById("access-token");
    const name = document.getElementById("actor-name");
    if (token && !token.value) token.value = recall(TOKEN_KEY);
    if (name && !name.value) name.value = recall(NAME_KEY);
    showTokenState();
  }

  function showTokenState() {
    const state = document.querySelector("[data-token-state]");
    if (!state) return;
    state.textContent = recall(TOKEN_KEY)
      ? "Jeton enregistré dans ce navigateur ; il n'est envoyé qu'à l'API, avec chaque action."
      : "Saisissez le jeton d'accès une fois : il sera gardé dans ce navigateur.";
  }

  function refuse(form, text) {
    const line = form.querySelector(".refusal");
    line.textContent = text;
    line.hidden = false;
  }

  function body(form) {
    const name = document.getElementById("actor-name");
    const fields = { author: name ? name.value : "" };
    form.querySelectorAll("[data-field]").forEach((field) => {
      const blank = !field.value.trim();
      fields[field.dataset.field] = blank && field.hasAttribute("data-optional") ? null : field.value;
    });
    return fields;
  }

  async function act(form) {
    const section = form.closest("[data-incident]");
    const token = document.getElementById("access-token").value.trim();
    if (token) remember(TOKEN_KEY, token);
    const name = document.getElementById("actor-name").value.trim();
    if (name) remember(NAME_KEY, name);
    const url = `/api/v1/incidents/${section.dataset.incident}/${form.dataset.action}`;
    form.setAttribute("aria-busy", "true");
    form.querySelector(".refusal").hidden = true;
    try {
      const answer = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: JSON.stringify(body(form)),
      });
      if (answer.ok) {
        window.location.reload();
        return;
      }
      let reason = `erreur ${answer.status}`;
      try {
        reason = (await answer.json()).error || reason;
      } catch (err) {
        // Not our JSON (a proxy's page): the status says enough.
      }
      refuse(form, `Refusé : ${reason}`);
    } catch (err) {
      refuse(form, "Veilleur ne répond pas : vérifiez la connexion et réessayez.");
    } finally {
      form.removeAttribute("aria-busy");
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-action]");
    if (!form) return;
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") return; // a second click
    act(form);
  });

  document.addEventListener("change", (event) => {
    if (event.target.id === "access-token") {
      remember(TOKEN_KEY, event.target.value.trim());
      showTokenState();
    } else if (event.target.id === "actor-name") {
      remember(NAME_KEY, event.target.value.trim());
    }
  });

  document.addEventListener("click", (event) => {
    if (!event.target.closest("[data-forget-token]")) return;
    remember(TOKEN_KEY, "");
    const token = document.getElementById("access-token");
    if (token) token.value = "";
    showTokenState();
  });

  document.addEventListener("veilleur:refreshed", fillKeptValues);
  fillKeptValues();
})();
