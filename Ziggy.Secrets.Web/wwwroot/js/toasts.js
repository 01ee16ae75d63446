// The toast region: confirms what a request did and shows errors that belong to no field. The server sends toasts in
// an htmx answer's HX-Trigger header (event "ziggy-toast") or renders them into the region on a full page; scripts can
// add one with window.ziggyToast(message, kind). Confirmations fade after a while (not while hovered or focused);
// errors stay until dismissed.
(function () {
  'use strict';

  const SuccessMilliseconds = 8000;

  function region() { return document.getElementById('toasts'); }

  function arm(toast) {
    if (toast.dataset.armed) return;
    toast.dataset.armed = 'true';
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'toast-close';
    close.setAttribute('aria-label', 'Dismiss');
    close.textContent = '×';
    close.addEventListener('click', function () { toast.remove(); });
    toast.appendChild(close);
    if (toast.classList.contains('toast-error')) return;
    let timer = setTimeout(function () { toast.remove(); }, SuccessMilliseconds);
    const hold = function () { clearTimeout(timer); };
    const release = function () { timer = setTimeout(function () { toast.remove(); }, SuccessMilliseconds); };
    toast.addEventListener('mouseenter', hold);
    toast.addEventListener('focusin', hold);
    toast.addEventListener('mouseleave', release);
    toast.addEventListener('focusout', release);
  }

  function show(message, kind) {
    const host = region();
    if (!host || !message) return;
    const toast = document.createElement('div');
    toast.className = 'toast ' + (kind === 'error' ? 'toast-error' : 'toast-success');
    if (kind === 'error') toast.setAttribute('role', 'alert');
    const text = document.createElement('span');
    text.className = 'toast-text';
    text.textContent = message;
    toast.appendChild(text);
    host.appendChild(toast);
    arm(toast);
  }

  window.ziggyToast = show;
  document.addEventListener('DOMContentLoaded', function () {
    const host = region();
    if (host) host.querySelectorAll('.toast').forEach(arm);
  });
  document.addEventListener('ziggy-toast', function (event) {
    const items = (event.detail && event.detail.items) || [];
    items.forEach(function (item) { show(item.message, item.kind); });
  });
})();
