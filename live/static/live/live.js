/* iocLive — the incident feed socket for our pages (docs/adr/0009-live-push.md).
 * No dependencies, no build step; served by us as /static/live/live.js.
 *
 *   var feed = iocLive.connect(null, function (event) { ... }, {
 *     onStatus: function (state, detail) { ... }
 *   });
 *   feed.close();
 *
 * url      null: the page's <meta name="ioc-live-socket" content="…"> ({% live_socket_meta %}),
 *          else this page's origin + /ws/incidents/ (ws: or wss: as the page).
 * onEvent  called with each incident event: {type: "incident.created" | "incident.updated" | …,
 *          id, status, category, sector, severity, lon, lat, commune_code, assigned_unit_code,
 *          overdue, escalated, at, layer, data_version}. A map refreshes its `layer` source when
 *          `data_version` is newer than the one it drew.
 * options  onStatus(state, detail): "connecting" {attempt}; "open" {reconnected, data_version,
 *            scope} — after a reconnect, refetch: events sent while away are not replayed;
 *            "closed" {code, retryIn} — will retry; "refused" {code, reason} — 4401 (sign in
 *            again), 4403 (not allowed), 4404: no retry.
 *          token: an API key, offered as the subprotocol "ioc.token.<key>" (never in the URL).
 *          minDelay, maxDelay (ms, 1000 / 30000): reconnect backoff, doubling, with jitter.
 *          pingInterval, pingTimeout (ms, 25000 / 10000): a ping; silence → reconnect.
 *          connectTimeout (ms, 15000): a handshake that takes longer is given up and retried.
 *          WebSocket: the constructor to use (tests).
 */
(function (root) {
  "use strict";

  var SUBPROTOCOL = "ioc.live.v1";
  var TOKEN_PREFIX = "ioc.token.";
  var PATH = "/ws/incidents/";
  var FINAL = {4401: true, 4403: true, 4404: true};

  function defaultUrl() {
    var doc = root.document;
    var meta = doc && doc.querySelector('meta[name="ioc-live-socket"]');
    if (meta && meta.content) return meta.content;
    var loc = root.location;
    return (loc.protocol === "https:" ? "wss://" : "ws://") + loc.host + PATH;
  }

  function report(error) {
    if (root.console && root.console.error) root.console.error("iocLive:", error);
  }

  function connect(url, onEvent, options) {
    options = options || {};
    var Socket = options.WebSocket || root.WebSocket;
    var target = url || defaultUrl();
    var minDelay = options.minDelay || 1000;
    var maxDelay = options.maxDelay || 30000;
    var pingInterval = options.pingInterval || 25000;
    var pingTimeout = options.pingTimeout || 10000;
    var connectTimeout = options.connectTimeout || 15000;
    var socket = null;
    var attempts = 0;
    var opened = false;
    var stopped = false;
    var retryTimer = null;
    var pingTimer = null;
    var silenceTimer = null;
    var connectTimer = null;

    function status(state, detail) {
      if (!options.onStatus) return;
      try { options.onStatus(state, detail || {}); } catch (error) { report(error); }
    }

    function stopTimers() {
      clearInterval(pingTimer);
      clearTimeout(silenceTimer);
      clearTimeout(connectTimer);
      pingTimer = silenceTimer = connectTimer = null;
    }

    function heard() {
      clearTimeout(silenceTimer);
      silenceTimer = null;
    }

    function ping() {
      if (!socket || socket.readyState !== 1) return;
      socket.send(JSON.stringify({type: "ping"}));
      if (!silenceTimer) silenceTimer = setTimeout(dead, pingTimeout);
    }

    function dead() {
      // No answer: the connection is gone without a close (network change, sleeping laptop).
      lost(socket);
    }

    function lost(old) {
      // Drop a socket without waiting for a closing handshake that may never come.
      detach(old);
      try { old.close(4000, "lost"); } catch (error) { /* not open: nothing to close */ }
      retry(1006);
    }

    function detach(old) {
      stopTimers();
      if (old) old.onopen = old.onmessage = old.onclose = old.onerror = null;
      socket = null;
    }

    function retry(code) {
      if (stopped) return;
      var delay = Math.min(maxDelay, minDelay * Math.pow(2, attempts));
      delay = delay / 2 + Math.random() * delay / 2;  // walls must not all come back in step
      attempts += 1;
      status("closed", {code: code, retryIn: Math.round(delay)});
      retryTimer = setTimeout(open, delay);
    }

    function message(raw) {
      heard();
      var data;
      try { data = JSON.parse(raw.data); } catch (error) { return; }
      if (!data || typeof data.type !== "string") return;
      if (data.type === "ready") {
        attempts = 0;
        status("open", {reconnected: opened, data_version: data.data_version, scope: data.scope});
        opened = true;
      } else if (data.type.indexOf("incident.") === 0) {
        try { onEvent(data); } catch (error) { report(error); }
      }
    }

    function open() {
      retryTimer = null;
      if (stopped) return;
      status("connecting", {attempt: attempts});
      var protocols = [SUBPROTOCOL];
      if (options.token) protocols.push(TOKEN_PREFIX + options.token);
      try {
        socket = new Socket(target, protocols);
      } catch (error) {
        report(error);
        retry(1006);
        return;
      }
      var current = socket;
      connectTimer = setTimeout(function () { if (socket === current) lost(current); },
                                connectTimeout);
      socket.onopen = function () {
        clearTimeout(connectTimer);
        pingTimer = setInterval(ping, pingInterval);
      };
      socket.onmessage = message;
      socket.onerror = function () {
        // Browsers follow an error with a close event; some clients (Node 20's) do not.
        setTimeout(function () { if (socket === current) lost(current); }, 50);
      };
      socket.onclose = function (event) {
        if (socket !== current) return;
        detach(current);
        if (stopped) return;
        if (FINAL[event.code]) {
          stopped = true;
          status("refused", {code: event.code, reason: event.reason});
          return;
        }
        retry(event.code);
      };
    }

    open();
    return {
      url: target,
      close: function () {
        stopped = true;
        clearTimeout(retryTimer);
        var old = socket;
        detach(old);
        if (old) old.close(1000);
      },
    };
  }

  root.iocLive = {connect: connect, defaultUrl: defaultUrl};
})(typeof window !== "undefined" ? window : globalThis);
