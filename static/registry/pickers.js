// Pickers for long lists, built on GOV.UK's accessible-autocomplete (window.accessibleAutocomplete,
// loaded before this module). Without JavaScript the page keeps its plain select or checkboxes,
// which stay the form's real fields here too: the pickers only choose among them.
const autocomplete = window.accessibleAutocomplete

// The "not listed" text field beside a picker: named by data-registry-picker-other on the
// picker's group, or by the form's convention <select name>_name (organisation → organisation_name).
function otherField (group, select) {
  const name = group.dataset.registryPickerOther || `${select.name}_name`
  const field = select.form.elements.namedItem(name)
  return field && field.tagName === 'INPUT' ? field : null
}

function enhanceSelect (group) {
  const select = group.querySelector('select')
  if (!select) return
  const options = Array.from(select.options).filter(option => option.value)
  const describedBy = select.getAttribute('aria-describedby') || '' // "<id>-hint <id>-error"
  const noun = select.options[0] && !select.options[0].value
    ? select.options[0].text.replace(/^Select an? /, '') : 'option'
  const other = otherField(group, select)
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
  const input = group.querySelector('input.autocomplete__input')
  if (!input) return
  const announce = document.createElement('div')
  announce.className = 'govuk-visually-hidden registry-picker__status'
  announce.setAttribute('aria-live', 'polite')
  group.appendChild(announce)

  // The plugin only describes its input by its own hint, and re-renders drop ours: keep the
  // field's hint and error message on it, as they were on the select.
  const describe = () => {
    const ids = new Set((input.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean))
    describedBy.split(/\s+/).filter(Boolean).forEach(id => ids.add(id))
    const value = Array.from(ids).join(' ')
    if (value && input.getAttribute('aria-describedby') !== value) input.setAttribute('aria-describedby', value)
  }
  describe()
  new MutationObserver(describe).observe(input, { attributes: true, attributeFilter: ['aria-describedby'] })

  // Many names end in their abbreviation, "Ofsted (Ofsted)", "Department for Education (DfE)":
  // either part typed in full names the option too, when it names only one.
  const names = option => {
    const whole = option.text.trim()
    const parts = whole.match(/^(.+?)\s*\(([^()]+)\)$/)
    return (parts ? [whole, parts[1], parts[2]] : [whole]).map(name => name.toLowerCase())
  }
  const matching = text => {
    const lower = text.toLowerCase()
    const whole = options.filter(option => names(option)[0] === lower)
    return whole.length ? whole : options.filter(option => names(option).includes(lower))
  }
  let copied = '' // what this picker put in the "not listed" field, so it can take it back
  // The typed text decides the answer: an option named exactly is chosen; anything else is
  // never swapped for a listed option (the plugin keeps the last choice), it goes to the
  // "not listed" field when there is one, or leaves the select empty so the server says so.
  const settle = () => {
    const text = input.value.trim()
    const found = text ? matching(text) : []
    const match = found.length === 1 ? found[0] : null
    select.value = match ? match.value : ''
    if (match && other && other.value === copied) other.value = ''
    if (match) { copied = ''; return `${match.text} chosen.` }
    if (found.length > 1) return `${text} could be more than one ${noun}. Choose one from the list.`
    if (text && other && (!other.value.trim() || other.value === copied)) {
      other.value = copied = text
      return `${text} is not in the list, so it has been entered as a name not listed.`
    }
    return text ? `${text} is not in the list. Choose one from the list.` : ''
  }
  const say = message => { if (message && announce.textContent !== message) announce.textContent = message }

  // Capture phase: runs before the plugin's own key handling on its wrapper.
  group.addEventListener('keydown', event => {
    if (event.target !== input) return
    const text = input.value.trim()
    const open = input.getAttribute('aria-expanded') === 'true'
    const chosen = input.getAttribute('aria-activedescendant')
    if (event.key === 'Enter' && !chosen) {
      // Nothing highlighted: the plugin would swallow Enter while its list is open.
      settle()
      event.stopPropagation() // the browser submits the form with what was typed
    } else if (event.key === 'ArrowDown' && !open && text && !options.some(o => o.text.toLowerCase().includes(text.toLowerCase()))) {
      // With nothing matching, the plugin would open the whole list on its first name.
      event.stopPropagation()
      event.preventDefault()
      say(`No ${noun} matches ${text}.${other ? ' Press Enter to keep what you typed as a name not listed.' : ''}`)
    }
  }, true)
  input.addEventListener('blur', () => {
    setTimeout(() => {
      if (group.contains(document.activeElement)) return // moving into the list of options
      say(settle())
    }, 0)
  })
  select.form.addEventListener('submit', settle)
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
