/* The hosted page's own stylesheet and script, served from this origin so the
 * Content-Security-Policy needs no inline code. */

export const CHECKOUT_CSS = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1d2430}
main{max-width:34rem;margin:0 auto;padding:1rem}
.card{background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:1.25rem;margin-bottom:1rem}
h1{font-size:1.35rem;margin:.25rem 0 1rem}
h2{font-size:1.05rem;margin:0 0 .75rem}
.muted{color:#5b6472;font-size:.9rem}
table{width:100%;border-collapse:collapse}
th,td{padding:.4rem 0;text-align:left;vertical-align:top}
td.amount,th.amount{text-align:right;white-space:nowrap}
tfoot th,tfoot td{border-top:1px solid #dfe3e8;font-weight:700;font-size:1.1rem;padding-top:.6rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
.field input,.secure-field-input{width:100%;padding:.7rem;border:1px solid #aeb6c1;border-radius:8px;font-size:1rem}
.row{display:flex;gap:.75rem}.row>div{flex:1}
button{width:100%;margin-top:1.25rem;padding:.9rem;border:0;border-radius:8px;background:#1f5ed6;color:#fff;font-size:1.05rem;font-weight:700;cursor:pointer}
button:disabled{background:#8aa7e0;cursor:progress}
button:focus-visible,input:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
caption.caption{text-align:left}
#status{min-height:1.5rem;margin-top:.75rem;font-weight:600}
.notice{text-align:center;padding:2rem 1rem}
`;

export const CHECKOUT_JS = `(function () {
  'use strict';
  var form = document.getElementById('checkout-form');
  if (!form) return;
  var data = form.dataset;
  var button = document.getElementById('pay-button');
  var status = document.getElementById('status');
  var timeLeft = document.getElementById('time-left');
  var expiresAt = Date.parse(data.expiresAt);
  var paying = false;

  function tick() {
    var ms = expiresAt - Date.now();
    if (ms <= 0) {
      timeLeft.textContent = 'expired';
      button.disabled = true;
      return;
    }
    var minutes = Math.floor(ms / 60000);
    var seconds = Math.floor(ms / 1000) % 60;
    timeLeft.textContent = minutes + ' min ' + (seconds < 10 ? '0' : '') + seconds + ' s';
  }
  tick();
  setInterval(tick, 1000);

  function fail(message) {
    paying = false;
    button.disabled = false;
    status.textContent = message;
  }

  function pay(attempt) {
    fetch(data.payUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
      .then(function (res) {
        return res.json().then(function (body) {
          return { status: res.status, body: body };
        });
      })
      .then(function (res) {
        if (res.status === 409 && res.body.code === 'IDEMPOTENCY_KEY_IN_USE' && attempt < 20) {
          setTimeout(function () { pay(attempt + 1); }, 500);
          return;
        }
        var redirectUrl = res.body.redirectUrl || (res.body.details && res.body.details.redirectUrl);
        if (redirectUrl) {
          status.textContent = res.body.status === 'COMPLETED' ? 'Paid. Redirecting…' : 'Redirecting…';
          window.location.assign(redirectUrl);
          return;
        }
        fail(res.body.message || 'The payment could not be completed.');
      })
      .catch(function () {
        fail('Network error. Please try again.');
      });
  }

  // The provider's fields script (served beside this one) mounts its card fields
  // into the form's containers and calls back when the card is vaulted.
  window.checkoutPage = {
    mountFields: function (mount) {
      var fields = mount(
        { number: '#cc-number', expiryDate: '#cc-expiry-date', securityCode: '#cc-security-code' },
        data,
        {
          vaulted: function () { pay(0); },
          invalid: function () { fail('Please check the card details and try again.'); }
        }
      );
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        if (paying) return;
        paying = true;
        button.disabled = true;
        status.textContent = 'Processing…';
        fields.submit();
      });
    }
  };
})();
`;
