/** Words of seed the host hands each execution: four for Math.random, eight for crypto's key. */
export const SEED_WORDS = 12;

/**
 * Guest source (a prelude part after guest-text.ts; `bridge.seed` is the host's seed function):
 * Math.random and crypto.getRandomValues / crypto.randomUUID. Every run starts from the same
 * memory snapshot, so QuickJS's own generator would repeat itself; these are seeded by the
 * host once per execution, at their first use in each run, so a run repeated to answer its
 * fetches draws the same numbers as the run it repeats. Math.random is xoshiro128**; crypto
 * draws from ChaCha20 keyed with 256 bits of the platform's own randomness, so its values
 * cannot be predicted from Math.random's or from each other.
 */
export const GUEST_RANDOM_SOURCE = String.raw`
  var hostSeed = bridge.seed, DOMException = shared.DOMException;
  var seedWords = null;
  function seed() {
    if (seedWords === null) seedWords = hostSeed().split(",").map(function (word) { return word | 0; });
    return seedWords;
  }

  var xoshiro = null;
  function rotl(x, k) { return (x << k) | (x >>> (32 - k)); }
  function nextWord() {
    if (xoshiro === null) { var w = seed(); xoshiro = [w[0], w[1], w[2], w[3] | 1]; }
    var s = xoshiro;
    var result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    var t = s[1] << 9;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 11);
    return result;
  }
  Object.defineProperty(Math, "random", {
    value: function random() { return ((nextWord() >>> 5) * 67108864 + (nextWord() >>> 6)) / 9007199254740992; },
    writable: true, configurable: true, enumerable: false,
  });

  // ChaCha20 (RFC 8439) keystream, key = seed words 4..11, nonce 0, counter from 0.
  var chachaState = null, chachaBlock = new Uint8Array(64), chachaUsed = 64;
  function quarter(x, a, b, c, d) {
    x[a] = (x[a] + x[b]) | 0; x[d] = rotl(x[d] ^ x[a], 16);
    x[c] = (x[c] + x[d]) | 0; x[b] = rotl(x[b] ^ x[c], 12);
    x[a] = (x[a] + x[b]) | 0; x[d] = rotl(x[d] ^ x[a], 8);
    x[c] = (x[c] + x[d]) | 0; x[b] = rotl(x[b] ^ x[c], 7);
  }
  function refill() {
    if (chachaState === null) {
      var w = seed();
      chachaState = new Int32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574].concat(w.slice(4, 12), [0, 0, 0, 0]));
    }
    var x = new Int32Array(chachaState);
    for (var round = 0; round < 10; round++) {
      quarter(x, 0, 4, 8, 12); quarter(x, 1, 5, 9, 13); quarter(x, 2, 6, 10, 14); quarter(x, 3, 7, 11, 15);
      quarter(x, 0, 5, 10, 15); quarter(x, 1, 6, 11, 12); quarter(x, 2, 7, 8, 13); quarter(x, 3, 4, 9, 14);
    }
    for (var i = 0; i < 16; i++) {
      var v = (x[i] + chachaState[i]) | 0;
      chachaBlock[i * 4] = v; chachaBlock[i * 4 + 1] = v >>> 8; chachaBlock[i * 4 + 2] = v >>> 16; chachaBlock[i * 4 + 3] = v >>> 24;
    }
    chachaState[12] = (chachaState[12] + 1) | 0;
    chachaUsed = 0;
  }
  function randomBytes(out) {
    for (var i = 0; i < out.length; i++) {
      if (chachaUsed === 64) refill();
      out[i] = chachaBlock[chachaUsed++];
    }
  }

  var INTEGER_ARRAYS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array];
  var cryptoObject = {
    getRandomValues: function getRandomValues(array) {
      if (!INTEGER_ARRAYS.some(function (Type) { return array instanceof Type; })) {
        throw new DOMException("crypto.getRandomValues: the argument must be an integer typed array", "TypeMismatchError");
      }
      if (array.byteLength > 65536) {
        throw new DOMException("crypto.getRandomValues: " + array.byteLength + " bytes asked for, at most 65536 at once", "QuotaExceededError");
      }
      randomBytes(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
      return array;
    },
    randomUUID: function randomUUID() {
      var b = new Uint8Array(16);
      randomBytes(b);
      b[6] = (b[6] & 0x0f) | 0x40;
      b[8] = (b[8] & 0x3f) | 0x80;
      var hex = Array.prototype.map.call(b, function (x) { return (x < 16 ? "0" : "") + x.toString(16); }).join("");
      return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
    },
  };
  define("crypto", cryptoObject);
`;
