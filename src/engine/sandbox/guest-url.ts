/**
 * Guest source (a prelude part after guest-text.ts; `bridge.url` is the host's url function,
 * see url-host.ts): URLSearchParams, written here per the WHATWG URL standard's
 * application/x-www-form-urlencoded rules, and URL, whose parsing and setters the host does
 * with its own standard URL. A URL's searchParams is live: changing one changes the other.
 */
export const GUEST_URL_SOURCE = String.raw`
  var hostUrl = bridge.url, toUSV = shared.toUSV, utf8Encode = shared.utf8Encode, utf8Decode = shared.utf8Decode, newUtf8State = shared.newUtf8State;
  function isFormSafe(b) {
    return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2a || b === 0x2d || b === 0x2e || b === 0x5f;
  }
  var HEX = "0123456789ABCDEF";
  function formEncode(s) {
    var bytes = utf8Encode(s), out = "";
    for (var i = 0; i < bytes.length; i++) {
      var b = bytes[i];
      out += isFormSafe(b) ? String.fromCharCode(b) : b === 0x20 ? "+" : "%" + HEX[b >> 4] + HEX[b & 15];
    }
    return out;
  }
  function hexValue(b) {
    return b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x41 && b <= 0x46 ? b - 0x37 : b >= 0x61 && b <= 0x66 ? b - 0x57 : -1;
  }
  function formDecode(s) {
    var bytes = utf8Encode(s.replace(/\+/g, " ")), out = new Uint8Array(bytes.length), n = 0;
    for (var i = 0; i < bytes.length; i++) {
      var hi, lo;
      if (bytes[i] === 0x25 && i + 2 < bytes.length && (hi = hexValue(bytes[i + 1])) >= 0 && (lo = hexValue(bytes[i + 2])) >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 2;
      } else out[n++] = bytes[i];
    }
    return utf8Decode(out.subarray(0, n), newUtf8State(), false, true, true);
  }
  function formParse(query) {
    var list = [];
    query.split("&").forEach(function (part) {
      if (part === "") return;
      var at = part.indexOf("=");
      list.push(at < 0 ? [formDecode(part), ""] : [formDecode(part.slice(0, at)), formDecode(part.slice(at + 1))]);
    });
    return list;
  }
  function formSerialize(list) {
    return list.map(function (pair) { return formEncode(pair[0]) + "=" + formEncode(pair[1]); }).join("&");
  }

  var paramsState = new WeakMap();
  function paramsOf(params) {
    var state = paramsState.get(params);
    if (!state) throw new TypeError("Illegal invocation: not a URLSearchParams");
    return state;
  }
  function changed(state) {
    if (state.url) setUrlPart(state.url, "search", formSerialize(state.list), true);
  }

  class URLSearchParams {
    constructor(init) {
      var list = [];
      if (init instanceof URLSearchParams) list = paramsOf(init).list.map(function (pair) { return pair.slice(); });
      else if (init !== undefined && init !== null && (typeof init === "object" || typeof init === "function")) {
        if (typeof init[Symbol.iterator] === "function") {
          for (var pair of init) {
            if (pair === null || typeof pair !== "object" || typeof pair[Symbol.iterator] !== "function") throw new TypeError("URLSearchParams: each item must be a [name, value] pair");
            var items = Array.from(pair);
            if (items.length !== 2) throw new TypeError("URLSearchParams: each item must be a [name, value] pair, not " + items.length + " values");
            list.push([toUSV(items[0]), toUSV(items[1])]);
          }
        } else {
          Object.keys(init).forEach(function (name) { list.push([toUSV(name), toUSV(init[name])]); });
        }
      } else if (init !== undefined && init !== null) {
        var text = toUSV(init);
        list = formParse(text.charAt(0) === "?" ? text.slice(1) : text);
      }
      paramsState.set(this, { list: list, url: null });
    }
    get size() { return paramsOf(this).list.length; }
    append(name, value) { var s = paramsOf(this); s.list.push([toUSV(name), toUSV(value)]); changed(s); }
    delete(name, value) {
      var s = paramsOf(this), n = toUSV(name), v = value === undefined ? undefined : toUSV(value);
      s.list = s.list.filter(function (pair) { return !(pair[0] === n && (v === undefined || pair[1] === v)); });
      changed(s);
    }
    get(name) {
      var n = toUSV(name), found = paramsOf(this).list.find(function (pair) { return pair[0] === n; });
      return found ? found[1] : null;
    }
    getAll(name) {
      var n = toUSV(name);
      return paramsOf(this).list.filter(function (pair) { return pair[0] === n; }).map(function (pair) { return pair[1]; });
    }
    has(name, value) {
      var n = toUSV(name), v = value === undefined ? undefined : toUSV(value);
      return paramsOf(this).list.some(function (pair) { return pair[0] === n && (v === undefined || pair[1] === v); });
    }
    set(name, value) {
      var s = paramsOf(this), n = toUSV(name), v = toUSV(value), seen = false;
      s.list = s.list.filter(function (pair) {
        if (pair[0] !== n) return true;
        if (seen) return false;
        seen = true;
        pair[1] = v;
        return true;
      });
      if (!seen) s.list.push([n, v]);
      changed(s);
    }
    sort() {
      var s = paramsOf(this);
      // Stable, by UTF-16 code units, as the standard says.
      s.list = s.list.map(function (pair, i) { return [pair, i]; }).sort(function (a, b) {
        return a[0][0] < b[0][0] ? -1 : a[0][0] > b[0][0] ? 1 : a[1] - b[1];
      }).map(function (entry) { return entry[0]; });
      changed(s);
    }
    forEach(callback, thisArg) {
      if (typeof callback !== "function") throw new TypeError("URLSearchParams.forEach: the callback must be a function");
      var s = paramsOf(this);
      for (var i = 0; i < s.list.length; i++) callback.call(thisArg, s.list[i][1], s.list[i][0], this);
    }
    *entries() { var s = paramsOf(this); for (var i = 0; i < s.list.length; i++) yield [s.list[i][0], s.list[i][1]]; }
    *keys() { var s = paramsOf(this); for (var i = 0; i < s.list.length; i++) yield s.list[i][0]; }
    *values() { var s = paramsOf(this); for (var i = 0; i < s.list.length; i++) yield s.list[i][1]; }
    [Symbol.iterator]() { return this.entries(); }
    toString() { return formSerialize(paramsOf(this).list); }
    get [Symbol.toStringTag]() { return "URLSearchParams"; }
  }
  define("URLSearchParams", URLSearchParams);

  var urlState = new WeakMap();
  function urlOf(url) {
    var state = urlState.get(url);
    if (!state) throw new TypeError("Illegal invocation: not a URL");
    return state;
  }
  function parseUrl(input, base) {
    var request = { input: toUSV(input) };
    if (base !== undefined) request.base = toUSV(base);
    return JSON.parse(hostUrl(JSON.stringify(request)));
  }
  // fromParams: the change came from searchParams, whose list stays as it is.
  function setUrlPart(url, part, value, fromParams) {
    var state = urlOf(url);
    var parts = JSON.parse(hostUrl(JSON.stringify({ input: state.parts.href, set: part, value: toUSV(value) })));
    if (parts === null) return;
    state.parts = parts;
    if (!fromParams && part === "search") paramsState.get(state.params).list = formParse(parts.search.slice(1));
  }

  class URL {
    constructor(url, base) {
      if (arguments.length === 0) throw new TypeError("URL requires 1 argument");
      var parts = parseUrl(url, base);
      if (parts === null) throw new TypeError("Invalid URL: " + JSON.stringify(String(url)) + (base === undefined ? "" : " against the base " + JSON.stringify(String(base))));
      var params = new URLSearchParams(parts.search);
      urlState.set(this, { parts: parts, params: params });
      paramsState.get(params).url = this;
    }
    static canParse(url, base) { return parseUrl(url, base) !== null; }
    static parse(url, base) { try { return new URL(url, base); } catch (_) { return null; } }
    get href() { return urlOf(this).parts.href; }
    set href(value) {
      var state = urlOf(this), parts = parseUrl(value);
      if (parts === null) throw new TypeError("Invalid URL: " + JSON.stringify(String(value)));
      state.parts = parts;
      paramsState.get(state.params).list = formParse(parts.search.slice(1));
    }
    get origin() { return urlOf(this).parts.origin; }
    get searchParams() { return urlOf(this).params; }
    toString() { return urlOf(this).parts.href; }
    toJSON() { return urlOf(this).parts.href; }
    get [Symbol.toStringTag]() { return "URL"; }
  }
  ["protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"].forEach(function (part) {
    Object.defineProperty(URL.prototype, part, {
      get: function () { return urlOf(this).parts[part]; },
      set: function (value) { setUrlPart(this, part, value, false); },
      enumerable: true, configurable: true,
    });
  });
  define("URL", URL);
`;
