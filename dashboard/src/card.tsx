import { Component, type ComponentChildren } from 'preact'

interface CardProps {
  title: string
  testid: string
  /** The last RPC error of what this card shows; the last good data stays on screen under it. */
  error?: string
  aside?: ComponentChildren
  /** Two columns, or the whole row. */
  span?: 'wide' | 'full'
  children?: ComponentChildren
}

export function Card({ title, testid, error, aside, span, children }: CardProps) {
  return (
    <section class={span ? `card ${span}` : 'card'} data-testid={testid} aria-label={title}>
      <header class="card-head">
        <h2>{title}</h2>
        {aside}
      </header>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <CardBoundary>{children}</CardBoundary>
    </section>
  )
}

/** A bug in one card shows its message in that card instead of blanking the page. */
class CardBoundary extends Component<{ children?: ComponentChildren }, { failure?: string }> {
  override state: { failure?: string } = {}

  override componentDidCatch(err: unknown): void {
    this.setState({ failure: err instanceof Error ? err.message : String(err) })
  }

  override render() {
    if (this.state.failure) {
      return (
        <p class="error" role="alert">
          This card failed: {this.state.failure}
        </p>
      )
    }
    return this.props.children
  }
}

/** A term and its value in a card's <dl>. */
export function Field({ label, children, testid }: { label: string; children: ComponentChildren; testid?: string }) {
  return (
    <div class="field">
      <dt>{label}</dt>
      <dd data-testid={testid}>{children}</dd>
    </div>
  )
}
