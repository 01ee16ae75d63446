// Links shown once (invitations, password resets). Without a configured public URL the server sends only the link's
// path: complete it with the origin this browser is on, the one the person is using. The copy button copies the link.
(function () {
  'use strict';

  function complete(root) {
    const inputs = Array.from(root.querySelectorAll ? root.querySelectorAll('input[data-link]') : []);
    if (root.matches && root.matches('input[data-link]')) inputs.push(root);
    inputs.forEach(function (input) {
      if (input.value.startsWith('/') && !input.value.startsWith('//')) input.value = window.location.origin + input.value;
    });
  }

  document.addEventListener('DOMContentLoaded', function () { complete(document); });
  document.addEventListener('htmx:load', function (event) { complete(event.detail.elt); });
  document.addEventListener('click', function (event) {
    const button = event.target.closest('button[data-copy]');
    const input = button && document.getElementById(button.dataset.copy);
    if (!input) return;
    complete(input);
    input.select();
    navigator.clipboard.writeText(input.value).then(
      function () { button.textContent = 'Copied'; },
      function () { button.textContent = 'Press Ctrl+C to copy'; });
  });
})();
