// The import's progress (templates/registry/imports/report.html): the import runs
// in the request, so once a button is pressed the page says the import is under
// way and the buttons cannot be pressed again. Without JavaScript the page's own
// text says to wait; GOV.UK's data-prevent-double-click stops a second press.
const form = document.querySelector('[data-import-form]')
if (form) {
  form.addEventListener('submit', (event) => {
    const pressed = event.submitter
    const status = form.querySelector('[data-import-status]')
    if (status) status.textContent = `${form.dataset.importing} This can take a while. Stay on this page.`
    form.querySelectorAll('button').forEach((button) => {
      if (button === pressed) {
        button.textContent = form.dataset.importing
      }
      // aria-disabled, not disabled: a disabled button's name and value would not be sent.
      button.setAttribute('aria-disabled', 'true')
      button.classList.add('govuk-button--disabled')
    })
  })
}
