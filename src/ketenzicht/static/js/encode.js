// Encoding a partner's registrations in the browser: the names never leave this page.
//
// Byte for byte what `ketenzicht encode` produces (scheme fbf-rh-bal-v3), see
// src/ketenzicht/domain/linkage/{delivery,bloom,names,records}.py — every step below mirrors a
// function there, with the same name where possible. HMAC-SHA256 comes from Web Crypto.
// Only the encoded file is handed to the upload form; the file with names and the key file
// are read here and nowhere sent (their inputs have no name and sit outside the form).
(function () {
  "use strict";

  var SCHEME = "fbf-rh-bal-v3";
  var MIN_KEY_BYTES = 16;
  var MAX_ROWS = 200000;
  var SEGMENTS = [
    { name: "voornaam", field: "naam", bits: 256, perm: "naam" },
    { name: "achternaam", field: "naam", bits: 256, perm: "naam" },
    { name: "geboortedatum", field: "geboortedatum", bits: 128, perm: "geboortedatum" },
    { name: "kenmerken", field: "kenmerken", bits: 64, perm: "kenmerken" },
    { name: "gemeente", field: "gemeente", bits: 64, perm: "gemeente" }
  ];
  var K_NAME = 10, K_YEAR = 20, K_MONTH = 16, K_DAY = 16, K_SEX = 12, K_NATIONALITY = 12, K_MUNICIPALITY = 6;
  var IDENTITY_COLUMNS = ["voornaam", "achternaam", "geboortedatum", "geslacht", "nationaliteit"];
  var ENCODING_COLUMNS = ["sleutel_id", "schema", "clk"];
  var enc = new TextEncoder();

  function InputError(message, file, row, column) {
    var where = [];
    if (file != null) where.push(file);
    if (row != null) where.push("rij " + row);
    if (column != null) where.push("kolom '" + column + "'");
    this.message = where.length ? where.join(", ") + ": " + message : message;
    this.file = file; this.row = row; this.column = column;
  }

  // ---------------------------------------------------------------- Python's str helpers
  var PY_SPACE = "\t\n\u000b\u000c\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";
  function isSpace(ch) { return PY_SPACE.indexOf(ch) >= 0; }
  function pyStrip(s) {
    var a = 0, b = s.length;
    while (a < b && isSpace(s[a])) a++;
    while (b > a && isSpace(s[b - 1])) b--;
    return s.slice(a, b);
  }
  function pySplit(s) {
    var out = [], word = "";
    for (var i = 0; i < s.length; i++) {
      if (isSpace(s[i])) { if (word) out.push(word); word = ""; } else word += s[i];
    }
    if (word) out.push(word);
    return out;
  }

  // ---------------------------------------------------------------- names.py
  var SPECIAL = { "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ð": "d", "ß": "ss", "æ": "ae", "Æ": "ae",
    "œ": "oe", "Œ": "oe", "þ": "th", "ı": "i", "\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'" };
  function special(s) {
    var out = "";
    for (var ch of s) out += Object.prototype.hasOwnProperty.call(SPECIAL, ch) ? SPECIAL[ch] : ch;
    return out;
  }
  var PARTICLES = new Set(("van de der den het t ter ten te in op aan bij onder uit over voor s la le l du des d di da " +
    "del della dos das do von vom zu zum zur y v vd vder vden vdn").split(" "));
  var V_D = /\bv[ \t\n\r\f\v]*[./][ \t\n\r\f\v]*d[ \t\n\r\f\v]*\.?(?=[ \t\n\r\f\v]|$)/g;
  var V_DEN = /\bv[ \t\n\r\f\v]*[./][ \t\n\r\f\v]*d(en|er)\b\.?/g;

  function fold(text) {
    if (!text) return "";
    text = special(text).normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
    text = special(text);
    text = text.replace(V_DEN, function (m, g) { return " van d" + g + " "; });
    text = text.replace(V_D, " van der ");
    text = text.replace(/[^a-z' ]+/g, " ");
    text = text.replace(/(?:^|(?<=\s))'([ts])(?=\s|$)/g, " $1 ").replace(/'/g, "");
    return text.replace(/\s+/g, " ").trim();
  }

  function surnameCore(raw) {
    if (!raw) return "";
    var comma = raw.indexOf(",");
    var head = comma >= 0 ? raw.slice(0, comma) : raw;
    var tail = comma >= 0 ? raw.slice(comma + 1) : "";
    var headTokens = fold(head).split(" ").filter(Boolean);
    var tailTokens = fold(tail).split(" ").filter(Boolean);
    if (tailTokens.length && !tailTokens.every(function (t) { return PARTICLES.has(t); })) {
      headTokens = headTokens.concat(tailTokens.filter(function (t) { return !PARTICLES.has(t); }));
    }
    while (headTokens.length > 1 && PARTICLES.has(headTokens[0])) headTokens.shift();
    while (headTokens.length > 1 && PARTICLES.has(headTokens[headTokens.length - 1])) headTokens.pop();
    var core = headTokens.filter(function (t) { return !PARTICLES.has(t); });
    if (!core.length) core = headTokens.slice(-1);
    return core.join(" ");
  }

  function givenName(raw) {
    var tokens = fold(raw).split(" ").filter(Boolean);
    while (tokens.length > 1 && PARTICLES.has(tokens[tokens.length - 1])) tokens.pop();
    return tokens.join(" ");
  }

  // ---------------------------------------------------------------- records.py
  var SEX = { m: "M", man: "M", male: "M", mannelijk: "M", v: "V", vrouw: "V", f: "V", female: "V", vrouwelijk: "V",
    x: "X", o: "X", onbekend: null, u: null, "?": null };
  function normaliseSex(value) {
    if (!value || !pyStrip(value)) return null;
    var key = pyStrip(value).toLowerCase();
    return Object.prototype.hasOwnProperty.call(SEX, key) ? SEX[key] : null;
  }
  function daysIn(y, m) { return [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]; }
  function parseDate(value) {
    var text = pyStrip(value || "");
    if (!text) return null;
    var norm = text.replace(/\//g, "-").replace(/\./g, "-");
    var m, y, mo, d;
    if ((m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(norm))) { y = +m[1]; mo = +m[2]; d = +m[3]; }
    else if ((m = /^(\d{1,2})-(\d{1,2})-(\d{4})$/.exec(norm))) { d = +m[1]; mo = +m[2]; y = +m[3]; }
    else throw new Error("datum '" + text + "' is niet JJJJ-MM-DD of DD-MM-JJJJ");
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) throw new Error("datum '" + text + "' bestaat niet");
    return { y: y, m: mo, d: d };
  }

  // ---------------------------------------------------------------- bloom.py
  function bigrams(text) {
    var out = [];
    pySplit(text).forEach(function (word) {
      var padded = Array.from("_" + word + "_");
      for (var i = 0; i < padded.length - 1; i++) out.push(padded[i] + padded[i + 1]);
    });
    return out;
  }
  function unique(list) { return Array.from(new Set(list)).sort(); }
  function municipalityText(code) {
    code = code.toLowerCase();
    return code.startsWith("gm") && code.length > 2 ? code.slice(2) : code;
  }
  function tokens(reg) {
    var birth = reg.geboortedatum ? [["j" + reg.geboortedatum.y, K_YEAR], ["m" + reg.geboortedatum.m, K_MONTH], ["d" + reg.geboortedatum.d, K_DAY]] : [];
    var kenmerken = [];
    if (reg.geslacht) kenmerken.push(["g" + reg.geslacht, K_SEX]);
    if (reg.nationaliteit) kenmerken.push(["n" + reg.nationaliteit, K_NATIONALITY]);
    var gem = reg.gemeente_code ? municipalityText(reg.gemeente_code) : "";
    return {
      voornaam: unique(bigrams(givenName(reg.voornaam))).map(function (g) { return [g, K_NAME]; }),
      achternaam: unique(bigrams(surnameCore(reg.achternaam))).map(function (g) { return [g, K_NAME]; }),
      geboortedatum: birth,
      kenmerken: kenmerken,
      gemeente: unique(bigrams(gem)).map(function (g) { return [g, K_MUNICIPALITY]; })
    };
  }

  async function hmacKey(raw) {
    return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  }
  async function hmac(key, text) { return new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(text))); }

  function Encoder(secret) { this.secret = secret; this.cache = new Map(); this.fieldKeys = new Map(); }
  Encoder.prototype.init = async function () {
    this.secretKey = await hmacKey(this.secret);
    var fp = await crypto.subtle.sign("HMAC", this.secretKey, enc.encode("ketenzicht-key-fingerprint"));
    this.fingerprint = Array.from(new Uint8Array(fp)).map(function (b) { return b.toString(16).padStart(2, "0"); }).join("").slice(0, 16);
    this.perms = {};
    for (var seg of SEGMENTS) {
      if (!this.perms[seg.perm]) this.perms[seg.perm] = await this.permutation(seg.perm, 2 * seg.bits);
    }
  };
  Encoder.prototype.subkey = async function (purpose) { return hmac(this.secretKey, SCHEME + "|" + purpose); };
  Encoder.prototype.permutation = async function (purpose, n) {
    var key = await hmacKey(await this.subkey("perm:" + purpose));
    var perm = []; for (var i = 0; i < n; i++) perm.push(i);
    var words = [], counter = 0;
    for (var i2 = n - 1; i2 > 0; i2--) {
      var bound = i2 + 1, limit = 4294967296 - (4294967296 % bound), w;
      for (;;) {
        if (!words.length) {
          var digest = await hmac(key, String(counter++));
          var view = new DataView(digest.buffer);
          for (var k = 7; k >= 0; k--) words.push(view.getUint32(4 * k, true));
        }
        w = words.pop();
        if (w < limit) break;
      }
      var j = w % bound, t = perm[i2]; perm[i2] = perm[j]; perm[j] = t;
    }
    return perm;
  };
  Encoder.prototype.positions = async function (field, token, k, bits) {
    var cacheKey = field + "\u0000" + token + "\u0000" + k;
    if (this.cache.has(cacheKey)) return this.cache.get(cacheKey);
    if (!this.fieldKeys.has(field)) this.fieldKeys.set(field, await hmacKey(await this.subkey("field:" + field)));
    var fk = this.fieldKeys.get(field), raw = [], counter = 0;
    while (raw.length < 2 * k) { raw = raw.concat(Array.from(await hmac(fk, counter + "|" + token))); counter++; }
    var out = [];
    for (var i = 0; i < k; i++) out.push((raw[2 * i] | (raw[2 * i + 1] << 8)) % bits);
    this.cache.set(cacheKey, out);
    return out;
  };
  Encoder.prototype.encode = async function (reg) {
    var toks = tokens(reg), bytes = [];
    for (var seg of SEGMENTS) {
      var list = toks[seg.name], nbytes = 2 * seg.bits / 8;
      if (!list.length) { for (var z = 0; z < nbytes; z++) bytes.push(0); continue; }
      var raw = new Uint8Array(seg.bits);
      for (var t of list) for (var p of await this.positions(seg.field, t[0], t[1], seg.bits)) raw[p] = 1;
      var perm = this.perms[seg.perm], n = 2 * seg.bits;
      for (var b = 0; b < n; b += 8) {
        var byte = 0;
        for (var bit = 0; bit < 8; bit++) {
          var src = perm[b + bit];
          var v = src < seg.bits ? raw[src] : 1 - raw[src - seg.bits];
          byte = (byte << 1) | v;
        }
        bytes.push(byte);
      }
    }
    var binary = ""; for (var x of bytes) binary += String.fromCharCode(x);
    return btoa(binary);
  };

  // ---------------------------------------------------------------- delivery.py
  function separator(text) {
    var first = text.split("\n", 1)[0];
    return (first.split(";").length - 1) > (first.split(",").length - 1) ? ";" : ",";
  }
  function parseCsv(text, sep, file) {
    var rows = [], row = [], cell = "", started = false, quoted = false, line = 1, start = 1, i = 0, n = text.length;
    function blank(r) { return !r.some(function (c) { return pyStrip(c); }); }
    while (i < n) {
      var ch = text[i++];
      if (quoted) {
        if (ch === '"' && i < n && text[i] === '"') { cell += '"'; i++; }
        else if (ch === '"') quoted = false;
        else { if (ch === "\n") line++; cell += ch; }
      } else if (ch === '"' && !started) { quoted = started = true; }
      else if (ch === sep) { row.push(cell); cell = ""; started = false; }
      else if (ch === "\r" || ch === "\n") {
        row.push(cell);
        if (!blank(row)) rows.push([start, row]);
        row = []; cell = ""; started = false;
        if (ch === "\r" && i < n && text[i] === "\n") i++;
        line++; start = line;
      } else { cell += ch; started = true; }
    }
    if (quoted) throw new InputError('een aanhalingsteken (") wordt niet gesloten', file, start);
    if (started || row.length) { row.push(cell); if (!blank(row)) rows.push([start, row]); }
    return rows;
  }
  function formatCsv(rows, sep) {
    return rows.map(function (r) {
      return r.map(function (v) {
        return (v.indexOf(sep) >= 0 || v.indexOf('"') >= 0 || v.indexOf("\n") >= 0 || v.indexOf("\r") >= 0) ? '"' + v.replace(/"/g, '""') + '"' : v;
      }).join(sep) + "\n";
    }).join("");
  }
  function layout(header, file) {
    var names = header.map(function (h) { return pyStrip(h).toLowerCase(); });
    for (var c of ENCODING_COLUMNS) if (names.indexOf(c) >= 0) throw new InputError("dit bestand is al gecodeerd (kolom 'clk'); lever het zo aan", file, 1, c);
    var dup = Array.from(new Set(names.filter(function (c, i) { return c && names.indexOf(c) !== i; }))).sort();
    if (dup.length) throw new InputError("kolom '" + dup[0] + "' staat meer dan eens in de kopregel", file, 1, dup[0]);
    var monitor = names.indexOf("datum") >= 0 && names.indexOf("eenheid") >= 0;
    var identityCols = monitor ? IDENTITY_COLUMNS : IDENTITY_COLUMNS.concat(["gemeente_code"]);
    var required = monitor ? ["registratie_id"] : ["bron", "registratie_id"];
    for (var r of required) if (names.indexOf(r) < 0) throw new InputError("kolom '" + r + "' ontbreekt in de kopregel", file, 1, r);
    var identity = {};
    identityCols.forEach(function (col) { if (names.indexOf(col) >= 0) identity[col] = names.indexOf(col); });
    if (!IDENTITY_COLUMNS.some(function (col) { return col in identity; })) {
      throw new InputError("geen identiteitskolommen gevonden; verwacht een of meer van: " + IDENTITY_COLUMNS.join(", "), file, 1);
    }
    var idx = Object.values(identity), first = Math.min.apply(null, idx), keep = [];
    for (var i = 0; i < header.length; i++) if (idx.indexOf(i) < 0) keep.push(i);
    var insertAt = keep.filter(function (k) { return k < first; }).length;
    var kept = keep.map(function (k) { return header[k]; });
    return { names: names, identity: identity, keep: keep, insertAt: insertAt, monitor: monitor,
      outHeader: kept.slice(0, insertAt).concat(ENCODING_COLUMNS, kept.slice(insertAt)) };
  }
  function registration(cells, lay, file, rowNo, source) {
    function value(col) { return col in lay.identity ? pyStrip(cells[lay.identity[col]]) : ""; }
    var birth;
    try { birth = parseDate(value("geboortedatum")); } catch (e) { throw new InputError(e.message, file, rowNo, "geboortedatum"); }
    var gi = lay.names.indexOf("gemeente_code"), gem = gi >= 0 ? pyStrip(cells[gi]).toUpperCase() : "";
    var nat = value("nationaliteit").toUpperCase();
    return { bron: source, registratie_id: pyStrip(cells[lay.names.indexOf("registratie_id")]),
      voornaam: value("voornaam") || null, achternaam: value("achternaam") || null, geboortedatum: birth,
      geslacht: normaliseSex(value("geslacht")), nationaliteit: nat || null, gemeente_code: gem || null };
  }

  async function encodeFile(name, data, keyData, onProgress) {
    var keyBytes = new Uint8Array(keyData), a = 0, b = keyBytes.length;
    var ws = [32, 9, 10, 13, 11, 12];
    while (a < b && ws.indexOf(keyBytes[a]) >= 0) a++;
    while (b > a && ws.indexOf(keyBytes[b - 1]) >= 0) b--;
    var secret = keyBytes.slice(a, b);
    if (secret.length < MIN_KEY_BYTES) throw new InputError("sleutel te kort: " + secret.length + " bytes, minimaal " + MIN_KEY_BYTES + " nodig");
    var bytes = new Uint8Array(data);
    if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4) throw new InputError("dit is een Excel-bestand; sla het op als 'CSV UTF-8' en codeer dat", name);
    var text;
    try { text = new TextDecoder("utf-8", { fatal: true }).decode(bytes); } catch (e) { throw new InputError("het bestand is niet in UTF-8 opgeslagen; kies 'CSV UTF-8'", name); }
    var sep = separator(text), rows = parseCsv(text, sep, name);
    if (!rows.length) throw new InputError("het bestand is leeg: er staat geen kopregel in", name, 1);
    var lay = layout(rows[0][1], name), body = rows.slice(1), width = rows[0][1].length;
    if (!body.length) throw new InputError("het bestand bevat geen gegevensregels onder de kopregel", name, 2);
    if (body.length > MAX_ROWS) throw new InputError("te veel regels: hooguit " + MAX_ROWS + " per bestand; splits het bestand", name);
    var bronIdx = lay.names.indexOf("bron"), seen = new Map(), regs = [];
    for (var entry of body) {
      var rowNo = entry[0], cells = entry[1];
      if (cells.length > width && cells.slice(width).some(function (c) { return pyStrip(c); })) throw new InputError("de regel heeft " + cells.length + " cellen, de kopregel " + width, name, rowNo);
      while (cells.length < width) cells.push("");
      cells.length = width;
      var source = bronIdx >= 0 ? pyStrip(cells[bronIdx]) : "";
      var reg = registration(cells, lay, name, rowNo, source);
      if (!reg.registratie_id) throw new InputError("lege waarde; registratie_id is verplicht", name, rowNo, "registratie_id");
      if (!lay.monitor && !source) throw new InputError("lege waarde; bron is verplicht", name, rowNo, "bron");
      var key = source + "\u0000" + reg.registratie_id;
      if (seen.has(key)) throw new InputError("registratie_id '" + reg.registratie_id + "' staat ook op rij " + seen.get(key), name, rowNo, "registratie_id");
      seen.set(key, rowNo);
      regs.push(reg);
    }
    var encoder = new Encoder(secret);
    await encoder.init();
    var out = [lay.outHeader];
    for (var i = 0; i < body.length; i++) {
      var kept = lay.keep.map(function (k) { return body[i][1][k]; });
      var clk = await encoder.encode(regs[i]);
      out.push(kept.slice(0, lay.insertAt).concat([encoder.fingerprint, SCHEME, clk], kept.slice(lay.insertAt)));
      if (onProgress && i % 200 === 0) onProgress(i, body.length);
    }
    return { bytes: enc.encode(formatCsv(out, sep)), rows: body.length, fingerprint: encoder.fingerprint };
  }

  window.KetenzichtEncode = { encodeFile: encodeFile, SCHEME: SCHEME };

  // ---------------------------------------------------------------- the page
  function wire(section) {
    var names = section.querySelector("[data-kz-names]");
    var key = section.querySelector("[data-kz-key]");
    var button = section.querySelector("[data-kz-run]");
    var status = section.querySelector("[data-kz-status]");
    var form = document.getElementById(section.getAttribute("data-kz-form"));
    var target = form.querySelector("input[type=file]");
    var download = section.querySelector("[data-kz-download]");
    section.hidden = false;
    var fallback = document.querySelector("[data-kz-nojs]");
    if (fallback) fallback.hidden = true;
    function say(text, error) {
      status.textContent = text;
      status.className = "utrecht-alert " + (error ? "utrecht-alert--error" : "utrecht-alert--ok");
      status.hidden = false;
    }
    button.addEventListener("click", async function () {
      if (!names.files.length || !key.files.length) { say(section.getAttribute("data-kz-choose"), true); return; }
      var file = names.files[0];
      button.setAttribute("aria-disabled", "true");
      say(section.getAttribute("data-kz-busy"), false);
      try {
        var result = await encodeFile(file.name, await file.arrayBuffer(), await key.files[0].arrayBuffer(), function (i, n) {
          say(section.getAttribute("data-kz-busy") + " " + i + " / " + n, false);
        });
        var outName = file.name.replace(/\.csv$/i, "") + ".gecodeerd.csv";
        var encoded = new File([result.bytes], outName, { type: "text/csv" });
        var transfer = new DataTransfer();
        transfer.items.add(encoded);
        target.files = transfer.files;
        download.href = URL.createObjectURL(encoded);
        download.download = outName;
        download.hidden = false;
        say(section.getAttribute("data-kz-done").replace("%(n)s", result.rows).replace("%(key)s", result.fingerprint), false);
      } catch (e) {
        say(e && e.message ? e.message : String(e), true);
      } finally {
        button.removeAttribute("aria-disabled");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var section = document.querySelector("[data-kz-encode]");
    if (section) wire(section);
  });
})();
