// The installable app (issue 17): the service worker (/sw.js, scope "/") keeps the static pages for
// offline use. Registered after the page has loaded so it never competes with the page itself.

export function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  const register = () => navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register, { once: true });
}
