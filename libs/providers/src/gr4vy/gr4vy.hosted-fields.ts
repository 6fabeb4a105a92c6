/*
 * The Gr4vy half of our hosted page: mounts Gr4vy Secure Fields into the page's
 * card containers (the page script, served first, exposes `checkoutPage`). Served
 * from our own origin, so the Content-Security-Policy needs no inline code. The
 * data-* attributes it reads are those of Gr4vyProvider.hostedFields.
 */
export const GR4VY_FIELDS_SCRIPT = `(function () {
  'use strict';
  window.checkoutPage.mountFields(function (containers, data, on) {
    var fields = new SecureFields({ gr4vyId: data.gr4vyId, environment: data.environment, sessionId: data.sessionId });
    fields.addCardNumberField(containers.number);
    fields.addExpiryDateField(containers.expiryDate);
    fields.addSecurityCodeField(containers.securityCode);
    fields.addEventListener(SecureFields.Events.CARD_VAULT_SUCCESS, on.vaulted);
    fields.addEventListener(SecureFields.Events.CARD_VAULT_FAILURE, on.invalid);
    return { submit: function () { fields.submit(); } };
  });
})();
`;
