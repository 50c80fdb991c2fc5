// Accessibility repairs to the third-party Swagger UI of /api/v1/docs/ (loaded after it, as a
// file: the Content Security Policy allows no inline script). Swagger UI redraws its DOM as
// people open operations, so the repairs are reapplied whenever it changes:
// - the API's description (title, version, servers) sits outside every landmark (axe: region):
//   it becomes a labelled region;
// - the page's one h1 is followed by Swagger UI's h3 operation groups (axe: heading-order): a
//   visually hidden h2 "Operations" goes before them.
// - code samples and responses scroll in boxes a keyboard cannot reach (axe:
//   scrollable-region-focusable): each box can take focus;
// - a parameter's choice list has no label (axe: select-name): it is named after its parameter;
//   the request body's box is named too (axe: label), and each operation's responses region
//   after its operation (axe: landmark-unique, when two operations are open);
// - the Authorize window is not announced as a dialog its headings skip levels
//   and its close button has no name.
// Deep links inside each operation's button (axe: nested-interactive) are switched off in the
// settings (SWAGGER_UI_SETTINGS), and colours are darkened in the page's stylesheet.
(function () {
  const root = document.getElementById('swagger-ui')
  if (!root) return

  function repair () {
    const about = root.querySelector('.information-container')
    if (about && !about.hasAttribute('role')) {
      about.setAttribute('role', 'region')
      about.setAttribute('aria-label', 'About the API')
    }
    root.querySelectorAll('.highlight-code > .microlight:not([tabindex]), .curl:not([tabindex])').forEach(box => {
      box.setAttribute('tabindex', '0')
    })
    root.querySelectorAll('tr[data-param-name] select:not([aria-label])').forEach(select => {
      select.setAttribute('aria-label', select.closest('tr').dataset.paramName)
    })
    root.querySelectorAll('textarea.body-param__text:not([aria-label])').forEach(box => {
      box.setAttribute('aria-label', 'Request body (JSON)')
    })
    root.querySelectorAll('.modal-ux:not([role])').forEach(dialog => {
      dialog.setAttribute('role', 'dialog')
      dialog.setAttribute('aria-modal', 'true')
      dialog.setAttribute('aria-label', 'Available authorizations')
    })
    root.querySelectorAll('.modal-ux-header > h3:not([aria-level])').forEach(heading => {
      heading.setAttribute('aria-level', '2')
    })
    root.querySelectorAll('.modal-ux-content h4:not([aria-level])').forEach(heading => {
      heading.setAttribute('aria-level', '3')
    })
    root.querySelectorAll('button.close-modal:not([aria-label])').forEach(button => {
      button.setAttribute('aria-label', 'Close')
    })
    root.querySelectorAll('[id$="__responses"]:not([data-registry-named])').forEach(region => {
      const operation = region.closest('.opblock')
      const method = operation && operation.querySelector('.opblock-summary-method')
      const path = operation && operation.querySelector('.opblock-summary-path')
      if (method && path) region.setAttribute('aria-label', `Responses of ${method.textContent} ${path.textContent}`)
      region.setAttribute('data-registry-named', '')
    })
    const firstGroup = root.querySelector('.opblock-tag-section')
    if (firstGroup && !root.querySelector('h2.registry-api-operations')) {
      const heading = document.createElement('h2')
      heading.className = 'registry-api-operations registry-visually-hidden'
      heading.textContent = 'Operations'
      firstGroup.parentNode.insertBefore(heading, firstGroup)
    }
  }

  new MutationObserver(repair).observe(root, { childList: true, subtree: true })
  repair()
})()
