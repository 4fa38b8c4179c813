/* leadflow dashboard (GET /, src/server/dashboard.c): updates the page in place.
   The page works without this script: the pickers are a plain GET form and a reload
   shows the latest figures. With it, the pickers reload the sections without leaving
   the page (and the address follows, so Back works), and every N seconds (the form's
   data-refresh) the sections are fetched again from the same origin: GET / with the
   same query, credentials by the session cookie. The new <main> (the headline, the
   sales queue, every report with its charts and tables) and the meta line replace
   the old ones. Served as /dashboard.js under a Content-Security-Policy of
   script-src 'self' and connect-src 'self': nothing here can reach another origin. */
(function () {
  'use strict';
  var form = document.getElementById('pickers');
  var status = document.getElementById('dash-status');
  if (!form || !window.fetch || !window.DOMParser || !window.URLSearchParams) return;
  var every = parseInt(form.getAttribute('data-refresh'), 10) || 60;
  var timer = null, busy = false, stopped = false, count = 0;

  function say(text) { if (status) status.textContent = text; }

  /* the query of the form (or of the address), without empty fields */
  function query(fromForm) {
    var p = fromForm ? new URLSearchParams(new FormData(form)) :
                       new URLSearchParams(location.search);
    var out = new URLSearchParams();
    p.forEach(function (v, k) { if (v !== '') out.append(k, v); });
    var s = out.toString();
    return s ? '?' + s : '';
  }

  function syncForm() {
    var p = new URLSearchParams(location.search);
    ['from', 'to', 'by', 'as_of'].forEach(function (k) {
      var el = form.elements[k];
      if (el) el.value = p.get(k) || (k === 'by' ? 'month' : '');
    });
  }

  function swap(doc) {
    var main = document.querySelector('main'), fresh = doc.querySelector('main');
    if (!main || !fresh) return false;
    main.replaceWith(document.importNode(fresh, true));
    var meta = document.querySelector('.page-head .meta');
    var fmeta = doc.querySelector('.page-head .meta');
    if (meta && fmeta) meta.textContent = fmeta.textContent;
    return true;
  }

  function failure(doc, st) {
    var e = doc.querySelector('.dash-error');
    return new Error(e ? e.textContent : 'the server answered ' + st);
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = stopped ? null : setTimeout(tick, every * 1000);
  }

  function load(q, push) {
    if (busy) return;
    busy = true;
    say('Updating…');
    fetch(location.pathname + q, { credentials: 'same-origin', cache: 'no-store',
                                   headers: { 'Accept': 'text/html' } })
      .then(function (r) {
        if (r.redirected || r.status === 401) {
          stopped = true;
          throw new Error('signed out; reload the page to sign in again');
        }
        return r.text().then(function (t) { return { r: r, t: t }; });
      })
      .then(function (x) {
        var doc = new DOMParser().parseFromString(x.t, 'text/html');
        if (!x.r.ok) throw failure(doc, x.r.status);
        if (!swap(doc)) throw new Error('the page had no report');
        if (push) history.pushState(null, '', location.pathname + q);
        count += 1;
        document.documentElement.setAttribute('data-refreshed', String(count));
        say('Updated ' + new Date().toLocaleTimeString() + ' · every ' + every + ' s');
      })
      .catch(function (e) { say('Not updated: ' + e.message); })
      .then(function () { busy = false; schedule(); });
  }

  function tick() {
    if (document.hidden) { schedule(); return; }
    load(query(false), false);
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    load(query(true), true);
  });
  window.addEventListener('popstate', function () { syncForm(); load(query(false), false); });
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden && !busy && !stopped) tick();
  });
  say('Live: updates every ' + every + ' s');
  schedule();
})();
