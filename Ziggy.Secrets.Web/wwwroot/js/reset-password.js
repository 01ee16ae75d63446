// The reset link carries its token in the fragment (never sent to the server); move it into the form.
(function () {
  'use strict';
  const token = window.location.hash.slice(1);
  if (token.length > 0) {
    document.getElementById('reset-token').value = token;
    history.replaceState(null, '', window.location.pathname);
  }
})();
