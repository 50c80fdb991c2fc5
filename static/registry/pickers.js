// Pickers for long lists, built on GOV.UK's accessible-autocomplete (window.accessibleAutocomplete,
// loaded before this module). Without JavaScript the page keeps its plain select or checkboxes,
// which stay the form's real fields here too: the pickers only choose among them.
const autocomplete = window.accessibleAutocomplete

function enhanceSelect (group) {
  const select = group.querySelector('select')
  if (!select) return
  const options = Array.from(select.options).filter(option => option.value)
  autocomplete.enhanceSelectElement({
    selectElement: select,
    source: (query, populate) => {
      const words = query.toLowerCase()
      populate(options.map(option => option.text).filter(text => text.toLowerCase().includes(words)))
    },
    defaultValue: '', // the chosen option's name when there is one (the plugin prefers it)
    showAllValues: true,
    autoselect: false, // its type-ahead hint is an unlabelled input (axe: label)
    dropdownArrow: () => '',
    tNoResults: () => 'No results found'
  })
  // Clearing the box clears the answer (the plugin leaves the hidden select as it was).
  const input = group.querySelector('input.autocomplete__input')
  select.form.addEventListener('submit', () => {
    if (input && !input.value.trim()) select.value = ''
  })
}

function enhanceCheckboxes (group, index) {
  const items = Array.from(group.querySelectorAll('.govuk-checkboxes__item'))
  if (items.length < 10) return
  const label = item => item.querySelector('label').textContent.trim()
  const box = item => item.querySelector('input')
  const legend = group.querySelector('legend')
  const id = `registry-picker-${index}`

  const wrapper = document.createElement('div')
  wrapper.className = 'registry-picker'
  wrapper.innerHTML = `<label class="govuk-label" for="${id}">Search to add ${legend ? legend.textContent.trim().replace(/\s*\(optional\)$/, '').toLowerCase() : 'an option'}</label>
    <div class="govuk-hint" id="${id}-hint">Start typing, then choose from the list. Chosen ones appear below with a tick; untick to remove.</div>
    <div class="registry-picker__input"></div>
    <p class="govuk-body govuk-!-margin-top-2 registry-picker__none">None chosen yet.</p>
    <div class="govuk-visually-hidden" aria-live="polite" data-announce></div>`
  const list = group.querySelector('.govuk-checkboxes')
  list.parentNode.insertBefore(wrapper, list)
  const announce = wrapper.querySelector('[data-announce]')
  const none = wrapper.querySelector('.registry-picker__none')

  const refresh = () => {
    let shown = 0
    for (const item of items) {
      const keep = box(item).checked || item.dataset.kept === 'true'
      item.classList.toggle('registry-picker__hidden', !keep)
      if (keep) shown += 1
    }
    none.hidden = shown > 0
  }
  for (const item of items) {
    item.dataset.kept = String(box(item).checked)
    box(item).addEventListener('change', () => { item.dataset.kept = 'true'; refresh() })
  }

  autocomplete({
    element: wrapper.querySelector('.registry-picker__input'),
    id,
    source: (query, populate) => {
      const words = query.toLowerCase()
      populate(items.filter(item => !box(item).checked && label(item).toLowerCase().includes(words)).map(label))
    },
    showAllValues: false,
    minLength: 1,
    templates: { inputValue: () => '' },
    tNoResults: () => 'No results found',
    onConfirm: chosen => {
      const item = items.find(item => label(item) === chosen)
      if (!item) return
      box(item).checked = true
      item.dataset.kept = 'true'
      refresh()
      announce.textContent = `${chosen} added`
    }
  })
  const input = wrapper.querySelector('input')
  input.setAttribute('aria-describedby', `${id}-hint`)
  refresh()
}

if (autocomplete) {
  document.querySelectorAll('[data-registry-picker="autocomplete"]').forEach(enhanceSelect)
  document.querySelectorAll('[data-registry-picker="multiple"]').forEach(enhanceCheckboxes)
}
