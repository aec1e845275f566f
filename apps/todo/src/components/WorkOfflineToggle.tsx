interface WorkOfflineToggleProps {
  checked: boolean
  onChange: (offline: boolean) => void
}

/** Disconnects sync on purpose; writes keep landing locally and wait in the outbox. */
export function WorkOfflineToggle({ checked, onChange }: WorkOfflineToggleProps) {
  return (
    <label className="toggle">
      <input
        type="checkbox"
        role="switch"
        aria-checked={checked}
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
      />
      Work offline
    </label>
  )
}
