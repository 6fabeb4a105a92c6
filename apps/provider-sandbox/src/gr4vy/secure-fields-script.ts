/**
 * The Secure Fields stand-in served at GET /secure-fields/latest/secure-fields.js.
 *
 * Plain browser JavaScript (a classic script, ES2019: no modules, no `?.`/`??`,
 * no class fields), in the shape of Gr4vy's Secure Fields SDK as used on a page:
 *
 *   const secureFields = new SecureFields({ gr4vyId, environment, sessionId });
 *   secureFields.addCardNumberField('#cc-number');
 *   secureFields.addExpiryDateField('#cc-expiry-date');
 *   secureFields.addSecurityCodeField('#cc-security-code');
 *   secureFields.addEventListener(SecureFields.Events.READY, () => {});
 *   secureFields.addEventListener(SecureFields.Events.CARD_VAULT_SUCCESS, () => {});
 *   secureFields.addEventListener(SecureFields.Events.CARD_VAULT_FAILURE, (detail) => {});
 *   secureFields.submit();
 *
 * Unlike the real SDK (cross-origin iframes), the fields are plain <input>s in
 * the page. submit() PUTs the card to `<origin>/checkout/sessions/<id>/fields`,
 * `<origin>` being the origin this script was loaded from.
 *
 * Kept as a string (not a .js file) so the TypeScript build ships it without an
 * asset-copy step. It must not contain backticks or `${`.
 */
const SCRIPT = String.raw`/* provider-sandbox: Gr4vy Secure Fields stand-in (plain inputs, not iframes). */
(function (root) {
  'use strict';

  var current = typeof document !== 'undefined' ? document.currentScript : null;
  var ORIGIN = FALLBACK_ORIGIN;
  try {
    if (current && current.src) ORIGIN = new URL(current.src).origin;
  } catch (e) {
    /* keep the fallback */
  }

  var Events = {
    READY: 'ready',
    CARD_VAULT_SUCCESS: 'card-vault-success',
    CARD_VAULT_FAILURE: 'card-vault-failure'
  };

  var FIELDS = {
    number: {
      id: 'cc-number-input',
      name: 'cc-number',
      autocomplete: 'cc-number',
      label: 'Card number',
      placeholder: '4111 1111 1111 1111',
      maxLength: 23
    },
    expiryDate: {
      id: 'cc-expiry-date-input',
      name: 'cc-expiry-date',
      autocomplete: 'cc-exp',
      label: 'Expiry date (MM/YY)',
      placeholder: 'MM/YY',
      maxLength: 5
    },
    securityCode: {
      id: 'cc-security-code-input',
      name: 'cc-security-code',
      autocomplete: 'cc-csc',
      label: 'Security code',
      placeholder: '123',
      maxLength: 4
    }
  };

  function digits(value) {
    return String(value || '').replace(/\D/g, '');
  }

  /** 1239, 12/39, 12 / 39 -> 12/39 (what the fields endpoint expects). */
  function formatExpiry(value) {
    var d = digits(value).slice(0, 4);
    return d.length > 2 ? d.slice(0, 2) + '/' + d.slice(2) : d;
  }

  function later(fn) {
    setTimeout(fn, 0);
  }

  function SecureFields(options) {
    if (!(this instanceof SecureFields)) throw new TypeError('SecureFields must be called with new');
    options = options || {};
    if (typeof options.sessionId !== 'string' || options.sessionId === '') {
      throw new Error('SecureFields: options.sessionId (the checkout session id) is required');
    }
    this.gr4vyId = options.gr4vyId;
    this.environment = options.environment;
    this.sessionId = options.sessionId;
    this.origin = ORIGIN;
    this.fields = {};
    this._listeners = {};
    this._ready = false;
    this._submitting = null;
    var self = this;
    later(function () {
      self._ready = true;
      self._emit(Events.READY, { origin: ORIGIN });
    });
  }

  SecureFields.Events = Events;
  SecureFields.version = 'provider-sandbox';

  SecureFields.prototype.addEventListener = function (event, callback) {
    if (typeof callback !== 'function') throw new TypeError('SecureFields: the listener must be a function');
    (this._listeners[event] = this._listeners[event] || []).push(callback);
    // READY already happened: a late listener still hears it (asynchronously).
    if (event === Events.READY && this._ready) {
      later(function () {
        callback({ origin: ORIGIN });
      });
    }
    return this;
  };

  SecureFields.prototype.removeEventListener = function (event, callback) {
    var list = this._listeners[event] || [];
    var i = list.indexOf(callback);
    if (i >= 0) list.splice(i, 1);
    return this;
  };

  SecureFields.prototype._emit = function (event, detail) {
    var list = (this._listeners[event] || []).slice();
    for (var i = 0; i < list.length; i++) {
      try {
        list[i](detail);
      } catch (err) {
        // One failing listener must not silence the others; surface the error like the DOM does.
        later(function () {
          throw err;
        });
      }
    }
  };

  SecureFields.prototype._addField = function (kind, container, format) {
    var spec = FIELDS[kind];
    var element = typeof container === 'string' ? document.querySelector(container) : container;
    if (!element) throw new Error('SecureFields: no element matches ' + String(container));
    var input = document.createElement('input');
    input.setAttribute('id', spec.id);
    input.setAttribute('name', spec.name);
    input.setAttribute('type', 'text');
    input.setAttribute('inputmode', 'numeric');
    input.setAttribute('autocomplete', spec.autocomplete);
    input.setAttribute('aria-label', spec.label);
    input.setAttribute('placeholder', spec.placeholder);
    input.setAttribute('maxlength', String(spec.maxLength));
    input.setAttribute('required', '');
    input.setAttribute('class', 'secure-field-input');
    input.setAttribute('data-secure-field', kind);
    if (format) {
      input.addEventListener('input', function () {
        var next = format(input.value);
        if (next !== input.value) input.value = next;
      });
    }
    element.appendChild(input);
    var field = {
      type: kind,
      element: input,
      addEventListener: function (event, callback) {
        input.addEventListener(event, callback);
        return field;
      },
      setPlaceholder: function (text) {
        input.setAttribute('placeholder', String(text));
        return field;
      }
    };
    this.fields[kind] = field;
    return field;
  };

  SecureFields.prototype.addCardNumberField = function (container) {
    return this._addField('number', container, function (value) {
      return String(value).replace(/[^\d ]/g, '');
    });
  };

  SecureFields.prototype.addExpiryDateField = function (container) {
    return this._addField('expiryDate', container, formatExpiry);
  };

  SecureFields.prototype.addSecurityCodeField = function (container) {
    return this._addField('securityCode', container, digits);
  };

  SecureFields.prototype._value = function (kind) {
    var field = this.fields[kind];
    return field ? String(field.element.value || '') : null;
  };

  /**
   * Sends the card to the checkout session, then fires CARD_VAULT_SUCCESS ({ status: 204 })
   * or CARD_VAULT_FAILURE ({ status, message }; status 0 when no HTTP answer came).
   * Returns a promise that settles (never rejects) after the event was fired.
   */
  SecureFields.prototype.submit = function () {
    var self = this;
    if (self._submitting) return self._submitting;
    var number = self._value('number');
    var expiry = self._value('expiryDate');
    var code = self._value('securityCode');
    if (number === null || expiry === null) {
      return new Promise(function (resolve) {
        later(function () {
          self._emit(Events.CARD_VAULT_FAILURE, {
            status: 0,
            message: 'Add the card number and expiry date fields before calling submit()'
          });
          resolve(false);
        });
      });
    }
    var card = { method: 'card', number: digits(number), expiration_date: formatExpiry(expiry) };
    if (code !== null && digits(code) !== '') card.security_code = digits(code);
    var url = ORIGIN + '/checkout/sessions/' + encodeURIComponent(self.sessionId) + '/fields';

    self._submitting = fetch(url, {
      method: 'PUT',
      mode: 'cors',
      credentials: 'omit',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payment_method: card })
    })
      .then(function (res) {
        if (res.status === 204) {
          self._emit(Events.CARD_VAULT_SUCCESS, { status: 204 });
          return true;
        }
        return res
          .text()
          .then(
            function (text) {
              return failureMessage(text) || res.statusText || 'HTTP ' + res.status;
            },
            function () {
              return res.statusText || 'HTTP ' + res.status;
            }
          )
          .then(function (message) {
            self._emit(Events.CARD_VAULT_FAILURE, { status: res.status, message: message });
            return false;
          });
      })
      .catch(function (err) {
        self._emit(Events.CARD_VAULT_FAILURE, {
          status: 0,
          message: (err && err.message) || 'The card could not be sent'
        });
        return false;
      })
      .then(function (ok) {
        self._submitting = null;
        return ok;
      });
    return self._submitting;
  };

  /** Gr4vy errors carry a message; validation errors (422) a detail list. */
  function failureMessage(text) {
    try {
      var body = JSON.parse(text);
      if (body && typeof body.message === 'string') return body.message;
      if (body && body.detail && body.detail[0] && typeof body.detail[0].msg === 'string') {
        var loc = body.detail[0].loc || [];
        return body.detail[0].msg + (loc.length ? ' (' + loc.slice(1).join('.') + ')' : '');
      }
    } catch (e) {
      /* not JSON */
    }
    return '';
  }

  root.SecureFields = SecureFields;
})(typeof window !== 'undefined' ? window : this);
`;

const PLACEHOLDER = 'FALLBACK_ORIGIN';

/**
 * The script text. `fallbackOrigin` (the origin the request came in on) is used only
 * when `document.currentScript` is unavailable.
 */
export function secureFieldsScript(fallbackOrigin: string): string {
  // JSON is a valid JS string literal; escape '<' so the text is also inert if ever inlined in HTML.
  const literal = JSON.stringify(fallbackOrigin).replace(/</g, '\\u003c');
  return SCRIPT.replace(PLACEHOLDER, () => literal);
}

export const SECURE_FIELDS_PATH = '/secure-fields/latest/secure-fields.js';
