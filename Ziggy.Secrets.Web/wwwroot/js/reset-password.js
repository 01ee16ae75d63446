// The reset link carries "email:token" in its fragment (never sent to the server); move it into the form.
(function () {
  'use strict';
  const hash = decodeURIComponent(window.location.hash.slice(1));
  const separator = hash.indexOf(':');
  if (separator > 0) {
    document.getElementById('reset-email').value = hash.slice(0, separator);
    document.getElementById('reset-token').value = hash.slice(separator + 1);
    history.replaceState(null, '', window.location.pathname);
  }
})();
